/**
 * Test helper for rules' policy edits (`FixHint.policy`): the policy text an edit's origin points at in a loaded
 * snapshot, and that text with the edit applied, so that a test asserts the XML a user gets from `scan --fix`.
 */
import type { PolicyTextFix, Violation } from '../../rules/support/contract';

/** The string at JSON pointer `pointer` of `doc`. */
export function textAt(doc: unknown, pointer: string): string {
  const value = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown>)[token], doc);
  if (typeof value !== 'string') throw new Error(`no string at ${pointer}`);
  return value;
}

/** `text` with characters [start, end) replaced by the edit's text. */
export function applyEdit(text: string, fix: Pick<PolicyTextFix, 'start' | 'end' | 'text'>): string {
  return text.slice(0, fix.start) + fix.text + text.slice(fix.end);
}

/** The policy text a violation's policy edit applies to (in `doc`), before and after the edit. */
export function policyEdit(doc: unknown, v: Violation | undefined): { before: string; after: string } {
  const fix = v?.fix?.policy;
  if (!fix) throw new Error(`no policy edit on ${v?.message ?? 'undefined'}`);
  const before = textAt(doc, fix.origin.pointer ?? '');
  return { before, after: applyEdit(before, fix) };
}
