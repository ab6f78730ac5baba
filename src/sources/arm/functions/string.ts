/**
 * String functions. `concat`, `format`, `toLower` and `toUpper` keep unknown pieces inside a `PartialString`.
 */
import { type ArmValue, firstUnknown, PartialString } from '../values';
import { checkSize } from '../limits';
import { fail, toText, joinPieces, deepEqual, type Eager } from './support';

function formatOf([template, ...args]: ArmValue[]): ArmValue {
  if (typeof template !== 'string') return fail('format() needs a format string');
  const pieces: ArmValue[] = [];
  const pattern = /\{\{|\}\}|\{(\d+)(?:,-?\d+)?(?::([^}]*))?\}/g;
  let last = 0;
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
    pieces.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === '{{' || match[0] === '}}') {
      pieces.push(match[0][0] ?? '');
      continue;
    }
    const value = args[Number(match[1])];
    if (value === undefined) return fail(`format() has no argument {${match[1] ?? ''}}`);
    if (match[2] && typeof value === 'number')
      return fail('numeric format specifiers are not evaluated offline');
    pieces.push(value);
  }
  pieces.push(template.slice(last));
  return joinPieces(pieces);
}

function mapCase(value: ArmValue, fn: (s: string) => string): ArmValue {
  if (typeof value === 'string') return fn(value);
  if (value instanceof PartialString) {
    return new PartialString(value.parts.map((p) => (typeof p === 'string' ? fn(p) : p)));
  }
  return fail('expected a string');
}

export const EAGER_STRING: Record<string, Eager> = {
  concat: (values) => {
    if (values.length > 0 && values.every((v) => Array.isArray(v) || v === null)) {
      return values.flatMap((v) => (Array.isArray(v) ? v : []));
    }
    if (values.some(Array.isArray)) return fail('concat() of arrays and strings');
    return joinPieces(values);
  },
  format: formatOf,
  tolower: ([v]) => mapCase(v ?? null, (s) => s.toLowerCase()),
  toupper: ([v]) => mapCase(v ?? null, (s) => s.toUpperCase()),
  trim: ([v]) => (typeof v === 'string' ? v.trim() : fail('trim() needs a string')),
  replace: ([s, a, b]) => {
    if (typeof s !== 'string' || typeof a !== 'string' || typeof b !== 'string') {
      return fail('replace() needs three strings');
    }
    const pieces = s.split(a);
    checkSize('replace', s.length + (pieces.length - 1) * (b.length - a.length));
    return pieces.join(b);
  },
  substring: ([s, start, length]) => {
    if (typeof s !== 'string' || typeof start !== 'number') return fail('substring() needs a string');
    const end = typeof length === 'number' ? start + length : s.length;
    return start < 0 || end > s.length ? fail('substring() outside the string') : s.slice(start, end);
  },
  startswith: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().startsWith(p.toLowerCase())
      : fail('startsWith() needs strings'),
  endswith: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().endsWith(p.toLowerCase())
      : fail('endsWith() needs strings'),
  indexof: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().indexOf(p.toLowerCase())
      : Array.isArray(s) && !firstUnknown(s)
        ? s.findIndex((item) => deepEqual(item, p ?? null))
        : fail('indexOf() needs strings or an array'),
  lastindexof: ([s, p]) =>
    typeof s === 'string' && typeof p === 'string'
      ? s.toLowerCase().lastIndexOf(p.toLowerCase())
      : fail('lastIndexOf() needs strings'),
  split: ([s, d]) => {
    if (typeof s !== 'string') return fail('split() needs a string');
    const delimiters = typeof d === 'string' ? [d] : Array.isArray(d) ? d : [];
    if (!delimiters.every((x): x is string => typeof x === 'string')) return fail('split() delimiters');
    return delimiters.reduce<string[]>((parts, x) => parts.flatMap((p) => p.split(x)), [s]);
  },
  join: ([a, d]) => {
    if (!Array.isArray(a) || typeof d !== 'string') return fail('join() needs an array and a string');
    const texts = a.map(toText);
    if (!texts.every((t): t is string => t !== undefined) || firstUnknown(a)) {
      return fail('join() over unknown values');
    }
    checkSize(
      'join',
      texts.reduce((n, t) => n + t.length + d.length, 0),
    );
    return texts.join(d);
  },
  string: ([v]) => (typeof v === 'string' ? v : (toText(v ?? null) ?? fail('string() of an unknown value'))),
  uri: ([base, relative]) => {
    if (typeof base !== 'string' || typeof relative !== 'string') return fail('uri() needs strings');
    try {
      return new URL(relative, base).toString();
    } catch {
      return fail('uri() of an invalid URI');
    }
  },
  uricomponent: ([v]) =>
    typeof v === 'string' ? encodeURIComponent(v) : fail('uriComponent() needs a string'),
  uricomponenttostring: ([v]) =>
    typeof v === 'string' ? decodeURIComponent(v) : fail('uriComponentToString() needs a string'),
  base64: ([v]) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : fail('base64()')),
  base64tostring: ([v]) =>
    typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : fail('base64ToString()'),
  padleft: ([v, width, pad]) => {
    const text = toText(v ?? null);
    if (text === undefined || typeof width !== 'number') return fail('padLeft() needs a value and a width');
    checkSize('padLeft', width);
    return text.padStart(width, typeof pad === 'string' && pad ? pad : ' ');
  },
};
