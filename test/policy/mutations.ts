/**
 * Random edits of a policy text for property tests (fast-check): inserts of markup-heavy snippets, deletes,
 * duplicates, swaps, truncation. Shared by the parser fuzz test (our fixtures) and the corpus suite.
 */
import fc from 'fast-check';

export const MARKUP_CHARS = [...'<>/"\'&@(){}[]!-?;=\n\t $%#:\\*abx1'];
export const markupString = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...MARKUP_CHARS), maxLength });
const SNIPPETS = [
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '@(',
  '@{',
  '${',
  '$"',
  '@"',
  '&quot;',
  '&amp;',
  '&#',
  '</',
  '/>',
  '<!DOCTYPE',
  '<?',
];

export type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete' | 'duplicate'; at: number; length: number }
  | { kind: 'swap'; at: number; other: number; length: number }
  | { kind: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true });
export const mutation: fc.Arbitrary<Mutation> = fc
  .oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      at: position,
      text: fc.oneof(markupString(6), fc.constantFrom(...SNIPPETS)),
    }),
    fc.record({
      kind: fc.constantFrom('delete' as const, 'duplicate' as const),
      at: position,
      length: fc.nat(60),
    }),
    fc.record({ kind: fc.constant('swap' as const), at: position, other: position, length: fc.nat(30) }),
    fc.record({ kind: fc.constant('truncate' as const), at: position }),
  )
  .map((m) => m as Mutation);

export function mutate(text: string, m: Mutation): string {
  const at = Math.floor(m.at * text.length);
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'duplicate':
      return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    case 'swap': {
      const [a, b] = [at, Math.floor(m.other * text.length)].sort((x, y) => x - y) as [number, number];
      const length = Math.min(m.length, b - a);
      return (
        text.slice(0, a) +
        text.slice(b, b + length) +
        text.slice(a + length, b) +
        text.slice(a, a + length) +
        text.slice(b + length)
      );
    }
    case 'truncate':
      return text.slice(0, at);
  }
}
