/** A `.tf` file of the configuration that cannot be read is invalid input, located (exit 2), not an internal error. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

describe('terraform: unreadable configuration files', () => {
  it('a .tf file with invalid UTF-8 is exit 2 naming the file and line', async () => {
    const dir = makeTempDir('tf-utf8');
    cpSync(path.join(REPO_ROOT, 'test/sources/terraform/fixtures/colors'), dir, { recursive: true });
    const tf = path.join(dir, 'modules/apim/main.tf');
    writeFileSync(
      tf,
      Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n'), readFileSync(tf)]),
    );
    const run = await cli(['scan', '--source', `terraform:plan.json#.`, '--now', '2026-12-01T00:00:00Z'], {
      cwd: dir,
    });
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Cannot read Terraform configuration modules/apim/main.tf:1: invalid UTF-8');
  });
});
