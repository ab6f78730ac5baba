/**
 * The `scan` output on every bundled example, in every format, byte for byte. A restructuring must leave these
 * unchanged; a deliberate change of output updates them with `UPDATE_GOLDEN=1 npx jest test/examples/scan-golden`
 * and shows up in review as a diff of the files under `golden/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';

const NOW = '2026-06-01T00:00:00Z';
const GOLDEN = path.join(__dirname, 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const INPUTS: Record<string, string[]> = {
  contoso: ['examples/contoso/snapshot.json'],
  'contoso-fixed': ['examples/contoso-fixed/snapshot.json'],
  'apiops-real': [
    '--source',
    'apiops:examples/apiops-real/apimartifacts',
    '--source',
    'manifest:examples/apiops-real/entra',
  ],
  'custom-rule': [
    'examples/contoso/snapshot.json',
    '--config',
    'examples/custom-rule/.auditrc.json',
    '--plugins',
  ],
};
const FORMATS = ['text', 'json', 'sarif'] as const;

describe('scan output on examples/', () => {
  for (const [name, args] of Object.entries(INPUTS)) {
    for (const format of FORMATS) {
      it(`${name} as ${format}`, async () => {
        const { code, stdout, stderr } = await cli([
          'scan',
          ...args,
          '--format',
          format,
          '--fail-on',
          'none',
          '--now',
          NOW,
        ]);
        // The checkout's own folder is the one part that differs between machines.
        const actual = `exit ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`
          .split(pathToFileURL(REPO_ROOT).href)
          .join('file:///REPO')
          .split(REPO_ROOT)
          .join('/REPO');
        const file = path.join(GOLDEN, `${name}.${format}.txt`);
        if (UPDATE || !existsSync(file)) {
          if (!UPDATE) throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1 to write it`);
          mkdirSync(GOLDEN, { recursive: true });
          writeFileSync(file, actual);
        }
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
