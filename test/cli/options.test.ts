/**
 * The CLI's choices derive from the closed unions they stand for: a new severity threshold or report format reaches
 * `--fail-on` / `--format` (and their `--help`) without an edit in the CLI.
 */
import { REPORTER_NAMES } from '../../reporters';
import { EXIT } from '../../src/cli/exit-codes';
import { SCAN } from '../../src/cli/options';
import { FAIL_ON } from '../../src/severity';
import { cli } from '../helpers/cli';

describe('CLI option tables', () => {
  it('--fail-on offers FAIL_ON and --format the reporter names', () => {
    expect(SCAN.options['fail-on'].choices).toBe(FAIL_ON);
    expect(SCAN.options.format.choices).toBe(REPORTER_NAMES);
  });

  it('refuses a value outside them as a usage error naming the choices', async () => {
    const { code, stderr } = await cli(['scan', 'x.json', '--fail-on', 'critical']);
    expect(code).toBe(EXIT.usage);
    for (const choice of FAIL_ON) expect(stderr).toContain(`"${choice}"`);
  });
});
