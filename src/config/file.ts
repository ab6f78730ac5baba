/**
 * `.auditrc.json`: loading and schema validation (every problem at once, each with its key path and position).
 * What the config says about rules is resolved against the registry in src/registry/settings.ts.
 */
import type { AuditConfig } from './types';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { escapePointerToken, jsonKeyPath, parseJsonWithPositions, pointerTokens } from '../json/positions';
import { locateNearest, validatorFor } from '../json/schema';
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

export const DEFAULT_CONFIG_FILE = '.auditrc.json';

/** How a rule id looks: built-in ids are kebab-case, plugin rules are `<plugin>/<rule-id>`. */
export const RULE_ID_SHAPE =
  "rule ids are kebab-case (lower-case words joined by -), a plugin's rules '<plugin>/<rule-id>'";

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
  return jsonKeyPath(pointerTokens(pointer));
}

function describeConfigErrors(errors: readonly ErrorObject[], shown: string, index: PositionIndex): string[] {
  // A failed oneOf (rule level vs rule object) repeats every branch's complaint: collapse them into one line.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const lines = new Set<string>();
  for (const error of errors) {
    if (['anyOf', 'allOf', 'if'].includes(error.keyword)) continue;
    // The key's own complaint (e.g. `pattern`) is said once, by its `propertyNames` error below.
    if ((error as { propertyName?: string }).propertyName !== undefined) continue;
    let pointer = error.instancePath;
    let message: string;
    if (oneOfPaths.has(pointer)) {
      message = 'must be one of off, error, warning, note, or an object { "severity", "options" }';
    } else if ([...oneOfPaths].some((p) => pointer.startsWith(`${p}/`)) && error.keyword === 'enum') {
      message = 'must be one of off, error, warning, note';
    } else if (error.keyword === 'additionalProperties') {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      pointer = `${pointer}/${escapePointerToken(key)}`;
      message = `unknown key '${key}'`;
    } else if (['enum', 'type'].includes(error.keyword) && pointer === '/failOnNotEvaluated') {
      message = 'must be all, security, none, or a list of rule ids (and security / all)';
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((v) => String(v)).join(', ')}`;
    } else if (error.keyword === 'required') {
      message = `missing required key '${String((error.params as { missingProperty: string }).missingProperty)}'`;
    } else if (error.keyword === 'propertyNames') {
      pointer = `${pointer}/${escapePointerToken(String((error.params as { propertyName: string }).propertyName))}`;
      message = RULE_ID_SHAPE;
    } else {
      message = error.message ?? error.keyword;
    }
    const position = locateNearest(index, pointer);
    const where = position ? `${shown}:${position.line}:${position.column}: ` : `${shown}: `;
    lines.add(`${where}${keyPath(pointer)}: ${message}`);
  }
  return [...lines];
}
