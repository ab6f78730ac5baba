/**
 * The rule registry: built-in rules plus plugins from `.auditrc.json` `plugins`, all with one contract.
 * Also loads rule docs (I/O at the edge, before the pure engine runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { packageRoot } from '../util/package-root';
import { AuditError } from '../errors';
import { SEVERITIES } from '../severity';
import { type AnyRule } from '../../rules/support/contract';

export interface RuleDoc {
  docs?: string;
  helpUri?: string;
}

export interface Registry {
  rules: AnyRule[];
  docs: Record<string, RuleDoc>;
}

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const REPOSITORY = 'https://github.com/apim-oauth-audit/apim-oauth-audit';

export function builtinRegistry(): Registry {
  const rules = BUILTIN_RULE_IDS.map((id) => builtinRules[id]);
  const docs: Record<string, RuleDoc> = {};
  for (const id of BUILTIN_RULE_IDS) {
    const file = path.join(packageRoot(), 'rules', `${id}.md`);
    docs[id] = { helpUri: `${REPOSITORY}/blob/main/rules/${id}.md` };
    if (existsSync(file)) docs[id].docs = readFileSync(file, 'utf8');
  }
  return { rules, docs };
}

/** Problems with a candidate rule object, each naming the offending field. */
export function ruleContractProblems(candidate: unknown): string[] {
  if (!candidate || typeof candidate !== 'object') return ['does not export a rule object'];
  const rule = candidate as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof rule['id'] !== 'string' || !RULE_ID.test(rule['id']))
    problems.push('id must be a kebab-case string');
  if (typeof rule['check'] !== 'function')
    problems.push('check must be a function (model, context) => Iterable');
  const meta = rule['meta'] as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== 'object') {
    problems.push('meta is missing');
  } else {
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
  }
  const options = rule['options'] as Record<string, unknown> | undefined;
  if (options !== undefined && (typeof options !== 'object' || typeof options['schema'] !== 'object')) {
    problems.push('options must be { schema, defaults }');
  }
  return problems;
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

/** Loads plugin modules; each exports (as default or module.exports) a rule or an array of rules. */
export function withPlugins(base: Registry, specs: readonly string[], baseDir: string): Registry {
  const rules = [...base.rules];
  const docs = { ...base.docs };
  const problems: string[] = [];
  for (const spec of specs) {
    const file = resolvePlugin(spec, baseDir);
    let exported: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(file) as unknown;
    } catch (error) {
      throw new AuditError('plugin-invalid', `Plugin '${spec}' failed to load: ${(error as Error).message}`);
    }
    const value = (exported as { default?: unknown })?.default ?? exported;
    const candidates = Array.isArray(value) ? value : [value];
    for (const [i, candidate] of candidates.entries()) {
      const where = `plugin '${spec}'${candidates.length > 1 ? ` rule #${i}` : ''}`;
      const found = ruleContractProblems(candidate);
      if (found.length > 0) {
        problems.push(...found.map((p) => `${where}: ${p}`));
        continue;
      }
      const rule = candidate as AnyRule;
      if (rules.some((r) => r.id === rule.id)) {
        problems.push(`${where}: rule id '${rule.id}' is already defined`);
        continue;
      }
      rules.push(rule);
      const doc = path.join(path.dirname(file), `${rule.id}.md`);
      docs[rule.id] = existsSync(doc) ? { docs: readFileSync(doc, 'utf8') } : {};
    }
  }
  if (problems.length > 0) throw new AuditError('plugin-invalid', 'Invalid plugin rules:', problems);
  return { rules, docs };
}
