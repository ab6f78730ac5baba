/**
 * Applies a finding's fix edit to a RuleTester case's input, in memory, so that the tester can check that the fix
 * resolves the finding. Only the edits a snapshot input can receive: `json` (a property) and `jsonString` (a
 * policy inside a JSON string); a `text` edit is for files the tester never writes.
 */
import type { FixEdit } from '../engine/types';

/** A snapshot document (the RuleTester's `SnapshotInput`). */
type SnapshotInput = Record<string, unknown>;

/**
 * A snapshot input with a `json` or `jsonString` edit applied (paths are into the document the tester writes,
 * whose `kind` and `version` the input may leave out).
 */
export function applyEdit(input: SnapshotInput, edit: FixEdit, fail: (why: string) => never): SnapshotInput {
  if (edit.kind === 'text') return fail('a text edit does not apply to a snapshot input');
  const doc = structuredClone(input) as Record<string, unknown>;
  const keys = edit.path.slice(0, -1);
  const last = edit.path[edit.path.length - 1];
  let parent: unknown = doc;
  for (const key of keys) {
    if (parent === null || typeof parent !== 'object') break;
    const holder = parent as Record<string | number, unknown>;
    // A missing object on the way is created, as jsonc-parser's `modify` does when the fix is applied to a file.
    if (holder[key] === undefined && typeof key === 'string' && edit.kind === 'json') holder[key] = {};
    parent = holder[key];
  }
  if (parent === null || typeof parent !== 'object' || last === undefined) {
    return fail(`no object at ${JSON.stringify(edit.path)}`);
  }
  const holder = parent as Record<string | number, unknown>;
  if (edit.kind === 'jsonString') {
    const text = holder[last];
    if (typeof text !== 'string') return fail(`no string at ${JSON.stringify(edit.path)}`);
    holder[last] = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  } else if (edit.remove) {
    if (Array.isArray(holder) && typeof last === 'number') holder.splice(last, 1);
    else delete holder[last];
  } else {
    holder[last] = structuredClone(edit.value);
  }
  return doc;
}
