/**
 * Plugins from `.auditrc.json` `plugins`: modules exporting `{ meta: { name, version }, rules: [...] }`. Their rules
 * follow the built-in contract and are named `<plugin name>/<rule id>` (e.g. `acme/https-only`), so that a built-in
 * rule added later (built-in ids never contain `/`) can never collide with one. Everything wrong with a plugin is
 * reported at once, each problem located in the plugin object (exit 2, `plugin-invalid`).
 */
import path from 'node:path';
import { AuditError } from '../errors';
import { SEVERITIES } from '../severity';
import { type AnyRule } from '../../rules/support/contract';
import type { ResourceKind } from '../model/types';
import { type Registry } from './builtin';
import { pluginRuleDoc } from './docs';

export interface PluginMeta {
  /** Kebab-case; it prefixes the plugin's rule ids: `<name>/<rule-id>`. */
  name: string;
  version: string;
}

export interface Plugin {
  meta: PluginMeta;
  /** Rules with plain kebab-case ids; the registry names them `<meta.name>/<id>`. */
  rules: readonly AnyRule[];
}

/** Types a plugin object (no runtime effect), like `defineRule` for a rule. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const SHAPE = '{ meta: { name, version }, rules: [...] }';

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Problems with a candidate rule object, each naming the offending field. */
export function ruleContractProblems(candidate: unknown): string[] {
  const rule = record(candidate);
  if (!rule) return ['is not a rule object { id, meta, check }'];
  const problems: string[] = [];
  if (typeof rule['id'] !== 'string' || !KEBAB.test(rule['id']))
    problems.push('id must be a kebab-case string');
  if (typeof rule['check'] !== 'function')
    problems.push('check must be a function (model, context) => Iterable');
  const meta = record(rule['meta']);
  if (!meta) problems.push('meta is missing');
  else problems.push(...ruleMetaProblems(meta));
  const options = rule['options'] as Record<string, unknown> | undefined;
  if (options !== undefined && (typeof options !== 'object' || typeof options['schema'] !== 'object')) {
    problems.push('options must be { schema, defaults }');
  }
  return problems;
}

function ruleMetaProblems(meta: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof meta['title'] !== 'string') problems.push('meta.title must be a string');
  if (!(SEVERITIES as readonly unknown[]).includes(meta['severity'])) {
    problems.push(`meta.severity must be one of ${SEVERITIES.join(', ')}`);
  }
  if (!Array.isArray(meta['tags'])) problems.push('meta.tags must be an array of strings');
  const requires = meta['requires'];
  if (!Array.isArray(requires) || requires.some((r) => r !== 'entra' && r !== 'apim')) {
    problems.push("meta.requires must be an array of 'entra' | 'apim'");
  }
  const sec = meta['securitySeverity'];
  if (sec !== undefined && (typeof sec !== 'number' || sec < 0 || sec > 10)) {
    problems.push('meta.securitySeverity must be a number from 0 to 10');
  }
  if (meta['cites'] !== undefined) problems.push(...citesProblems(meta['cites'], meta['declaresEvidence']));
  return problems;
}

/** The entity kinds `meta.cites` may name (a record, so that the compiler asks for a new kind here). */
const CITABLE: Readonly<Record<ResourceKind, true>> = {
  application: true,
  apimService: true,
  authorizationServer: true,
  openidProvider: true,
  api: true,
  operation: true,
  product: true,
  policyFragment: true,
  namedValue: true,
  workspace: true,
};

function citesProblems(cites: unknown, declaresEvidence: unknown): string[] {
  const shape = record(cites);
  const problems: string[] = [];
  if (declaresEvidence !== true) problems.push('meta.cites needs meta.declaresEvidence: true');
  if (!shape) return [...problems, 'meta.cites must be an object: entity kind -> paths'];
  for (const [kind, paths] of Object.entries(shape)) {
    if (!Object.hasOwn(CITABLE, kind)) {
      problems.push(`meta.cites.${kind}: not an entity kind (${Object.keys(CITABLE).join(', ')})`);
    } else if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
      problems.push(`meta.cites.${kind} must be an array of paths (strings; '' for any)`);
    }
  }
  return problems;
}

/** What to tell the author of a plugin written for the old shape (a bare rule, or an array of rules). */
function oldShapeProblem(value: unknown): string | undefined {
  const bare = Array.isArray(value) || (record(value) !== undefined && 'check' in (value as object));
  if (!bare) return undefined;
  const what = Array.isArray(value) ? 'an array of rules' : 'a bare rule';
  return (
    `exports ${what}, the plugin shape before version 0.2; export ${SHAPE} instead, e.g. ` +
    `module.exports = { meta: { name: 'acme', version: '1.0.0' }, rules: [rule] }. ` +
    `Its rules are then named '<name>/<rule-id>' (e.g. 'acme/${ruleIdOf(value) ?? 'my-rule'}'): ` +
    `rename them so in .auditrc.json "rules", "suppressions" and "failOnNotEvaluated", and in --rule`
  );
}

function ruleIdOf(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  const id = record(first)?.['id'];
  return typeof id === 'string' && KEBAB.test(id) ? id : undefined;
}

/** Problems with a candidate plugin object, each located in it (`meta.name`, `rules[2].meta.title`). */
export function pluginProblems(value: unknown): string[] {
  const old = oldShapeProblem(value);
  if (old) return [old];
  const plugin = record(value);
  if (!plugin) return [`does not export a plugin object ${SHAPE}`];
  const problems: string[] = [];
  const meta = record(plugin['meta']);
  if (!meta) {
    problems.push(`meta is missing: a plugin exports ${SHAPE}`);
  } else {
    const name = meta['name'];
    if (typeof name !== 'string' || !KEBAB.test(name)) {
      problems.push(`meta.name must be a kebab-case string (it prefixes the rule ids: '<name>/<rule-id>')`);
    }
    if (typeof meta['version'] !== 'string' || meta['version'] === '') {
      problems.push('meta.version must be a non-empty string');
    }
  }
  const rules = plugin['rules'];
  if (!Array.isArray(rules) || rules.length === 0) {
    problems.push('rules must be a non-empty array of rules { id, meta, check }');
    return problems;
  }
  const seen = new Set<string>();
  rules.forEach((rule: unknown, i) => {
    problems.push(...ruleContractProblems(rule).map((p) => `rules[${i}]: ${p}`));
    const id = record(rule)?.['id'];
    if (typeof id !== 'string') return;
    if (seen.has(id)) problems.push(`rules[${i}]: id '${id}' is used by another rule of this plugin`);
    seen.add(id);
  });
  return problems;
}

/** A plugin rule under its namespaced id; `check` stays bound to the object the author wrote. */
function namespaced(pluginName: string, rule: AnyRule): AnyRule {
  const named: AnyRule = {
    id: `${pluginName}/${rule.id}`,
    meta: rule.meta,
    check: (model, context) => rule.check(model, context),
  };
  if (rule.options !== undefined) named.options = rule.options;
  return named;
}

function resolvePlugin(spec: string, baseDir: string): string {
  const isPath = spec.startsWith('.') || path.isAbsolute(spec);
  try {
    return require.resolve(isPath ? path.resolve(baseDir, spec) : spec, { paths: [baseDir] });
  } catch (error) {
    throw new AuditError(
      'plugin-invalid',
      `Cannot load plugin '${spec}': ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

function requirePlugin(spec: string, file: string): unknown {
  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(file) as unknown;
  } catch (error) {
    throw new AuditError('plugin-invalid', `Plugin '${spec}' failed to load: ${(error as Error).message}`);
  }
  // An ES module compiled to CommonJS exports its default as `default`.
  const withDefault = record(exported);
  return withDefault && 'default' in withDefault && !('meta' in withDefault)
    ? withDefault['default']
    : exported;
}

/** Loads plugin modules (paths relative to `baseDir`, or package names) and adds their rules and docs. */
export function withPlugins(base: Registry, specs: readonly string[], baseDir: string): Registry {
  const rules = [...base.rules];
  const docs = { ...base.docs };
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const spec of specs) {
    const file = resolvePlugin(spec, baseDir);
    const value = requirePlugin(spec, file);
    const found = pluginProblems(value);
    if (found.length > 0) {
      problems.push(...found.map((p) => `plugin '${spec}': ${p}`));
      continue;
    }
    const plugin = value as Plugin;
    const other = names.get(plugin.meta.name);
    if (other !== undefined) {
      problems.push(
        `plugin '${spec}': meta.name '${plugin.meta.name}' is also the name of plugin '${other}'`,
      );
      continue;
    }
    names.set(plugin.meta.name, spec);
    for (const rule of plugin.rules) {
      const named = namespaced(plugin.meta.name, rule);
      rules.push(named);
      docs[named.id] = pluginRuleDoc(file, rule.id);
    }
  }
  if (problems.length > 0) throw new AuditError('plugin-invalid', 'Invalid plugins:', problems);
  return { rules, docs };
}
