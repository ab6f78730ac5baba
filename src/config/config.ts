/**
 * `.auditrc.json`: loading, schema validation (every problem at once, each with its key path and position),
 * and resolution against the rule registry (unknown ids with "did you mean", per-rule option schemas).
 */
import type { AuditConfig } from './types';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { parseJsonWithPositions } from '../json/positions';
import { locateNearest, newAjv, validatorFor } from '../json/schema';
import type { PositionIndex } from '../json/types';
import { displayPath } from '../util/package-root';
import {
  isTrustedConfigPath,
  keyProblems,
  permissionProblems,
  suppressionProblems,
  type ConfigPermissions,
} from './trust';
import { AuditError } from '../errors';
import type { RuleSetting } from '../engine/run';
import type { AnyRule } from '../../rules/support/contract';
import type { SeverityLevel } from '../severity';

export const DEFAULT_CONFIG_FILE = '.auditrc.json';

export interface LoadedConfig {
  config: AuditConfig;
  /** The config file, or undefined when none was found or `--no-config` was given (defaults apply). */
  file: string | undefined;
  /** Folder that relative paths in the config are relative to. */
  baseDir: string;
  /** Named with `--config` and outside the working tree: it may set custom cloud endpoints. */
  trusted: boolean;
}

export interface ConfigOptions {
  /** `--no-config` / `APIM_AUDIT_CONFIG=none`: use the defaults, whatever `.auditrc.json` holds. */
  noConfig?: boolean;
  /** `--plugins` / `APIM_AUDIT_PLUGINS=1`: the config's plugins may be loaded. */
  plugins?: boolean;
  /** The clock suppression expiries are checked against. */
  now?: Date;
}

/**
 * Loads `--config FILE`, or `.auditrc.json` in `cwd` when present, or the defaults. Only a file named with
 * `--config` from outside the working tree is trusted with custom endpoints; plugins need `options.plugins`.
 */
export function loadConfig(
  explicit: string | undefined,
  cwd: string,
  options: ConfigOptions = {},
): LoadedConfig {
  if (options.noConfig) return { config: {}, file: undefined, baseDir: cwd, trusted: false };
  const file = explicit ? path.resolve(cwd, explicit) : path.join(cwd, DEFAULT_CONFIG_FILE);
  if (!explicit && !existsSync(file)) return { config: {}, file: undefined, baseDir: cwd, trusted: false };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AuditError(
      'config-unreadable',
      `Cannot read config ${displayPath(file, cwd)}: ${(error as Error).message}`,
    );
  }
  const trusted = explicit !== undefined && isTrustedConfigPath(file, cwd);
  const permissions = { trusted, plugins: options.plugins ?? false };
  const config = parseConfig(text, displayPath(file, cwd), permissions, options.now ?? new Date());
  return { config, file, baseDir: path.dirname(file), trusted };
}

/**
 * Parses and validates a config; every problem (syntax, duplicate or forbidden keys, schema, settings the
 * permissions do not allow, suppression bounds) is thrown at once, located.
 */
export function parseConfig(
  text: string,
  shown: string,
  permissions: ConfigPermissions = { trusted: false, plugins: false },
  now: Date = new Date(),
): AuditConfig {
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    throw new AuditError(
      'config-invalid',
      `Config ${shown} is not valid JSON:`,
      parsed.problems.map((p) => `${shown}:${p.line}:${p.column}: ${p.message}`),
    );
  }
  const keys = keyProblems(text, shown);
  if (keys.length > 0) throw new AuditError('config-invalid', `Config ${shown} is invalid:`, keys);
  const validate = validatorFor('auditrc');
  const problems = [
    ...permissionProblems(parsed.value, parsed.index, shown, permissions),
    ...(validate(parsed.value) ? [] : describeConfigErrors(validate.errors ?? [], shown, parsed.index)),
    ...suppressionProblems(parsed.value, parsed.index, shown, now),
  ];
  if (problems.length > 0) {
    throw new AuditError('config-invalid', `Config ${shown} is invalid:`, [...new Set(problems)]);
  }
  return parsed.value as AuditConfig;
}

/** `/rules/x/severity` -> `rules.x.severity`; the root is `(root)`. */
export function keyPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((t) => (/^\d+$/.test(t) ? `[${t}]` : `.${t}`))
    .join('')
    .replace(/^\./, '');
}

function describeConfigErrors(errors: readonly ErrorObject[], shown: string, index: PositionIndex): string[] {
  // A failed oneOf (rule level vs rule object) repeats every branch's complaint: collapse them into one line.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const lines = new Set<string>();
  for (const error of errors) {
    if (['anyOf', 'allOf', 'if'].includes(error.keyword)) continue;
    let pointer = error.instancePath;
    let message: string;
    if (oneOfPaths.has(pointer)) {
      message = 'must be one of off, error, warning, note, or an object { "severity", "options" }';
    } else if ([...oneOfPaths].some((p) => pointer.startsWith(`${p}/`)) && error.keyword === 'enum') {
      message = 'must be one of off, error, warning, note';
    } else if (error.keyword === 'additionalProperties') {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      pointer = `${pointer}/${key}`;
      message = `unknown key '${key}'`;
    } else if (['enum', 'type'].includes(error.keyword) && pointer === '/failOnNotEvaluated') {
      message = 'must be all, security, none, or a list of rule ids (and security / all)';
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((v) => String(v)).join(', ')}`;
    } else if (error.keyword === 'required') {
      message = `missing required key '${String((error.params as { missingProperty: string }).missingProperty)}'`;
    } else if (error.keyword === 'propertyNames') {
      message = 'rule ids are kebab-case (lower-case words joined by -)';
    } else {
      message = error.message ?? error.keyword;
    }
    const position = locateNearest(index, pointer);
    const where = position ? `${shown}:${position.line}:${position.column}: ` : `${shown}: `;
    lines.add(`${where}${keyPath(pointer)}: ${message}`);
  }
  return [...lines];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

export function didYouMean(unknown: string, known: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const id of known) {
    const d = distance(unknown, id);
    if (!best || d < best.d) best = { id, d };
  }
  return best && best.d <= Math.max(3, Math.floor(unknown.length / 3)) ? best.id : undefined;
}

export function unknownRuleMessage(id: string, known: readonly string[]): string {
  const suggestion = didYouMean(id, known);
  return `unknown rule '${id}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (run 'apim-oauth-audit rules' for the list)`;
}

/**
 * Effective level and validated, defaulted options for every rule. `overrides` (from --rule id=level) win over
 * the config. Every problem is collected and thrown together.
 */
export function resolveRuleSettings(
  rules: readonly AnyRule[],
  config: AuditConfig,
  overrides: Readonly<Record<string, SeverityLevel>>,
  shown = DEFAULT_CONFIG_FILE,
): Record<string, RuleSetting> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const known = [...byId.keys()];
  const problems: string[] = [];
  for (const id of Object.keys(config.rules ?? {})) {
    if (!byId.has(id)) problems.push(`${shown}: rules.${id}: ${unknownRuleMessage(id, known)}`);
  }
  for (const id of Object.keys(overrides)) {
    if (!byId.has(id)) problems.push(`--rule ${id}: ${unknownRuleMessage(id, known)}`);
  }
  const settings: Record<string, RuleSetting> = {};
  for (const rule of rules) {
    const configured = config.rules?.[rule.id];
    const fromConfig = typeof configured === 'string' ? configured : configured?.severity;
    const level = overrides[rule.id] ?? fromConfig;
    const given = typeof configured === 'object' ? (configured.options ?? {}) : {};
    const options = structuredClone({ ...(rule.options?.defaults ?? {}), ...given }) as Record<
      string,
      unknown
    >;
    if (rule.options) {
      const validate = newAjv().compile(rule.options.schema);
      if (!validate(options)) {
        for (const e of validate.errors ?? []) {
          const at = keyPath(`/rules/${rule.id}/options${e.instancePath}`);
          const extra =
            e.keyword === 'additionalProperties'
              ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'`
              : '';
          problems.push(`${shown}: ${at}: ${e.message ?? e.keyword}${extra}`);
        }
      }
    } else if (Object.keys(given).length > 0) {
      problems.push(`${shown}: rules.${rule.id}.options: this rule takes no options`);
    }
    settings[rule.id] = level === undefined ? { options } : { level, options };
  }
  if (problems.length > 0) throw new AuditError('config-invalid', 'Invalid rule configuration:', problems);
  return settings;
}

/** What `failOnNotEvaluated` / `--fail-on-not-evaluated` may name besides rule ids. */
export const NOT_EVALUATED_SELECTORS = ['all', 'security', 'none'] as const;

/**
 * `failOnNotEvaluated` (or `--fail-on-not-evaluated`) checked against the registry: rule ids, `security`, `all`,
 * or `none` alone. Returns the selection without `none` (empty: the gate is off). Every problem is thrown at once,
 * each with `where` (the config key path or the option), unknown rule ids with a "did you mean".
 */
export function resolveFailOnNotEvaluated(
  value: string | readonly string[] | undefined,
  rules: readonly AnyRule[],
  where: string,
): string[] {
  const items = value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  const known = rules.map((r) => r.id);
  const problems: string[] = [];
  for (const item of items) {
    if ((NOT_EVALUATED_SELECTORS as readonly string[]).includes(item) || known.includes(item)) continue;
    problems.push(`${where}: ${unknownRuleMessage(item, known)}; or use security, all or none`);
  }
  if (items.includes('none') && items.length > 1) {
    problems.push(`${where}: none cannot be combined with other values`);
  }
  if (problems.length > 0) {
    throw new AuditError('config-invalid', 'Invalid failOnNotEvaluated:', problems);
  }
  return [...new Set(items.filter((item) => item !== 'none'))];
}
