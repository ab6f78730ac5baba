/** `policy-parse-error` stays silent on every complete third-party policy of the corpus. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import rule from '../../rules/policy-parse-error';
import { violations } from '../helpers/sample';
import { loadedRunnerFor, rawxml } from '../helpers/policies';
import { CORPUS } from './corpus';

const POLICIES = path.join(CORPUS, 'policies');
const run = loadedRunnerFor(rule);
const read = (file: string) => readFileSync(path.join(POLICIES, file), 'utf8').replace(/^\ufeff/, '');

describe('policy-parse-error on the corpus', () => {
  it('reads every complete real-world policy without an error', () => {
    const documents = readdirSync(POLICIES)
      .filter((f) => f.endsWith('.xml'))
      .filter((f) => /<policies[\s>]/.test(read(f)) && !/\$\{/.test(read(f)));
    expect(documents.length).toBeGreaterThan(20);
    for (const file of documents) {
      // Includes of fragments that are not in the sample are reported too; here only reading matters.
      const errors = violations(run({ api: { policy: rawxml(read(file)) } }).outputs).filter(
        (v) => v.key === 'parse',
      );
      expect({ file, errors: errors.map((e) => e.message) }).toEqual({ file, errors: [] });
    }
  });
});
