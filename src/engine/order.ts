/**
 * The order of everything an audit result lists, decided here and nowhere else: reporters show the lists in the
 * order the engine gives them and never re-sort or re-dedupe, so every format agrees on what comes first.
 * Code-point comparison throughout: the same on every machine and in every locale.
 */
import type { Suppression } from '../config/types';
import type {
  AuditResult,
  Finding,
  NotEvaluatedRecord,
  ResourceRef,
  RuleCrash,
  RuleDescriptor,
} from './types';

type Gap = AuditResult['gaps'][number];

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

/** By rule, whole-rule records (no `kind`) first, then by entity kind and reason. */
export function compareNotEvaluated(a: NotEvaluatedRecord, b: NotEvaluatedRecord): number {
  return (
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.kind ?? '', b.kind ?? '') ||
    compareStrings(a.reason, b.reason)
  );
}

/** The entities a not-evaluated record lists: by name, then id. */
export function compareResources(a: ResourceRef, b: ResourceRef): number {
  return compareStrings(a.name, b.name) || compareStrings(a.id, b.id);
}

function compareCrashes(a: RuleCrash, b: RuleCrash): number {
  return compareStrings(a.ruleId, b.ruleId) || compareStrings(a.message, b.message);
}

function compareGaps(a: Gap, b: Gap): number {
  return (
    compareStrings(a.source, b.source) || compareStrings(a.what, b.what) || compareStrings(a.reason, b.reason)
  );
}

export function compareSuppressions(a: Suppression, b: Suppression): number {
  return (
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.resource, b.resource) ||
    compareStrings(a.expires ?? '', b.expires ?? '')
  );
}

/** Rule descriptors by id, each id once (the first wins). */
function orderRules(rules: readonly RuleDescriptor[]): RuleDescriptor[] {
  const seen = new Set<string>();
  return [...rules]
    .sort((a, b) => compareStrings(a.id, b.id))
    .filter((rule) => (seen.has(rule.id) ? false : (seen.add(rule.id), true)));
}

/** The sources each once, sorted. */
function orderSources(sources: readonly string[]): string[] {
  return [...new Set(sources)].sort(compareStrings);
}

/**
 * The result with every list in report order: findings, not-evaluated records, crashes, gaps, expired
 * suppressions, rules and sources. Applied last, to the texts as reported (after redaction).
 */
export function inReportOrder(result: AuditResult): AuditResult {
  return {
    ...result,
    findings: [...result.findings].sort(compareFindings),
    notEvaluated: [...result.notEvaluated].sort(compareNotEvaluated),
    crashes: [...result.crashes].sort(compareCrashes),
    gaps: [...result.gaps].sort(compareGaps),
    expiredSuppressions: [...result.expiredSuppressions].sort(compareSuppressions),
    rules: orderRules(result.rules),
    sources: orderSources(result.sources),
  };
}
