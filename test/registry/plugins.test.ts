/**
 * Plugins: `{ meta: { name, version }, rules }` objects whose rules are named `<plugin>/<rule-id>`; everything wrong
 * with one is reported at once and located in the object (exit 2, plugin-invalid), and a plugin in the old shape
 * (a bare rule, an array of rules) is told how to migrate.
 */
import path from 'node:path';
import { prepareAudit } from '../../src/audit';
import { builtinRegistry, ruleContractProblems, withPlugins } from '../../src/registry';
import { auditErrorOf } from '../helpers/errors';

const FIXTURES = path.join(__dirname, 'fixtures');
const PLUGINS = path.join(FIXTURES, 'plugins');

function load(...specs: string[]) {
  return withPlugins(builtinRegistry(), specs, PLUGINS);
}

describe('plugins', () => {
  it("a plugin's rules are named <plugin>/<rule-id>, with the doc next to the module", () => {
    const registry = load('./acme.js', './esm-default.js');
    const ids = registry.rules.map((r) => r.id);
    expect(ids.slice(-2)).toEqual(['acme/https-only', 'esm/noop']);
    expect(ids.filter((id) => id.includes('/'))).toHaveLength(2);
    expect(registry.docs['acme/https-only']?.docs).toContain('# APIs accept HTTPS only');
    expect(registry.docs['esm/noop']).toEqual({});
  });

  it('the rule contract is checked field by field', () => {
    expect(
      ruleContractProblems({
        id: 'Bad Id',
        meta: { title: 1, severity: 'fatal', tags: [], requires: ['x'] },
      }),
    ).toEqual([
      'id must be a kebab-case string',
      'check must be a function (model, context) => Iterable',
      'meta.title must be a string',
      'meta.severity must be one of error, warning, note',
      "meta.requires must be an array of 'entra' | 'apim'",
    ]);
  });

  it('meta.cites names entity kinds, each with a list of paths, and needs declared evidence', () => {
    const rule = (meta: Record<string, unknown>) => ({
      id: 'ok',
      check: () => [],
      meta: { title: 't', severity: 'error', tags: [], requires: [], ...meta },
    });
    expect(
      ruleContractProblems(rule({ declaresEvidence: true, cites: { api: ['policy'], application: [''] } })),
    ).toEqual([]);
    expect(ruleContractProblems(rule({ cites: { apis: ['policy'], api: 'policy', product: [1] } }))).toEqual([
      'meta.cites needs meta.declaresEvidence: true',
      'meta.cites.apis: not an entity kind (application, apimService, authorizationServer, openidProvider, api, operation, product, policyFragment, namedValue, workspace)',
      "meta.cites.api must be an array of paths (strings; '' for any)",
      "meta.cites.product must be an array of paths (strings; '' for any)",
    ]);
    expect(ruleContractProblems(rule({ declaresEvidence: true, cites: ['api'] }))).toEqual([
      'meta.cites must be an object: entity kind -> paths',
    ]);
  });

  it('every problem of a plugin object is reported at once, located in it', () => {
    const error = auditErrorOf(() => load('./broken.js'));
    expect(error.code).toBe('plugin-invalid');
    expect(error.details).toEqual([
      "plugin './broken.js': meta.name must be a kebab-case string (it prefixes the rule ids: '<name>/<rule-id>')",
      "plugin './broken.js': meta.version must be a non-empty string",
      "plugin './broken.js': rules[1]: id must be a kebab-case string",
      "plugin './broken.js': rules[1]: check must be a function (model, context) => Iterable",
      "plugin './broken.js': rules[1]: meta.title must be a string",
      "plugin './broken.js': rules[1]: meta.severity must be one of error, warning, note",
      "plugin './broken.js': rules[1]: meta.requires must be an array of 'entra' | 'apim'",
      "plugin './broken.js': rules[2]: id 'fine-rule' is used by another rule of this plugin",
    ]);
  });

  it('two plugins cannot share a name', () => {
    const error = auditErrorOf(() => load('./acme.js', './also-acme.js'));
    expect(error.details).toEqual([
      "plugin './also-acme.js': meta.name 'acme' is also the name of plugin './acme.js'",
    ]);
  });

  it.each([
    ['a bare rule', path.join(FIXTURES, 'bad-plugin'), './not-a-rule.js', 'not-a-rule'],
    ['an array of rules', PLUGINS, './rule-array.js', 'old-rule'],
  ])('the old shape (%s) is refused with how to migrate (exit 2)', (what, dir, spec, id) => {
    const error = auditErrorOf(() => withPlugins(builtinRegistry(), [spec], dir));
    expect(error.code).toBe('plugin-invalid');
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toContain(
      `plugin '${spec}': exports ${what}, the plugin shape before version 0.2`,
    );
    expect(error.details[0]).toContain(
      "module.exports = { meta: { name: 'acme', version: '1.0.0' }, rules: [rule] }",
    );
    expect(error.details[0]).toContain(`'acme/${id}'`);
  });

  it('through the config: a plugin-invalid error before any source is read', () => {
    const error = auditErrorOf(() => prepareAudit({ cwd: path.join(FIXTURES, 'bad-plugin'), plugins: true }));
    expect(error.code).toBe('plugin-invalid');
    expect(error.details[0]).toMatch(/^plugin '\.\/not-a-rule\.js': exports a bare rule/);
  });

  it('a plugin module that cannot be found or throws is a plugin-invalid error', () => {
    expect(auditErrorOf(() => load('./missing.js')).message).toMatch(/^Cannot load plugin '\.\/missing\.js'/);
  });
});
