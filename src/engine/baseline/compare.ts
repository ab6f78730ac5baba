/**
 * An audit result compared with a baseline: each finding marked `new` or `unchanged` by fingerprint, the entries no
 * finding matches listed as absent (fixed), and the entries still found that are older than the age limit counted.
 * Whether a marked finding fails the gate is decided once, in `failsAt` (src/audit.ts).
 */
import type { AuditResult, BaselineComparison, BaselineEntry, BaselineSource } from '../types';
import { compareEntries, daysSince } from './document';

/** A baseline as a run uses it: the entries read, where they came from, and the age limit. */
export interface AppliedBaseline {
  source: Omit<BaselineSource, 'entries'>;
  entries: readonly BaselineEntry[];
  /** Entries still found that were recorded more than this many days ago are reported as stale. */
  maxAgeDays: number;
}

export function compareWithBaseline(result: AuditResult, baseline: AppliedBaseline, now: Date): AuditResult {
  const recorded = new Map(baseline.entries.map((entry) => [entry.fingerprint, entry]));
  const findings = result.findings.map((finding) => ({
    ...finding,
    baseline: recorded.has(finding.fingerprint) ? ('unchanged' as const) : ('new' as const),
  }));
  const found = new Set(findings.map((f) => f.fingerprint));
  const active = findings.filter((f) => !f.suppressed);
  const kept = baseline.entries.filter((entry) => found.has(entry.fingerprint));
  const evaluated = evaluatedRules(result);
  const missing = baseline.entries.filter((entry) => !found.has(entry.fingerprint));
  const comparison: BaselineComparison = {
    ...baseline.source,
    entries: baseline.entries.length,
    new: active.filter((f) => f.baseline === 'new').length,
    unchanged: active.filter((f) => f.baseline === 'unchanged').length,
    absent: missing.filter((entry) => evaluated.has(entry.ruleId)).sort(compareEntries),
    notChecked: missing.filter((entry) => !evaluated.has(entry.ruleId)).length,
    stale: staleEntries(kept, baseline.maxAgeDays, now),
  };
  return { ...result, findings, baseline: comparison };
}

/**
 * The rules whose findings this run would have reported: on, run, not crashed. An entry of another rule that no
 * finding matches was not checked, not fixed (`--tag`, `--rule <id>=off`, a source missing for the rule's side).
 */
function evaluatedRules(result: AuditResult): Set<string> {
  const notRun = new Set(result.summary.rulesNotEvaluated.notRun);
  const crashed = new Set(result.crashes.map((c) => c.ruleId));
  return new Set(
    result.rules.filter((r) => r.level !== 'off' && !notRun.has(r.id) && !crashed.has(r.id)).map((r) => r.id),
  );
}

function staleEntries(
  entries: readonly BaselineEntry[],
  maxAgeDays: number,
  now: Date,
): BaselineComparison['stale'] {
  const stale = entries.filter((entry) => daysSince(entry.firstRecorded, now) > maxAgeDays);
  const oldest = stale.map((entry) => entry.firstRecorded).sort()[0];
  return {
    maxAgeDays,
    count: stale.length,
    ...(oldest !== undefined ? { oldest: { firstRecorded: oldest, days: daysSince(oldest, now) } } : {}),
  };
}
