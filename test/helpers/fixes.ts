/**
 * Expected fixes for RuleTester cases on snapshot inputs: a property fix becomes a `json` edit of `snapshot.json`
 * at the property's JSON pointer, and the fix text is the rule's step followed by where to make it.
 */
import type { ExpectedFix } from '../../src';
import type { FixValue } from '../../rules/support/contract';
import { escaped } from './sample';

/** A JSON pointer's tokens as jsonc-parser path segments (array indexes as numbers). */
export function pointerPath(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => (/^\d+$/.test(t) ? Number(t) : t.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/**
 * A fix that sets the property at `pointer` to `value`, whose text starts with `step`, and that resolves the finding
 * (unless `resolves` is false: an edit that is one of several passes).
 */
export function setFix(step: string, pointer: string, value: FixValue, resolves = true): ExpectedFix {
  return {
    text: new RegExp(`^${escaped(step)} In snapshot\\.json, set "`),
    edit: { kind: 'json', file: 'snapshot.json', path: pointerPath(pointer), value },
    ...(resolves ? { resolves: true as const } : {}),
  };
}

/** A fix described in words only (`step` exactly): the tool cannot know the value. */
export function textFix(step: string | RegExp): ExpectedFix {
  return { text: step, edit: null };
}
