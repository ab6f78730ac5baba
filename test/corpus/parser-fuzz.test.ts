/**
 * The parser's main property over third-party policies: random edits of every corpus policy end as a document or
 * a located error, never a throw. FUZZ_RUNS / FUZZ_SEED as in test/policy/parser.fuzz.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stripBom } from '../../src/json/positions';
import { parsePolicy, type PolicyTextFormat } from '../../src/policy/parser';
import { invariantProblems } from '../policy/helpers';
import { mutate, mutation } from '../policy/mutations';
import { CORPUS } from './corpus';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 0) || 2000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20251125);
const FORMATS: (PolicyTextFormat | undefined)[] = [undefined, 'rawxml', 'xml'];
const POLICIES = path.join(CORPUS, 'policies');
const corpus = readdirSync(POLICIES)
  .filter((f) => f.endsWith('.xml'))
  .sort()
  .map((f) => stripBom(readFileSync(path.join(POLICIES, f), 'utf8')));

describe('policy parser on mutated corpus policies', () => {
  it('never throws: always a document or a located error', () => {
    expect(corpus.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.nat(corpus.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...FORMATS),
        (index, mutations, format) => {
          const text = mutations.reduce(mutate, corpus[index] ?? '');
          expect(invariantProblems(text, parsePolicy(text, format))).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
