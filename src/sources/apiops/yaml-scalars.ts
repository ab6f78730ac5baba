/**
 * Scalars of the YAML subset reader (yaml-subset.ts): plain scalars and keys resolved by the core schema, and the
 * value of literal and folded block scalars, each exactly as the `yaml` package gives them, or a bail-out.
 */

/** Thrown (one instance, no stack) when the text leaves the subset; caught in parseYamlSubset. */
export class Bail {}
export const BAIL = new Bail();

// Core schema tests, as in node_modules/yaml/dist/schema/core (tried in the package's order).
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** A plain key as the object key `toJS` gives it: a string, or a canonical decimal integer's digits. */
export function plainKey(source: string): string {
  const value = resolvePlain(source);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && INT.test(source) && String(value) === source) return source;
  throw BAIL;
}

/** A one-line plain scalar by the core schema (as the `yaml` package resolves it; hex, octal, .inf, .nan bail). */
export function resolvePlain(source: string): unknown {
  const c = source[0] ?? '';
  // Only these can start a null, bool, int or float.
  if (!'0123456789-+.~nNtTfF'.includes(c)) return source;
  if (NULL.test(source)) return null;
  if (BOOL.test(source)) return c === 't' || c === 'T';
  if (INT_OCT.test(source) || INT_HEX.test(source) || FLOAT_NAN.test(source)) throw BAIL;
  if (INT.test(source)) return parseInt(source, 10);
  if (FLOAT_EXP.test(source) || FLOAT.test(source)) return parseFloat(source);
  return source;
}

/**
 * The value of a block scalar from its lines ([indentation, text]; blank lines no wider than `trim`), following
 * resolveBlockScalar of the `yaml` package (node_modules/yaml/dist/compose/resolve-block-scalar.js).
 */
export function blockValue(lines: [number, string][], trim: number, folded: boolean, chomp: string): string {
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0 && lines[i]?.[1] === ''; i--) chompStart = i;
  let contentStart = 0;
  while (contentStart < chompStart && lines[contentStart]?.[1] === '') contentStart++;
  let value = '\n'.repeat(contentStart);
  let sep = '';
  let prevMoreIndented = false;
  for (let i = contentStart; i < chompStart; i++) {
    const [width, content] = lines[i] ?? [0, ''];
    const extra = content === '' ? '' : ' '.repeat(width - trim);
    if (!folded) {
      value += sep + extra + content;
      sep = '\n';
    } else if (width > trim && content !== '') {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + extra + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  if (chomp === '+') {
    value += '\n'.repeat(lines.length - chompStart);
    if (!value.endsWith('\n')) value += '\n';
  } else if (chomp === '') value += '\n';
  return value;
}
