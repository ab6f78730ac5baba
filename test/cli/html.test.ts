/**
 * `scan --format html` through the CLI: the page of a sample holds its findings, the rules' remediation (docs reach
 * the reporter as context) and the effective policy behind the policy finding; written to a file like any format.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';
import { REPO_ROOT } from '../helpers/sample';

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const APIOPS = [
  '--source',
  `apiops:${path.join(REPO_ROOT, 'examples/apiops-real/apimartifacts')}`,
  '--source',
  `manifest:${path.join(REPO_ROOT, 'examples/apiops-real/entra')}`,
];

describe('scan --format html', () => {
  it('writes one page with the findings, the remediation and the policy chain behind the policy finding', async () => {
    const dir = makeTempDir('html-cli');
    const run = await cli(['scan', ...APIOPS, '--format', 'html', '--output', 'audit.html', ...NOW], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Wrote html report (6 findings) to audit.html');
    const page = readFileSync(path.join(dir, 'audit.html'), 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page.match(/<article class="finding /g)).toHaveLength(6);
    expect(page).toContain('<h3><code>api-validate-jwt</code>');
    expect(page).toContain('<section id="chains">');
    expect(page).toContain('data-mark="lost"');
    expect(page).toContain('data-mark="dropped"');
  });

  it('prints to stdout without colour codes, like the other machine formats', async () => {
    const run = await cli(
      ['scan', 'examples/contoso/snapshot.json', '--format', 'html', '--fail-on', 'none', ...NOW],
      {
        tty: true,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(run.stdout).not.toContain('\u001b[');
  });
});
