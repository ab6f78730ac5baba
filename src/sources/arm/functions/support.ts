/**
 * What the ARM function families share: the two kinds of function (lazy: sees its argument expressions; eager: sees
 * their values), rendering values as text, and deep equality.
 */
import type { ExprNode } from '../parse';
import {
  type ArmValue,
  describeType,
  type Env,
  firstUnknown,
  isArmObject,
  PartialString,
  Unknown,
} from '../values';

export type Lazy = (args: readonly ExprNode[], env: Env) => ArmValue;
export type Eager = (values: ArmValue[], env: Env) => ArmValue;

export function fail(message: string): Unknown {
  return new Unknown(message);
}

/** Text of a value as `concat`/`format`/`string` render it (.NET renders booleans as True/False). */
export function toText(value: ArmValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return '';
  if (Array.isArray(value) || isArmObject(value)) {
    return firstUnknown(value) ? undefined : JSON.stringify(value);
  }
  return undefined;
}

/** Joins known text and unknown pieces: a string when everything is known, else a `PartialString`. */
export function joinPieces(pieces: readonly ArmValue[]): ArmValue {
  const parts: (string | Unknown)[] = [];
  const push = (part: string | Unknown) => {
    const last = parts[parts.length - 1];
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else if (part !== '') parts.push(part);
  };
  for (const piece of pieces) {
    if (piece instanceof PartialString) piece.parts.forEach(push);
    else if (piece instanceof Unknown) push(piece);
    else {
      const text = toText(piece);
      push(text ?? new Unknown(`cannot render a ${describeType(piece)} as text`));
    }
  }
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return new PartialString(parts);
}

function canonicalJson(value: ArmValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isArmObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function deepEqual(a: ArmValue, b: ArmValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
