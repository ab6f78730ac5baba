/** Test helpers for the policy parser: a comparable shape of a tree, an `xml` serializer, invariants. */
import { INTERNAL_ERROR, parsePolicy, type PolicyTextFormat } from '../../src/policy/parser';
import type { ParsedPolicy, PolicyElement, PolicyNode } from '../../src/policy/types';
import { xmlEscape } from '../../rules/support/policy-edits';

export type Shape =
  | { element: string; attributes: [string, string][]; children: Shape[] }
  | { text: string; expression: boolean }
  | { cdata: string }
  | { comment: string };

/** The tree without offsets, for comparing two parses. */
export function shape(node: PolicyNode): Shape {
  switch (node.type) {
    case 'element':
      return {
        element: node.name,
        attributes: node.attributes.map((a) => [a.name, a.value]),
        children: node.children.map(shape),
      };
    case 'text':
      return { text: node.value, expression: node.expression };
    case 'cdata':
      return { cdata: node.value };
    case 'comment':
      return { comment: node.value };
  }
}

/** The escaping the policy fixes use (rules/support/policy-edits.ts), under the name these tests know. */
export const escapeXml = xmlEscape;

/** Serializes a tree as an `xml`-format policy: every value and text entity-encoded, expressions included. */
export function toXml(node: PolicyNode): string {
  switch (node.type) {
    case 'element': {
      const attributes = node.attributes.map((a) => ` ${a.name}="${escapeXml(a.value)}"`).join('');
      if (node.children.length === 0) return `<${node.name}${attributes} />`;
      return `<${node.name}${attributes}>${node.children.map(toXml).join('')}</${node.name}>`;
    }
    case 'text':
      return escapeXml(node.value);
    case 'cdata':
      return `<![CDATA[${node.value}]]>`;
    case 'comment':
      return `<!--${node.value}-->`;
  }
}

/**
 * Checks what every parse result promises, whatever the input: exactly one of root/error, offsets inside the
 * text, children inside their parents. Returns the problems (empty when all hold).
 */
export function invariantProblems(text: string, result: ParsedPolicy): string[] {
  const problems: string[] = [];
  const inText = (offset: number) => Number.isInteger(offset) && offset >= 0 && offset <= text.length;
  if ((result.root === undefined) === (result.error === undefined))
    problems.push('exactly one of root and error');
  if (result.error && !inText(result.error.offset)) problems.push(`error offset ${result.error.offset}`);
  if (result.error && result.error.message.trim() === '') problems.push('empty error message');
  if (result.error?.message.startsWith(INTERNAL_ERROR)) problems.push(result.error.message);
  for (const w of result.warnings)
    if (!inText(w.offset)) problems.push(`warning offset ${w.offset}: ${w.message}`);
  if (result.root) checkElement(result.root, inText, problems);
  return problems;
}

function checkElement(root: PolicyElement, inText: (o: number) => boolean, problems: string[]): void {
  const pending: PolicyElement[] = [root];
  for (let element = pending.pop(); element; element = pending.pop()) {
    if (!inText(element.offset) || !inText(element.end) || element.offset >= element.end) {
      problems.push(`<${element.name}> spans ${element.offset}..${element.end}`);
    }
    for (const a of element.attributes) {
      if (a.offset <= element.offset || a.valueOffset < a.offset || a.valueOffset > element.end) {
        problems.push(`attribute ${a.name} of <${element.name}> at ${a.offset}/${a.valueOffset}`);
      }
    }
    for (const child of element.children) {
      const end = child.type === 'element' ? child.end : child.offset;
      if (child.offset < element.offset || end > element.end) {
        problems.push(
          `${child.type} at ${child.offset} outside <${element.name}> ${element.offset}..${element.end}`,
        );
      }
      if (child.type === 'element') pending.push(child);
    }
  }
}

/**
 * How many times longer `large` takes than `small`, made robust to a busy machine and to the garbage
 * collector: `small` is run 10 times per sample (so both samples last about as long), the two are sampled
 * alternately (a load spike hits both), the fastest sample of each is compared, and a ratio at or over `bound`
 * is measured again, up to three times, before it is returned. A real quadratic regression exceeds the bound
 * on every attempt.
 */
export function timeRatio(small: () => void, large: () => void, bound: number): number {
  const smallTen = () => {
    for (let i = 0; i < 10; i++) small();
  };
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= bound; attempt++) {
    smallTen();
    large();
    let s = Infinity;
    let l = Infinity;
    for (let i = 0; i < 5; i++) {
      s = Math.min(s, elapsed(smallTen) / 10);
      l = Math.min(l, elapsed(large));
    }
    best = Math.min(best, l / Math.max(s, 0.001));
  }
  return best;
}

function elapsed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A policy text to parse in a test: a name for messages, the text, and its format (undefined = detect). */
export interface Sample {
  name: string;
  text: string;
  format: PolicyTextFormat | undefined;
}

/** Parses a sample that must read without an error or a warning, with every parser invariant holding. */
export function parsedOk(sample: Sample): PolicyElement {
  const result = parsePolicy(sample.text, sample.format);
  expect({ name: sample.name, error: result.error, warnings: result.warnings }).toEqual({
    name: sample.name,
    error: undefined,
    warnings: [],
  });
  expect(invariantProblems(sample.text, result)).toEqual([]);
  return result.root as PolicyElement;
}
