/**
 * The JSON reporter: a stable, versioned envelope for machines. Keys are written in a fixed order and every list
 * in the engine's order, so two runs over the same configuration produce byte-identical reports.
 */
import type { AuditResult, Finding, FindingFix, FixEdit, NotEvaluatedRecord } from '../src/engine/types';
import { TOOL_NAME, baselineToJson, configurationToJson, jsonText, jsonTextChunks } from './common';
import type { ReporterOptions } from './types';

/**
 * Bumped only when a consumer of the JSON report would break (a key removed, renamed or retyped); a key added is
 * not a break (a finding's `detail` and `fix`, and `baseline` with each finding's `baselineState`, were added within
 * version 2).
 * 2: a not-evaluated record lists its entities (`kind`, `resources`) instead of one `resource`.
 */
export const JSON_REPORT_VERSION = 2;

function findingToJson(finding: Finding): Record<string, unknown> {
  const { resource, location, logicalLocation } = finding;
  const json: Record<string, unknown> = {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    detail: finding.detail ?? null,
    fix: finding.fix ? fixToJson(finding.fix) : null,
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
  if (finding.baseline !== undefined) json['baselineState'] = finding.baseline;
  return json;
}

/**
 * `command` is null unless the finding is on live data; `edit` is null when the tool cannot make the change (live
 * data, a value it cannot know). An edit's keys are written per kind in a fixed order.
 */
function fixToJson(fix: FindingFix): Record<string, unknown> {
  return { text: fix.text, command: fix.command ?? null, edit: fix.edit ? editToJson(fix.edit) : null };
}

function editToJson(edit: FixEdit): Record<string, unknown> {
  switch (edit.kind) {
    case 'json':
      return {
        kind: edit.kind,
        file: edit.file,
        path: [...edit.path],
        ...(edit.remove ? { remove: true } : { value: edit.value ?? null }),
      };
    case 'jsonString':
      return {
        kind: edit.kind,
        file: edit.file,
        path: [...edit.path],
        start: edit.start,
        end: edit.end,
        text: edit.text,
      };
    case 'text':
      return {
        kind: edit.kind,
        file: edit.file,
        start: edit.start,
        end: edit.end,
        text: edit.text,
        literalOnly: edit.literalOnly === true,
      };
  }
}

/** `kind` is null and `resources` empty for a record about the rule as a whole. */
function notEvaluatedToJson(record: NotEvaluatedRecord): Record<string, unknown> {
  return {
    ruleId: record.ruleId,
    reason: record.reason,
    kind: record.kind ?? null,
    resources: record.resources.map((r) => ({ kind: r.kind, id: r.id, name: r.name })),
  };
}

/**
 * Crash stacks are left out on purpose: they hold absolute paths of the machine that ran the audit, which would
 * make reports differ between machines. The CLI prints them with --verbose.
 */
export function jsonReporter(result: AuditResult, options: ReporterOptions): string {
  return jsonText(jsonReport(result, options));
}

/** The JSON report in pieces that join to `jsonReporter`'s text (for a file: never one string in memory). */
export function jsonReportPieces(result: AuditResult, options: ReporterOptions): Iterable<string> {
  return jsonTextChunks(jsonReport(result, options));
}

function jsonReport(result: AuditResult, options: ReporterOptions): Record<string, unknown> {
  const { summary } = result;
  const envelope = {
    version: JSON_REPORT_VERSION,
    tool: { name: TOOL_NAME, version: options.toolVersion },
    complete: result.complete,
    ...(result.configuration ? { configuration: configurationToJson(result.configuration) } : {}),
    ...(result.baseline ? { baseline: baselineToJson(result.baseline) } : {}),
    findings: result.findings.map(findingToJson),
    notEvaluated: result.notEvaluated.map(notEvaluatedToJson),
    crashes: result.crashes.map((crash) => ({ ruleId: crash.ruleId, message: crash.message })),
    gaps: result.gaps.map((gap) => ({ source: gap.source, what: gap.what, reason: gap.reason })),
    expiredSuppressions: result.expiredSuppressions.map((s) => ({
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
      rulesNotEvaluated: {
        notRun: [...summary.rulesNotEvaluated.notRun],
        partly: [...summary.rulesNotEvaluated.partly],
      },
      securityRulesNotEvaluated: [...summary.rulesNotEvaluated.security],
      crashed: summary.crashed,
      gaps: summary.gaps,
    },
  };
  return envelope;
}
