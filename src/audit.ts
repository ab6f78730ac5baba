/**
 * Orchestration (the I/O edge): config -> registry + plugins -> sources -> inventory -> model -> engine.
 * The CLI and library users call `prepareAudit` / `runPreparedAudit`.
 */
import path from 'node:path';
import { loadConfig, resolveFailOnNotEvaluated, resolveRuleSettings } from './config/config';
import { type AuditConfig } from './config/types';
import { describeConfiguration } from './config/trust';
import { AuditError } from './errors';
import { builtinRegistry, withPlugins, type Registry } from './registry';
import { runAudit } from './engine/run';
import { isSecurityRule } from '../rules/support/contract';
import { type AuditResult } from './engine/types';
import { type FailOn, type SeverityLevel } from './severity';
import type { Inventory } from './inventory/types';
import { normalize } from './model/normalize';
import { loadSources } from './sources';
import { displayPath } from './util/package-root';

export interface AuditRequest {
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Verbose log and progress sinks for the sources (default: silent). */
  log?: (message: string) => void;
  progress?: (done: number, total: number, what: string) => void;
  /** Sources from the command line (relative to cwd); when empty, the config's sources (relative to it). */
  sources: readonly string[];
  configFile?: string;
  /** `--no-config`: the defaults, whatever `.auditrc.json` holds. */
  noConfig?: boolean;
  /** `--plugins`: the config's plugins may be loaded (they run code); without it a config listing them is an error. */
  plugins?: boolean;
  /** `--fail-on`: replaces the config's `failOn`. */
  failOn?: FailOn;
  ruleOverrides?: Readonly<Record<string, SeverityLevel>>;
  /** Run only rules carrying one of these tags. */
  tags?: readonly string[];
  /** `--fail-on-not-evaluated`: replaces the config's `failOnNotEvaluated`. */
  failOnNotEvaluated?: readonly string[];
  now: Date;
}

export interface PreparedAudit {
  config: AuditConfig;
  configFile: string | undefined;
  registry: Registry;
  failOn: FailOn;
  /** Rule ids, `security` and `all`: the gate fails when one of them is not (fully) evaluated. Empty: off. */
  failOnNotEvaluated: string[];
}

/** Loads config and plugins; throws AuditError (exit 2) on any problem. */
export function prepareAudit(
  request: Pick<
    AuditRequest,
    'cwd' | 'configFile' | 'failOnNotEvaluated' | 'noConfig' | 'plugins' | 'failOn'
  > &
    Partial<Pick<AuditRequest, 'now'>>,
): PreparedAudit {
  const { config, file, baseDir } = loadConfig(request.configFile, request.cwd, {
    ...(request.noConfig !== undefined ? { noConfig: request.noConfig } : {}),
    ...(request.plugins !== undefined ? { plugins: request.plugins } : {}),
    ...(request.now !== undefined ? { now: request.now } : {}),
  });
  const registry = withPlugins(builtinRegistry(), config.plugins ?? [], baseDir);
  const shown = file ? displayPath(file, request.cwd) : '.auditrc.json';
  // Checked against the rules (plugins included) before any source is read.
  const failOnNotEvaluated = request.failOnNotEvaluated
    ? resolveFailOnNotEvaluated(request.failOnNotEvaluated, registry.rules, '--fail-on-not-evaluated')
    : resolveFailOnNotEvaluated(config.failOnNotEvaluated, registry.rules, `${shown}: failOnNotEvaluated`);
  const failOn = request.failOn ?? config.failOn ?? 'error';
  return { config, configFile: file, registry, failOn, failOnNotEvaluated };
}

export function loadInventory(request: AuditRequest, prepared: PreparedAudit): Promise<Inventory> {
  const fromCli = request.sources.length > 0;
  const specs = fromCli ? request.sources : (prepared.config.sources ?? []);
  if (specs.length === 0) {
    return Promise.reject(
      new AuditError(
        'usage',
        'No sources to audit: pass a snapshot path or --source <kind>:<path>, or set "sources" in .auditrc.json.',
      ),
    );
  }
  const baseDir = fromCli || !prepared.configFile ? request.cwd : path.dirname(prepared.configFile);
  return loadSources(specs, baseDir, {
    cwd: request.cwd,
    env: request.env ?? {},
    live: prepared.config.live ?? {},
    linkedAppIds: (prepared.config.links ?? []).flatMap((l) =>
      [l.clientAppId, l.backendAppId].filter((id): id is string => !!id),
    ),
    log: request.log ?? (() => undefined),
    progress: request.progress ?? (() => undefined),
  });
}

export function runPreparedAudit(
  request: AuditRequest,
  prepared: PreparedAudit,
  inventory: Inventory,
): AuditResult {
  const shownConfig = prepared.configFile ? displayPath(prepared.configFile, request.cwd) : '.auditrc.json';
  const settings = resolveRuleSettings(
    prepared.registry.rules,
    prepared.config,
    request.ruleOverrides ?? {},
    shownConfig,
  );
  const tags = request.tags ?? [];
  const rules =
    tags.length === 0
      ? prepared.registry.rules
      : prepared.registry.rules.filter((r) => r.meta.tags.some((t) => tags.includes(t)));
  const model = normalize(inventory, prepared.config.links ?? []);
  const configuration = describeConfiguration(
    prepared.configFile ? shownConfig : null,
    prepared.failOn,
    prepared.config.suppressions ?? [],
    rules,
    settings,
  );
  const result = runAudit(model, {
    rules,
    settings,
    suppressions: prepared.config.suppressions ?? [],
    now: request.now,
    files: inventory.files,
    docs: prepared.registry.docs,
    sources: inventory.sources.map((s) => s.spec),
  });
  return { ...result, configuration };
}

/** The whole audit in one call. */
export async function audit(
  request: AuditRequest,
): Promise<{ result: AuditResult; prepared: PreparedAudit }> {
  const prepared = prepareAudit(request);
  const inventory = await loadInventory(request, prepared);
  return { result: runPreparedAudit(request, prepared, inventory), prepared };
}

const RANK: Record<Exclude<FailOn, 'none'>, number> = { note: 1, warning: 2, error: 3 };

/** True when an unsuppressed finding is at or above the threshold. */
export function failsAt(result: AuditResult, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return result.findings.some((f) => !f.suppressed && RANK[f.severity] >= RANK[failOn]);
}

/**
 * The rules named by `failOnNotEvaluated` (ids, `security`, `all`) that were not evaluated, as a whole or in part,
 * sorted; the gate fails (exit 1) when there is one.
 */
export function abstainedFor(result: AuditResult, selection: readonly string[]): string[] {
  const { notRun, partly } = result.summary.rulesNotEvaluated;
  const security = new Set(result.rules.filter((r) => isSecurityRule(r.meta)).map((r) => r.id));
  const named = (id: string) =>
    selection.includes('all') ||
    selection.includes(id) ||
    (selection.includes('security') && security.has(id));
  return [...notRun, ...partly].filter(named).sort();
}
