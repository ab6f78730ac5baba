/**
 * `--rule-set` on the command line replaces the config's `ruleSet`, and every report format says which set was in
 * effect; without one, the reports are what they were before rule sets existed (no `ruleSet` key at all).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

const SAMPLE = path.resolve(__dirname, '../../examples/contoso/snapshot.json');

describe('--rule-set', () => {
  const dir = makeTempDir('rule-set');
  const config = path.join(dir, 'pinned.json');
  writeFileSync(config, JSON.stringify({ ruleSet: '2026-12' }));

  it('is shown in the text header, and the flag wins over the config', async () => {
    const pinned = await cli(['scan', SAMPLE, '--config', config, '--fail-on', 'none'], { cwd: dir });
    expect(pinned.stdout.split('\n')[0]).toBe('Config: pinned.json, rule set 2026-12');
    const flag = await cli(['scan', SAMPLE, '--config', config, '--rule-set', 'all', '--fail-on', 'none'], {
      cwd: dir,
    });
    expect(flag.stdout.split('\n')[0]).toBe('Config: pinned.json, rule set all');
  });

  it('is in the JSON configuration and the SARIF run properties; absent without a set', async () => {
    const json = await cli(['scan', SAMPLE, '--rule-set', '2026-12', '--format', 'json', '--no-config']);
    expect(JSON.parse(json.stdout).configuration.ruleSet).toEqual({ name: '2026-12', outside: [] });
    const sarif = await cli([
      'scan',
      SAMPLE,
      '--rule-set',
      'recommended',
      '--format',
      'sarif',
      '--no-config',
    ]);
    expect(JSON.parse(sarif.stdout).runs[0].properties.configuration.ruleSet).toEqual({
      name: 'recommended',
      outside: [],
    });
    const none = await cli(['scan', SAMPLE, '--format', 'json', '--no-config']);
    expect(JSON.parse(none.stdout).configuration).not.toHaveProperty('ruleSet');
  });

  it('an unknown set is a usage error (exit 2), from the flag and from the config', async () => {
    const flag = await cli(['scan', SAMPLE, '--rule-set', '2026-1', '--no-config']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/rule-set/);
    writeFileSync(config, JSON.stringify({ ruleSet: 'recomended' }));
    const fromConfig = await cli(['scan', SAMPLE, '--config', config], { cwd: dir });
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toMatch(/unknown rule set 'recomended'.*recommended/);
  });
});
