/**
 * Issue 10, trust model: plugins run code, so they load only with --plugins (or APIM_AUDIT_PLUGINS=1). A config
 * listing plugins without that permission is a located error (exit 2) saying how to allow it, for every command:
 * `rules` and `explain` never load them unless asked.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const CONTOSO = path.join(REPO_ROOT, 'examples/contoso/snapshot.json');
const NOW = ['--now', '2026-11-25T12:00:00Z'];

/** A working tree whose config lists a plugin that leaves a marker file when it is loaded. */
function treeWithPlugin(): { cwd: string; marker: string } {
  const cwd = makeTempDir('plugin-tree');
  mkdirSync(path.join(cwd, '.git'));
  const marker = path.join(cwd, 'plugin-ran');
  writeFileSync(
    path.join(cwd, 'evil.js'),
    [
      `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`,
      'module.exports = {',
      "  meta: { name: 'evil', version: '1.0.0' },",
      "  rules: [{ id: 'evil-rule', meta: { title: 'Evil', severity: 'note', tags: [], requires: [] }, check: () => [] }],",
      '};',
    ].join('\n'),
  );
  writeFileSync(path.join(cwd, '.auditrc.json'), '{\n  "plugins": ["./evil.js"]\n}\n');
  return { cwd, marker };
}

describe('plugins load only with --plugins or APIM_AUDIT_PLUGINS=1', () => {
  it.each([
    ['scan', ['scan', CONTOSO, ...NOW]],
    ['snapshot', ['snapshot', '--source', `snapshot:${CONTOSO}`, '--output', 'out.json']],
    ['rules', ['rules']],
    ['explain', ['explain', 'client-secret-expiry']],
  ])(
    '%s: a config listing plugins is exit 2, located, says how to allow it; the plugin never runs',
    async (_c, argv) => {
      const { cwd, marker } = treeWithPlugin();
      const run = await cli(argv, { cwd });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('.auditrc.json:2:14: plugins: plugins run code');
      expect(run.stderr).toContain('--plugins');
      expect(run.stderr).toContain('APIM_AUDIT_PLUGINS=1');
      expect(run.stdout).toBe('');
      expect(existsSync(marker)).toBe(false);
    },
  );

  it.each([
    ['--plugins', ['--plugins'], {}],
    ['APIM_AUDIT_PLUGINS=1', [], { APIM_AUDIT_PLUGINS: '1' }],
  ])('%s: the plugin loads (rules lists it)', async (_w, flags, env) => {
    const { cwd, marker } = treeWithPlugin();
    const run = await cli(['rules', ...flags], { cwd, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('evil/evil-rule');
    expect(existsSync(marker)).toBe(true);
  });

  it('without plugins in the config, rules and explain need no flag', async () => {
    const cwd = makeTempDir('no-plugin-tree');
    writeFileSync(path.join(cwd, '.auditrc.json'), '{ "failOn": "warning" }');
    expect((await cli(['rules'], { cwd })).code).toBe(0);
    expect((await cli(['explain', 'client-secret-expiry'], { cwd })).code).toBe(0);
  });
});
