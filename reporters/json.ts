/**
 * The JSON reporter: a stable, versioned envelope for machines. Keys are written in a fixed order and every
 * list is sorted, so two runs over the same configuration produce byte-identical reports.
 *
 * This module also holds the ordering and wording that every format shares (the text and SARIF reporters import
 * them), so the three reports always agree on what comes first and on how a gap or an expired suppression reads.
 */
import type {
  AuditResult,
  Finding,
  Location,
  NotEvaluatedRecord,
  ResourceRef,
  RuleCrash,
  Suppression,
} from '../src/engine/types';
import type { ReporterOptions } from './index';

export const TOOL_NAME = 'apim-oauth-audit';
export const INFORMATION_URI = 'https://github.com/apim-oauth-audit/apim-oauth-audit';
/** Bumped only when a consumer of the JSON report would break (a key removed, renamed or retyped). */
export const JSON_REPORT_VERSION = 1;

type Gap = AuditResult['gaps'][number];

// ----- Ordering (code-point comparison: the same on every machine and locale) -----------------------------

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Findings with a file come first (by file, line, column), then the file-less ones (live sources). */
export function compareFindings(a: Finding, b: Finding): number {
  const fileA = a.location.file;
  const fileB = b.location.file;
  if (fileA === undefined || fileB === undefined) {
    if (fileA !== fileB) return fileA === undefined ? 1 : -1;
  } else if (fileA !== fileB) {
    return compareStrings(fileA, fileB);
  }
  return (
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.logicalLocation.fullyQualifiedName, b.logicalLocation.fullyQualifiedName) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

function resourceKey(resource: ResourceRef | undefined): string {
  return resource ? `${resource.kind}\u0000${resource.id}\u0000${resource.name}` : '';
}

/** Sorted by rule, resource and reason; exact duplicates (same rule, reason and resource) are dropped. */
export function sortNotEvaluated(records: readonly NotEvaluatedRecord[]): NotEvaluatedRecord[] {
  const seen = new Set<string>();
  return [...records]
    .sort(
      (a, b) =>
        compareStrings(a.ruleId, b.ruleId) ||
        compareStrings(resourceKey(a.resource), resourceKey(b.resource)) ||
        compareStrings(a.reason, b.reason),
    )
    .filter((record) => {
      const key = `${record.ruleId}\u0000${record.reason}\u0000${resourceKey(record.resource)}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

export interface NotEvaluatedGroup {
  ruleId: string;
  reasons: { reason: string; resources: ResourceRef[] }[];
}

/** Not-evaluated records grouped by rule, then by reason, each reason with the resources it applies to. */
export function groupNotEvaluated(records: readonly NotEvaluatedRecord[]): NotEvaluatedGroup[] {
  const groups = new Map<string, Map<string, ResourceRef[]>>();
  for (const record of sortNotEvaluated(records)) {
    const byReason = groups.get(record.ruleId) ?? new Map<string, ResourceRef[]>();
    groups.set(record.ruleId, byReason);
    const resources = byReason.get(record.reason) ?? [];
    byReason.set(record.reason, resources);
    if (record.resource) resources.push(record.resource);
  }
  return [...groups].map(([ruleId, byReason]) => ({
    ruleId,
    reasons: [...byReason]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([reason, resources]) => ({ reason, resources })),
  }));
}

export function sortCrashes(crashes: readonly RuleCrash[]): RuleCrash[] {
  return [...crashes].sort(
    (a, b) => compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message),
  );
}

export function sortGaps(gaps: readonly Gap[]): Gap[] {
  return [...gaps].sort(
    (a, b) =>
      compareStrings(a.source, b.source) ||
      compareStrings(a.what, b.what) ||
      compareStrings(a.reason, b.reason),
  );
}

export function sortSuppressions(suppressions: readonly Suppression[]): Suppression[] {
  return [...suppressions].sort(
    (a, b) =>
      compareStrings(a.rule, b.rule) ||
      compareStrings(a.resource, b.resource) ||
      compareStrings(a.expires ?? '', b.expires ?? ''),
  );
}

// ----- Wording shared by the text and SARIF reports -------------------------------------------------------

export function resourceLabel(resource: ResourceRef): string {
  return `${resource.kind} '${resource.name}'`;
}

/** `file:line:column`, as far as it is known; undefined when the finding has no file (live sources). */
export function locationLabel(location: Location): string | undefined {
  if (location.file === undefined) return undefined;
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}

export function expiredSuppressionMessage(suppression: Suppression): string {
  return `suppression for ${suppression.rule} on ${suppression.resource} expired on ${suppression.expires ?? 'an unknown date'}; it no longer applies`;
}

export function crashMessage(crash: RuleCrash): string {
  return `rule ${crash.ruleId} crashed: ${crash.message}`;
}

export function gapMessage(gap: Gap): string {
  return `${gap.source}: could not read ${gap.what}: ${gap.reason}`;
}

// ----- The JSON envelope ----------------------------------------------------------------------------------

function findingToJson(finding: Finding): Record<string, unknown> {
  const { resource, location, logicalLocation } = finding;
  const json: Record<string, unknown> = {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    resource: { kind: resource.kind, id: resource.id, name: resource.name },
    location: { file: location.file ?? null, line: location.line ?? null, column: location.column ?? null },
    logicalLocation: {
      fullyQualifiedName: logicalLocation.fullyQualifiedName,
      kind: logicalLocation.kind,
      name: logicalLocation.name,
    },
    fingerprint: finding.fingerprint,
  };
  if (finding.suppressed) {
    json['suppressed'] = {
      justification: finding.suppressed.justification,
      expires: finding.suppressed.expires ?? null,
    };
  }
  return json;
}

function notEvaluatedToJson(record: NotEvaluatedRecord): Record<string, unknown> {
  const json: Record<string, unknown> = { ruleId: record.ruleId, reason: record.reason };
  if (record.resource) {
    json['resource'] = { kind: record.resource.kind, id: record.resource.id, name: record.resource.name };
  }
  return json;
}

/**
 * Crash stacks are left out on purpose: they hold absolute paths of the machine that ran the audit, which would
 * make reports differ between machines. The CLI prints them with --verbose.
 */
export function jsonReporter(result: AuditResult, options: ReporterOptions): string {
  const { summary } = result;
  const envelope = {
    version: JSON_REPORT_VERSION,
    tool: { name: TOOL_NAME, version: options.toolVersion },
    complete: result.complete,
    findings: sortFindings(result.findings).map(findingToJson),
    notEvaluated: sortNotEvaluated(result.notEvaluated).map(notEvaluatedToJson),
    crashes: sortCrashes(result.crashes).map((crash) => ({ ruleId: crash.ruleId, message: crash.message })),
    gaps: sortGaps(result.gaps).map((gap) => ({ source: gap.source, what: gap.what, reason: gap.reason })),
    expiredSuppressions: sortSuppressions(result.expiredSuppressions).map((s) => ({
      rule: s.rule,
      resource: s.resource,
      justification: s.justification,
      expires: s.expires ?? null,
    })),
    summary: {
      error: summary.error,
      warning: summary.warning,
      note: summary.note,
      suppressed: summary.suppressed,
      notEvaluated: summary.notEvaluated,
      crashed: summary.crashed,
      gaps: summary.gaps,
    },
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
