/**
 * The README's "Debug a 401" shows what `token` really prints, and `explain` points at it for exactly the gateway
 * errors `token` diagnoses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RUNTIME_ERRORS, entryName, lookupError } from '../../src/explain';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';

/** The errors src/token/checks/ reports, by the code it names them with. */
const DIAGNOSED = [
  'TokenNotPresent',
  'IDX10223',
  'IDX10214',
  'IDX10205',
  'TokenClaimNotFound',
  'TokenClaimValueNotAllowed',
  'IDX10511',
];

describe('Debug a 401', () => {
  it('the README shows the output token really prints, and the exit code it documents', async () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const block = /## Debug a 401[\s\S]*?```text\n\$ npx apim-oauth-audit (token [^\n]+)\n([\s\S]*?)```/.exec(
      readme,
    );
    expect(block).not.toBeNull();
    const run = await cli((block?.[1] ?? '').split(' '));
    expect(run.stdout).toBe(block?.[2]);
    expect(run.code).toBe(1);
  });

  it('explain points at it for the errors token diagnoses, and only those', async () => {
    const flagged = RUNTIME_ERRORS.filter((e) => e.token === true)
      .map(entryName)
      .sort();
    const diagnosed = DIAGNOSED.map((code) => {
      const found = lookupError(code);
      return found.kind === 'found' ? entryName(found.entry) : code;
    });
    expect(flagged).toEqual([...new Set(diagnosed)].sort());
    const folder = path.join(REPO_ROOT, 'src/token/checks');
    const checks = readdirSync(folder)
      .map((f) => readFileSync(path.join(folder, f), 'utf8'))
      .join('\n');
    for (const code of DIAGNOSED) expect(checks).toContain(code);
    const explained = await cli(['explain', 'IDX10205']);
    expect(explained.stdout).toMatch(/Debug a token that gets it\n {2}apim-oauth-audit token --source/);
    expect(explained.stdout).toContain('README.md#debug-a-401');
    const other = await cli(['explain', 'AADSTS50011']);
    expect(other.stdout).not.toContain('Debug a token');
  });
});
