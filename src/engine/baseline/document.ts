/**
 * The baseline file (schemas/baseline.schema.json): the findings accepted when the gate was adopted, by fingerprint,
 * each with its rule, resource and message for humans and the day it was first recorded. Read as the untrusted file
 * it is (a pull request may have written it): every problem is reported at once, located, before any source is read.
 * Pure: the CLI reads and writes the file (src/cli/baseline.ts).
 */
import { keyProblems } from '../../config/trust';
import { AuditError } from '../../errors';
import { parseJsonWithPositions } from '../../json/positions';
import { describeSchemaErrors, locateNearest, validatorFor } from '../../json/schema';
import type { PositionIndex } from '../../json/types';
import { compareStrings } from '../order';
import type { BaselineEntry, Finding } from '../types';

export const BASELINE_KIND = 'apim-oauth-audit/baseline';
/** Bumped only when a reader of version 1 would misread a file (a key removed, renamed or retyped). */
export const BASELINE_VERSION = 1;

/** `2026-12-03`: the UTC day of an instant. */
export function dayOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Whole days from the start of `day` (UTC) to `now`. */
export function daysSince(day: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${day}T00:00:00Z`)) / 86_400_000);
}

function invalid(shown: string, problems: readonly string[]): AuditError {
  return new AuditError('baseline-invalid', `Baseline ${shown} is invalid:`, problems);
}

/**
 * The entries of a baseline file's text; throws AuditError (exit 2) listing every problem with `file:line:col`:
 * syntax, duplicate or forbidden keys, the schema, a fingerprint listed twice, a date after `now`.
 */
export function parseBaseline(text: string, shown: string, now: Date): BaselineEntry[] {
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    throw new AuditError(
      'baseline-invalid',
      `Baseline ${shown} is not valid JSON:`,
      parsed.problems.map((p) => `${shown}:${p.line}:${p.column}: ${p.message}`),
    );
  }
  const keys = keyProblems(text, shown, 'a baseline file');
  if (keys.length > 0) throw invalid(shown, keys);
  const validate = validatorFor('baseline');
  if (!validate(parsed.value)) {
    throw invalid(shown, describeSchemaErrors(validate.errors ?? [], { file: shown, index: parsed.index }));
  }
  const entries = (parsed.value as { findings: BaselineEntry[] }).findings;
  const problems = entryProblems(entries, shown, parsed.index, now);
  if (problems.length > 0) throw invalid(shown, problems);
  return entries.map(copyEntry);
}

/** What the schema cannot say: one entry per fingerprint, and no entry recorded after today. */
function entryProblems(
  entries: readonly BaselineEntry[],
  shown: string,
  index: PositionIndex,
  now: Date,
): string[] {
  const at = (pointer: string) => {
    const position = locateNearest(index, pointer);
    return position ? `${shown}:${position.line}:${position.column}: ` : `${shown}: `;
  };
  const problems: string[] = [];
  const first = new Map<string, number>();
  const today = dayOf(now);
  entries.forEach((entry, i) => {
    const seen = first.get(entry.fingerprint);
    if (seen !== undefined) {
      problems.push(
        `${at(`/findings/${i}/fingerprint`)}/findings/${i}/fingerprint: ${entry.fingerprint} is already listed at /findings/${seen}`,
      );
    } else {
      first.set(entry.fingerprint, i);
    }
    if (entry.firstRecorded > today) {
      problems.push(
        `${at(`/findings/${i}/firstRecorded`)}/findings/${i}/firstRecorded: ${entry.firstRecorded} is after today (${today}); a finding cannot have been recorded in the future`,
      );
    }
  });
  return problems;
}

/** A fresh entry with exactly the known keys (nothing else the parsed value may carry). */
function copyEntry(entry: BaselineEntry): BaselineEntry {
  const { kind, name, id } = entry.resource;
  return {
    fingerprint: entry.fingerprint,
    ruleId: entry.ruleId,
    resource: { kind, name, id },
    message: entry.message,
    firstRecorded: entry.firstRecorded,
  };
}

/** The order entries are written and listed in: by rule, resource, then fingerprint (stable across runs). */
export function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return (
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.resource.kind, b.resource.kind) ||
    compareStrings(a.resource.name, b.resource.name) ||
    compareStrings(a.resource.id, b.resource.id) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

/**
 * The entries of a new baseline: every finding that is not suppressed (a suppression already accepts the others, and
 * recording them would let the baseline outlive the suppression's expiry). An entry keeps its `firstRecorded` from
 * `previous` while its finding is still reported; a new one is recorded today.
 */
export function recordBaseline(
  findings: readonly Finding[],
  previous: readonly BaselineEntry[],
  now: Date,
): BaselineEntry[] {
  const before = new Map(previous.map((entry) => [entry.fingerprint, entry]));
  const today = dayOf(now);
  const seen = new Set<string>();
  const entries: BaselineEntry[] = [];
  for (const finding of findings) {
    if (finding.suppressed || seen.has(finding.fingerprint)) continue;
    seen.add(finding.fingerprint);
    const { kind, name, id } = finding.resource;
    entries.push({
      fingerprint: finding.fingerprint,
      ruleId: finding.ruleId,
      resource: { kind, name, id },
      message: finding.message,
      firstRecorded: before.get(finding.fingerprint)?.firstRecorded ?? today,
    });
  }
  return entries.sort(compareEntries);
}

/** The document written for `entries` (keys in a fixed order, so that a re-recorded baseline diffs cleanly). */
export function baselineDocument(entries: readonly BaselineEntry[]): Record<string, unknown> {
  return {
    kind: BASELINE_KIND,
    version: BASELINE_VERSION,
    findings: entries.map((e) => ({
      fingerprint: e.fingerprint,
      ruleId: e.ruleId,
      resource: { kind: e.resource.kind, name: e.resource.name, id: e.resource.id },
      message: e.message,
      firstRecorded: e.firstRecorded,
    })),
  };
}
