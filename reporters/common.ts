/**
 * What every report format shares: the tool's identity, the ordering of findings and records, and the wording of
 * gaps, crashes and expired suppressions. The text, JSON and SARIF reporters all import it, so the three reports
 * agree on what comes first and on how each limitation reads.
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

export const TOOL_NAME = 'apim-oauth-audit';
export const INFORMATION_URI = 'https://github.com/apim-oauth-audit/apim-oauth-audit';

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
