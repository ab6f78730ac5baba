/**
 * The trust model of `.auditrc.json` (issue 10): a config file may come from whoever opened a pull request, so
 * settings that direct credentials (custom cloud endpoints, CA certificates) or run code (plugins) are refused
 * unless the user allowed them, keys that could hide settings (duplicates, `__proto__`, `constructor`) are invalid,
 * and suppressions are bounded (a rule, a justification, an expiry at most `maxSuppressionDays` ahead).
 * Every problem is returned located (`file:line:col: key.path: message`), never silently ignored.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { locateNearest } from '../json/schema';
import { jsoncParser } from '../json/positions';
import type { PositionIndex } from '../json/types';
import { type Suppression } from './types';

/** What the user allowed a config file to set. */
export interface ConfigPermissions {
  /**
   * The config was named with `--config` and lies outside the working tree (a checkout written by a pull
   * request): it may set custom cloud endpoints.
   */
  trusted: boolean;
  /** `--plugins` or `APIM_AUDIT_PLUGINS=1`: the config's `plugins` may be loaded (they run code). */
  plugins: boolean;
}

export const PLUGINS_ENV = 'APIM_AUDIT_PLUGINS';
export const CONFIG_ENV = 'APIM_AUDIT_CONFIG';
export const DEFAULT_MAX_SUPPRESSION_DAYS = 365;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const DAY_MS = 86_400_000;

type At = (pointer: string) => string;

/** `file:line:col: ` of the value at `pointer` (or its nearest located parent). */
function locator(index: PositionIndex, shown: string): At {
  return (pointer) => {
    const position = locateNearest(index, pointer);
    return position ? `${shown}:${position.line}:${position.column}: ` : `${shown}: `;
  };
}

/**
 * Duplicate keys and prototype-polluting keys, found while scanning the text (the parsed value keeps only the last
 * duplicate, and `__proto__` may already have changed a prototype there). Iterative: no recursion on deep input.
 */
export function keyProblems(text: string, shown: string, what = 'a config file'): string[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problems: string[] = [];
  const open: Set<string>[] = [];
  // Loaded here: a scan without a config or baseline file reads no text this way.
  jsoncParser().visit(source, {
    onObjectBegin: () => void open.push(new Set()),
    onObjectEnd: () => void open.pop(),
    onObjectProperty: (key, _offset, _length, line, character) => {
      const where = `${shown}:${line + 1}:${character + 1}: `;
      const seen = open[open.length - 1];
      if (FORBIDDEN_KEYS.has(key)) problems.push(`${where}'${key}': this key is not allowed in ${what}`);
      else if (seen?.has(key))
        problems.push(`${where}'${key}': duplicate key (a second value would hide the first)`);
      seen?.add(key);
    },
  });
  return problems;
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** The working tree: the enclosing git work tree of `cwd`, else `cwd` itself. */
export function workingTree(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/**
 * A config named with `--config` is trusted when neither its path nor its real path (symlinks resolved) lies in
 * the working tree: a file inside it is written by whoever wrote the tree, whoever names it.
 */
export function isTrustedConfigPath(file: string, cwd: string): boolean {
  const roots = [workingTree(cwd), path.resolve(cwd)];
  const realRoots = roots.map(realOrSelf);
  const candidates = [path.resolve(cwd, file), realOrSelf(path.resolve(cwd, file))];
  return !candidates.some((c) => [...roots, ...realRoots].some((root) => isInside(c, root)));
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Endpoints, CA and plugins the config sets without the user's permission. */
export function permissionProblems(
  value: unknown,
  index: PositionIndex,
  shown: string,
  permissions: ConfigPermissions,
): string[] {
  const at = locator(index, shown);
  const root = record(value);
  const live = record(root?.['live']);
  const problems: string[] = [];
  if (live && record(live['cloud']) && !permissions.trusted) {
    problems.push(
      `${at('/live/cloud')}live.cloud: custom endpoints direct where credentials are sent and are not taken from a config file in the working tree; name a known cloud (AzurePublic, AzureUSGovernment, AzureChina), set APIM_AUDIT_AUTHORITY_HOST, APIM_AUDIT_GRAPH_ENDPOINT and APIM_AUDIT_ARM_ENDPOINT in the environment, or pass a config file from outside the working tree with --config`,
    );
  }
  for (const key of Object.keys(live ?? {}).filter((k) => /^ca/i.test(k))) {
    problems.push(
      `${at(`/live/${key}`)}live.${key}: trusted CA certificates are not taken from a config file; set APIM_AUDIT_CA_FILE in the environment`,
    );
  }
  const plugins = root?.['plugins'];
  if (Array.isArray(plugins) && plugins.length > 0 && !permissions.plugins) {
    problems.push(
      `${at('/plugins')}plugins: plugins run code and are loaded only when allowed; pass --plugins (or set ${PLUGINS_ENV}=1) if this config file is trusted, or remove 'plugins'`,
    );
  }
  return problems;
}

/** A selector made only of `*` (and separators) matches every resource. */
export function matchesEverything(selector: string): boolean {
  return /^[*:/\s]+$/.test(selector);
}

/** A suppression with `*` as its rule or anywhere in its resource selector. */
export function isWildcardSuppression(suppression: Suppression): boolean {
  return suppression.rule === '*' || suppression.resource.includes('*');
}

/** The last instant an `expires` value suppresses (a date-only value: through the end of that day, UTC). */
export function expiryInstant(expires: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? new Date(`${expires}T23:59:59.999Z`) : new Date(expires);
}

/**
 * Suppressions name a rule (`*` for both rule and resource is refused), give a non-blank justification, and
 * expire at most `maxDays` after `now` (the end of that day for a date-only value).
 */
export function suppressionProblems(
  value: unknown,
  index: PositionIndex,
  shown: string,
  now: Date,
): string[] {
  const root = record(value);
  const list = root?.['suppressions'];
  if (!Array.isArray(list)) return [];
  const configured = root?.['maxSuppressionDays'];
  const maxDays = typeof configured === 'number' ? configured : DEFAULT_MAX_SUPPRESSION_DAYS;
  const limit = new Date(now.getTime() + maxDays * DAY_MS);
  const lastDay = limit.toISOString().slice(0, 10);
  const at = locator(index, shown);
  const problems: string[] = [];
  list.forEach((item: unknown, i) => {
    const s = record(item);
    if (!s) return;
    const pointer = `/suppressions/${i}`;
    const where = `suppressions[${i}]`;
    if (s['rule'] === '*' && typeof s['resource'] === 'string' && matchesEverything(s['resource'])) {
      problems.push(
        `${at(`${pointer}/rule`)}${where}: '*' for both rule and resource would silence every finding; name the rule`,
      );
    }
    if (typeof s['justification'] === 'string' && s['justification'].trim() === '') {
      problems.push(`${at(`${pointer}/justification`)}${where}.justification: must not be blank`);
    }
    const expires = s['expires'];
    if (expires === undefined) {
      problems.push(
        `${at(pointer)}${where}: missing required key 'expires' (a date at most ${maxDays} days ahead, e.g. ${lastDay})`,
      );
    } else if (typeof expires === 'string') {
      const end = expiryInstant(expires);
      const tooLate = /^\d{4}-\d{2}-\d{2}$/.test(expires)
        ? expires > lastDay
        : end.getTime() > limit.getTime();
      if (tooLate) {
        problems.push(
          `${at(`${pointer}/expires`)}${where}.expires: ${expires} is more than ${maxDays} days ahead (at most ${lastDay}); set "maxSuppressionDays" to allow longer`,
        );
      }
    }
  });
  return problems;
}
