/**
 * Generators of well-formed C# policy expressions for property tests (fast-check): identifiers, operators,
 * generics, regular / verbatim / interpolated strings (with nested holes), char literals and comments, nested
 * brackets. Shared by the parser fuzz test (expressions inside generated documents) and the expression
 * reader's fuzz test.
 */
import fc from 'fast-check';

/** Characters inside C# literals and comments: anything but what ends them, and no `;` (no accidental `&amp;`). */
const LITERAL = [..."ab <>&()[]{}'@$=/.-é"];

const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/);
const operator = fc.constantFrom(
  '&&',
  '||',
  '<',
  '>',
  '<=',
  '==',
  '!',
  '?',
  ':',
  '.',
  ',',
  ';',
  '=>',
  '.As<JObject>()',
  '[0]',
  'new []',
);
const literalText = fc.string({ unit: fc.constantFrom(...LITERAL), maxLength: 12 });
const regularString = fc
  .array(fc.oneof(literalText, fc.constantFrom('\\"', '\\\\', '\\n', "'")), { maxLength: 4 })
  .map((p) => `"${p.join('')}"`);
const verbatimString = fc
  .array(fc.oneof(literalText, fc.constantFrom('""', '\\', '\n', "'")), { maxLength: 4 })
  .map((p) => `@"${p.join('')}"`);
const charLiteral = fc.constantFrom("'a'", "'\"'", "'\\''", "'\\\\'", "'}'", "')'", "'<'", "'{'");
const blockComment = literalText.map((t) => `/* ${t.replace(/\//g, '')} */`);
const lineComment = fc
  .string({ unit: fc.constantFrom(...LITERAL, '"', '*'), maxLength: 12 })
  .map((t) => `// ${t}\n`);
/** The text parts of an interpolated string; `\"` becomes `""` in a verbatim one (holes are left alone). */
const ESCAPED_QUOTE = /^\\"$/;
const interpolatedText = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."ab <>&()'=/."), maxLength: 8 }),
  fc.constantFrom('{{', '}}', '\\"'),
);

export const { code } = fc.letrec<{
  code: string;
  token: string;
  parens: string;
  braces: string;
  interpolated: string;
}>((tie) => ({
  code: fc.array(tie('token'), { maxLength: 5 }).map((parts) => parts.join(' ')),
  token: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident,
    operator,
    regularString,
    verbatimString,
    charLiteral,
    blockComment,
    lineComment,
    tie('parens'),
    tie('braces'),
    tie('interpolated'),
  ),
  parens: tie('code').map((c) => `(${c})`),
  braces: tie('code').map((c) => `{ ${c} }`),
  interpolated: fc
    .tuple(
      fc.constantFrom('$', '$@', '@$'),
      fc.array(
        fc.oneof(
          interpolatedText,
          tie('code').map((c) => `{ ${c} }`),
        ),
        { maxLength: 3 },
      ),
    )
    .map(
      ([prefix, parts]) =>
        `${prefix}"${parts.map((p) => (prefix === '$' ? p : p.replace(ESCAPED_QUOTE, '""'))).join('')}"`,
    ),
}));
/** A whole policy expression: `@(code)` or `@{ code }`. */
export const expression = fc.oneof(
  code.map((c) => `@(${c})`),
  code.map((c) => `@{ ${c} }`),
);
