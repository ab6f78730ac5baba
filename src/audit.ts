/**
 * Orchestration (the I/O edge): config -> registry + plugins -> sources -> inventory -> model -> engine.
 * The CLI and library users call `prepareAudit` / `runPreparedAudit`.
 */
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from './config/file';
import { type AuditConfig } from './config/types';
import { AuditError } from './errors';
import {
  builtinRegistry,
  describeConfiguration,
  resolveAuditSettings,
  withPlugins,
  type AuditSettings,
  type Registry,
} from './registry';
import { runAudit } from './engine/run';
import type { AppliedBaseline } from './engine/baseline';
import { secretRedactor, secretValues } from './policy/secrets';
import { isSecurityRule } from '../rules/support/contract';
import { type AuditResult } from './engine/types';
import { failsGate, type FailOn, type SeverityLevel } from './severity';
import type { Inventory } from './inventory/types';
import { normalize } from './model/normalize';
import { displayPath } from './util/package-root';
import { locateInSnapshot, snapshotText } from './sources/snapshot/located';
import { placeUnplaced } from './engine/unplaced';
import { timed, type Timings } from './engine/timing';

export interface AuditRequest {
  cwd: string;
  /** `scan --timing`: reading the sources, building the model and each rule add their time here. */
  timings?: Timings;
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
  /** `--only`: run exactly these rules (src/registry/settings.ts decides how it meets the config and rule set). */
  only?: readonly string[];
  /** `--fail-on-not-evaluated`: replaces the config's `failOnNotEvaluated`. */
  failOnNotEvaluated?: readonly string[];
  /** `--rule-set`: replaces the config's `ruleSet` (`recommended`, `all`, or a dated set such as `2026-12`). */
  ruleSet?: string;
  /**
   * Write what the sources collected as a snapshot, and locate findings on live data (no file) in it
   * (`scan --snapshot-out`).
   */
  snapshotOut?: SnapshotOut;
  /**
   * Every finding must have a file and line (SARIF for code scanning): live sources without `snapshotOut` are a
   * usage error, raised before any source is read.
   */
  fileLocations?: boolean;
  /**
   * `scan --baseline`: findings whose fingerprint it records are marked `unchanged` and do not fail the gate; the
   * others are `new`. Read and validated by the caller before any source is read.
   */
  baseline?: AppliedBaseline;
  /** Attach the effective-policy chains behind the policy findings (`AuditResult.policyChains`; the HTML report). */
  policyChains?: boolean;
  now: Date;
}

/** Where `scan --snapshot-out` writes: the path as given (relative to cwd), and the writer (the CLI's safe one). */
export interface SnapshotOut {
  file: string;
  write(text: string): void;
}

/**
 * Config, registry and every setting of the audit, resolved before any source is read: the rules to run (after
 * `--tag`), each rule's level and options, `failOn` and `failOnNotEvaluated` (src/registry/settings.ts).
 */
export interface PreparedAudit extends AuditSettings {
  config: AuditConfig;
  configFile: string | undefined;
  registry: Registry;
}

/** What `prepareAudit` reads of the request: everything but the sources and the I/O sinks. */
export type PrepareRequest = Pick<AuditRequest, 'cwd'> &
  Partial<
    Pick<
      AuditRequest,
      | 'configFile'
      | 'noConfig'
      | 'plugins'
      | 'failOn'
      | 'failOnNotEvaluated'
      | 'ruleOverrides'
      | 'tags'
      | 'only'
      | 'ruleSet'
      | 'now'
    >
  >;

/**
 * Loads config and plugins and resolves every setting against the registry, so that a configuration problem is
 * reported before (and without) reading any source; throws AuditError (exit 2) listing every problem found.
 */
export function prepareAudit(request: PrepareRequest): PreparedAudit {
  const { config, file, baseDir } = loadConfig(request.configFile, request.cwd, {
    ...(request.noConfig !== undefined ? { noConfig: request.noConfig } : {}),
    ...(request.plugins !== undefined ? { plugins: request.plugins } : {}),
    ...(request.now !== undefined ? { now: request.now } : {}),
  });
  const registry = withPlugins(builtinRegistry(), config.plugins ?? [], baseDir);
  const settings = resolveAuditSettings(registry, config, {
    shown: file ? displayPath(file, request.cwd) : DEFAULT_CONFIG_FILE,
    ...(request.ruleOverrides !== undefined ? { ruleOverrides: request.ruleOverrides } : {}),
    ...(request.tags !== undefined ? { tags: request.tags } : {}),
    ...(request.only !== undefined ? { only: request.only } : {}),
    ...(request.failOn !== undefined ? { failOn: request.failOn } : {}),
    ...(request.failOnNotEvaluated !== undefined ? { failOnNotEvaluated: request.failOnNotEvaluated } : {}),
    ...(request.ruleSet !== undefined ? { ruleSet: request.ruleSet } : {}),
  });
  return { ...settings, config, configFile: file, registry };
}

/** The source specs of the run: the command line's, else the config's. */
function sourceSpecs(request: Pick<AuditRequest, 'sources'>, prepared: PreparedAudit): readonly string[] {
  return request.sources.length > 0 ? request.sources : (prepared.config.sources ?? []);
}

export async function loadInventory(request: AuditRequest, prepared: PreparedAudit): Promise<Inventory> {
  const fromCli = request.sources.length > 0;
  const specs = sourceSpecs(request, prepared);
  if (specs.length === 0) {
    throw new AuditError(
      'usage',
      'No sources to audit: pass a snapshot path or --source <kind>:<path>, or set "sources" in .auditrc.json.',
    );
  }
  const baseDir = fromCli || !prepared.configFile ? request.cwd : path.dirname(prepared.configFile);
  // The source kinds (YAML, ARM, Terraform readers) load only for a run that reads sources: not for `rules`/`explain`.
  const { loadSources } = await import('./sources');
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

/**
 * Runs the prepared audit over what the sources collected. The rules, their settings and the gate come from
 * `prepared` (resolved by `prepareAudit`); of `request` only the clock and the working directory are read here.
 */
export function runPreparedAudit(
  request: Pick<AuditRequest, 'cwd' | 'now' | 'baseline' | 'policyChains'>,
  prepared: PreparedAudit,
  inventory: Inventory,
): AuditResult {
  return auditInventory(request, prepared, inventory).result;
}

/**
 * `runPreparedAudit`, and the redactor of the secret values the data holds, for outputs made after the audit from
 * the files themselves (the diff of `--fix-dry-run` shows lines around each edit).
 */
function auditInventory(
  request: Pick<AuditRequest, 'cwd' | 'now' | 'baseline' | 'policyChains' | 'timings'>,
  prepared: PreparedAudit,
  inventory: Inventory,
): { result: AuditResult; redact: (text: string) => string } {
  const { rules, settings } = prepared;
  const { timings } = request;
  const model = timed(timings, 'build the model', () => {
    const built = normalize(inventory, prepared.config.links ?? []);
    placeUnplaced(built, inventory.files);
    return built;
  });
  const configuration = describeConfiguration(
    prepared.configFile ? displayPath(prepared.configFile, request.cwd) : null,
    prepared.failOn,
    prepared.config.suppressions ?? [],
    rules,
    settings,
    prepared.ruleSet,
    prepared.only !== undefined
      ? { registry: prepared.registry.rules.map((r) => r.id), named: prepared.only }
      : undefined,
    prepared.tags !== undefined
      ? {
          registry: prepared.registry.rules.map((r) => r.id),
          tags: prepared.tags,
          kept: rules.map((r) => r.id),
        }
      : undefined,
  );
  const result = runAudit(model, {
    rules,
    settings,
    suppressions: prepared.config.suppressions ?? [],
    now: request.now,
    files: inventory.files,
    sources: inventory.sources.map((s) => s.spec),
    ...(timings ? { timings } : {}),
  });
  const { baseline } = request;
  // Loaded only when asked for (a baseline, an HTML report): a plain scan starts without them.
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loads, typed by their import types */
  const compared = baseline
    ? (require('./engine/baseline') as typeof import('./engine/baseline')).compareWithBaseline(
        result,
        baseline,
        request.now,
      )
    : result;
  const gate = baseline
    ? { ...configuration, baseline: { ...baseline.source, entries: baseline.entries.length } }
    : configuration;
  const redact = secretRedactor(secretValues(model));
  const chains = request.policyChains
    ? {
        policyChains: (
          require('./engine/policy-chains') as typeof import('./engine/policy-chains')
        ).policyChains({
          model,
          findings: compared.findings,
          rules: compared.rules,
          files: inventory.files,
          redact,
        }),
      }
    : {};
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { result: { ...compared, configuration: gate, ...chains }, redact };
}

/** The whole audit in one call. */
export async function audit(
  request: AuditRequest,
): Promise<{ result: AuditResult; prepared: PreparedAudit; redact: (text: string) => string }> {
  const prepared = prepareAudit(request);
  if (request.fileLocations && !request.snapshotOut) await refuseLiveSources(request, prepared);
  const { timings } = request;
  const loaded = timings
    ? await timings.timeAsync('read sources', () => loadInventory(request, prepared))
    : await loadInventory(request, prepared);
  const inventory = request.snapshotOut ? writeSnapshot(loaded, request.snapshotOut, request.cwd) : loaded;
  return { ...auditInventory(request, prepared, inventory), prepared };
}

/**
 * Code scanning shows a result only at a file and line, and live data (`graph`, `azure:<id>`) has neither: a run
 * that needs them and reads a live source must write a snapshot to locate the findings in. Checked from the specs
 * alone, before any source is read (no network call). A bare path is never live (`parseSourceSpec` reads `graph`
 * alone as the kind, as here).
 */
async function refuseLiveSources(request: AuditRequest, prepared: PreparedAudit): Promise<void> {
  const { SOURCE_KINDS, sourceKindInfo } = await import('./sources');
  const live = sourceSpecs(request, prepared).filter((raw) => {
    const kind = SOURCE_KINDS.find((k) => raw === k || raw.startsWith(`${k}:`));
    return kind !== undefined && !sourceKindInfo(kind).takesPath;
  });
  if (live.length === 0) return;
  throw new AuditError(
    'usage',
    `SARIF needs a file and line for every finding, and live data (${live.join(', ')}) has none: add --snapshot-out <file> with a path inside the repository (e.g. --snapshot-out audit/tenant.json), so findings point at that snapshot's lines.`,
  );
}

/**
 * Writes the snapshot of what was collected, then points the findings on live data at its lines (the snapshot's
 * own origins, so that a later scan of the file gives the same locations).
 */
function writeSnapshot(inventory: Inventory, out: SnapshotOut, cwd: string): Inventory {
  const text = snapshotText(inventory, new Date().toISOString());
  out.write(text);
  return locateInSnapshot(inventory, text, displayPath(path.resolve(cwd, out.file), cwd));
}

/**
 * True when a finding at or above the threshold is neither suppressed nor recorded in the baseline the run compared
 * with (`unchanged`).
 */
export function failsAt(result: AuditResult, failOn: FailOn): boolean {
  return result.findings.some(
    (f) => !f.suppressed && f.baseline !== 'unchanged' && failsGate(f.severity, failOn),
  );
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
