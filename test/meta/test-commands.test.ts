/**
 * `npm test` is self-contained and `npm run test:corpus` is the only reader of the third-party corpus. (That the
 * corpus run fails without the corpus is tested in test/corpus/setup.test.ts: no file of `npm test` loads a
 * module that names the corpus folder beside the repository.) The folder's name is put together below, so that
 * this file does not name it either: a search for it lists the corpus suite alone.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
/** What a test that reads the corpus names: the corpus folder next to the repository, or its variable. */
const CORPUS_REFERENCE = new RegExp(`${['shared', 'corpus'].join('\\/')}|APIM_AUDIT_CORPUS`);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('test commands', () => {
  it('npm test excludes the corpus suite and no other test reads outside the repository', async () => {
    const config = (await import(path.join(REPO, 'jest.config.js'))) as { testPathIgnorePatterns: string[] };
    expect(config.testPathIgnorePatterns).toContain('<rootDir>/test/corpus/');
    const outside = filesUnder(path.join(REPO, 'test'))
      .filter((f) => f.endsWith('.ts') && !f.startsWith(path.join(REPO, 'test', 'corpus') + path.sep))
      .filter((f) => !f.endsWith('test-commands.test.ts'))
      .filter((f) => CORPUS_REFERENCE.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => path.relative(REPO, f))).toEqual([]);
  });

  it('the corpus command is wired in package.json and run by CI', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['test:corpus']).toBe('jest --config jest.corpus.config.js');
    expect(readFileSync(path.join(REPO, '.ci/run'), 'utf8')).toMatch(/^npm run test:corpus$/m);
  });
});
