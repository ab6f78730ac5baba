/**
 * What each CLI command does, once argv is parsed. Output goes through the injected CliIO.
 */
import { reporters, reportPieces, type ReporterName, type ReporterOptions } from '../../reporters';
import {
  abstainedFor,
  audit,
  failsAt,
  loadInventory,
  prepareAudit,
  type AuditRequest,
  type SnapshotOut,
} from '../audit';
import { CONFIG_ENV, PLUGINS_ENV } from '../config/trust';
import { AuditError } from '../errors';
import { EXIT, type ExitCode } from './exit-codes';
import { SEVERITIES, type FailOn, type SeverityLevel } from '../severity';
import { snapshotText } from '../sources/snapshot/located';
import { toolVersion } from '../util/package-root';
import { withReadLimits, parseSize } from '../util/files';
import { checkOutputFile, terminalWidth, useColor, writeOutputFile, type CliIO } from './io';
import { reportTargets, type ReportTarget } from './reports';
import { formatTimings, timed, Timings } from '../engine/timing';
import type { AuditResult } from '../engine/types';
import { rulesTextTable } from './rules-table';
import { applyFixes, checkFixFlags, printFixDiff, sarifFixes } from './fix-command';
import { DEFAULT_BASELINE_MAX_AGE_DAYS } from './options';
import { collectAfterAudit } from './memory';
import { setOwn } from '../util/json';

/** Baseline files (./baseline.ts), loaded only by a run that reads or writes one: a plain scan starts without them. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, typed by the import type
const baselineFiles = () => require('./baseline') as typeof import('./baseline');

/** `--config`, `--no-config` and `--plugins`, shared by every command. */
export interface ConfigFlags {
  config?: string;
  noConfig?: boolean;
  plugins?: boolean;
}

export interface ScanCommand extends ConfigFlags {
  name: 'scan';
  sources: string[];
  format: ReporterName;
  output?: string;
  /** `--report <format>=<file>` as given: more reports from the same run (`-` is stdout). */
  reports?: string[];
  /** `--link-base`: what the markdown report's file links start with. */
  linkBase?: string;
  failOn?: FailOn;
  /** Rule ids, `security`, `all` or `none`: replaces the config's `failOnNotEvaluated`. */
  failOnNotEvaluated?: string[];
  rule: string[];
  tag: string[];
  /** `--only`: run exactly these rules (ids, already split at commas). */
  only?: string[];
  /** `--rule-set`: replaces the config's `ruleSet`. */
  ruleSet?: string;
  now?: string;
  /** `--max-file-size` as given (`512MB`). */
  maxFileSize?: string;
  /** `--snapshot-out`: write the collected data as a snapshot; live findings are located in it. */
  snapshotOut?: string;
  /** `--compact`: one line per finding in the text report. */
  compact?: boolean;
  /** `--fix`: apply the safe fixes to files. */
  fix?: boolean;
  /** `--fix-dry-run`: print the fixes as a unified diff. */
  fixDryRun?: boolean;
  /** `--baseline FILE`: findings it records do not fail the gate. */
  baseline?: string;
  /** `--baseline-max-age DAYS`. */
  baselineMaxAge?: number;
  /** `--timing`: print how long each step took to stderr. */
  timing?: boolean;
  verbose: boolean;
}

/** `baseline`: the scan options that choose the rules and the config, and the file to write. */
export interface BaselineCommand extends ConfigFlags {
  name: 'baseline';
  sources: string[];
  output: string;
  rule: string[];
  tag: string[];
  ruleSet?: string;
  now?: string;
  maxFileSize?: string;
  verbose: boolean;
}

export interface ExplainCommand extends ConfigFlags {
  name: 'explain';
  /** A rule id, an error code or a pasted message; absent with `--list`. */
  target?: string;
  list: boolean;
}

export interface SnapshotCommand extends ConfigFlags {
  name: 'snapshot';
  sources: string[];
  output: string;
  maxFileSize?: string;
  verbose: boolean;
}

export type Command =
  | ScanCommand
  | BaselineCommand
  | SnapshotCommand
  | ({ name: 'rules'; format: 'text' | 'json' } & ConfigFlags)
  | ExplainCommand;

/**
 * Flags and environment -> which config, and whether its plugins may load. `APIM_AUDIT_CONFIG=none` is
 * `--no-config`, another value is `--config`; `APIM_AUDIT_PLUGINS=1` (or true) is `--plugins`. Flags win.
 */
export function configRequest(
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>>,
): { configFile?: string; noConfig: boolean; plugins: boolean } {
  const fromEnv = env[CONFIG_ENV]?.trim();
  const noConfig = flags.noConfig === true || (flags.config === undefined && fromEnv === 'none');
  const configFile = flags.config ?? (fromEnv && fromEnv !== 'none' ? fromEnv : undefined);
  const plugins = flags.plugins === true || ['1', 'true'].includes(env[PLUGINS_ENV]?.trim() ?? '');
  return { ...(configFile !== undefined && !noConfig ? { configFile } : {}), noConfig, plugins };
}

function parseRuleOverrides(specs: readonly string[]): Record<string, SeverityLevel> {
  const levels: readonly string[] = ['off', ...SEVERITIES];
  const overrides: Record<string, SeverityLevel> = {};
  for (const spec of specs) {
    const [id, level] = spec.split('=');
    if (!id || !level || !levels.includes(level)) {
      throw new AuditError('usage', `--rule ${spec}: expected <rule-id>=${levels.join('|')}`);
    }
    // A plain assignment would turn `--rule __proto__=off` into a prototype change and drop it silently; defined as
    // an own property, it reaches the unknown-rule-id check like any other typo.
    setOwn(overrides, id, level);
  }
  return overrides;
}

/** `--max-file-size` in bytes (the default when not given). */
export function readLimits(given: string | undefined): { maxFileSize?: number } {
  if (given === undefined) return {};
  const size = parseSize(given);
  if (size === undefined) {
    throw new AuditError('usage', `--max-file-size ${given}: expected a size such as 512MB or 2GB`);
  }
  return { maxFileSize: size };
}

export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new AuditError('usage', `--now ${value}: not an ISO 8601 date or instant`);
  return date;
}

type SourceSinks = Pick<AuditRequest, 'log' | 'progress' | 'env'> & {
  /** Ends an open progress line (the request total grows as work is discovered, so it never "completes"). */
  end(): void;
};

/** Source I/O context: verbose request log, and progress on stderr only when it is a terminal. */
function sourceSinks(io: CliIO, verbose: boolean): SourceSinks {
  let lastProgress = '';
  let open = false;
  const end = () => {
    if (open) io.stderr('\n');
    open = false;
  };
  return {
    env: io.env,
    log: verbose
      ? (message) => {
          end();
          io.stderr(`${message}\n`);
        }
      : () => undefined,
    progress: io.stderrIsTTY
      ? (done, total, what) => {
          const line = `\r${what}: ${done}/${total}`;
          if (line !== lastProgress) io.stderr(line);
          lastProgress = line;
          open = true;
        }
      : () => undefined,
    end,
  };
}

export async function runScan(command: ScanCommand, io: CliIO): Promise<ExitCode> {
  const limits = readLimits(command.maxFileSize);
  const targets = reportTargets(
    io.cwd,
    { format: command.format, file: command.output },
    command.reports ?? [],
    command.linkBase,
  );
  checkFixFlags(command);
  if (command.fixDryRun && targets.slice(1).some((t) => t.file === undefined)) {
    throw new AuditError(
      'usage',
      '--report <format>=-: under --fix-dry-run stdout carries the diff; give a file.',
    );
  }
  const now = parseNow(command.now);
  const timings = command.timing === true ? new Timings() : undefined;
  const baseline = scanBaseline(command, io, limits, now);
  const { end, ...sinks } = sourceSinks(io, command.verbose);
  const snapshotOut =
    command.snapshotOut !== undefined ? snapshotWriter(io, command.snapshotOut, end) : undefined;
  const run = () =>
    withReadLimits(limits, () =>
      audit({
        cwd: io.cwd,
        sources: command.sources,
        ...(snapshotOut !== undefined ? { snapshotOut } : {}),
        // Code scanning drops a result without a file and line: SARIF of live data needs --snapshot-out.
        fileLocations: targets.some((t) => t.format === 'sarif'),
        // The HTML report shows the effective policies behind policy findings.
        policyChains: targets.some((t) => t.format === 'html'),
        ...configRequest(command, io.env),
        ...(command.failOn !== undefined ? { failOn: command.failOn } : {}),
        ...sinks,
        ruleOverrides: parseRuleOverrides(command.rule),
        tags: command.tag,
        ...(command.only !== undefined ? { only: command.only } : {}),
        ...(command.ruleSet !== undefined ? { ruleSet: command.ruleSet } : {}),
        ...(command.failOnNotEvaluated !== undefined
          ? { failOnNotEvaluated: command.failOnNotEvaluated }
          : {}),
        ...(baseline !== undefined ? { baseline } : {}),
        ...(timings !== undefined ? { timings } : {}),
        now,
      }),
    ).finally(end);
  const first = await run();
  const { prepared } = first;
  let { result } = first;
  if (command.fixDryRun) printFixDiff(result, io, first.redact);
  // After --fix the report is of the files as fixed: what remains.
  if (command.fix) result = await applyFixes(result, io, async () => (await run()).result);
  // The audit's model is garbage now: collected before the reports allocate, when that is worth it (memory.ts).
  const collecting = performance.now();
  if (collectAfterAudit()) {
    timings?.add('garbage collection (after the audit)', performance.now() - collecting, 'phase');
  }
  for (const target of targets) {
    const toFile = target.file !== undefined;
    const width = toFile ? undefined : terminalWidth(io);
    const options: ReporterOptions = {
      color: target.format === 'text' && !toFile && useColor(io, io.stdoutIsTTY),
      ...(command.compact === true ? { compact: true } : {}),
      ...(width !== undefined ? { width } : {}),
      baseDir: io.cwd,
      toolVersion: toolVersion(),
      // Rule docs reach the reporter as context, not through the audit result.
      ruleDocs: prepared.registry.docs,
      ...(target.format === 'sarif' ? { fixes: sarifFixes(result, io) } : {}),
      ...(command.linkBase !== undefined ? { linkBase: command.linkBase } : {}),
      timestamp: now,
    };
    const flag = target === targets[0] ? '--output' : '--report';
    timed(timings, `report ${target.format}`, () =>
      writeReport(target, flag, result, options, command.fixDryRun === true, io),
    );
  }
  if (timings) io.stderr(`\n${formatTimings(timings.list(), timings.elapsed())}`);
  if (result.baseline) baselineFiles().warnBaselineAge(result.baseline, io);
  if (command.verbose) {
    for (const crash of result.crashes)
      io.stderr(`Rule ${crash.ruleId} crashed:\n${crash.stack ?? crash.message}\n`);
  }
  if (!result.complete) return EXIT.incomplete;
  const abstained = abstainedFor(result, prepared.failOnNotEvaluated);
  if (abstained.length > 0) {
    io.stderr(`Exit 1: not (fully) evaluated, and named by failOnNotEvaluated: ${abstained.join(', ')}\n`);
  }
  const fails = failsAt(result, prepared.failOn) || abstained.length > 0;
  return fails ? EXIT.findings : EXIT.ok;
}

/** One report of a scan, to its file or to stdout. */
function writeReport(
  target: ReportTarget,
  flag: '--output' | '--report',
  result: AuditResult,
  options: ReporterOptions,
  fixDryRun: boolean,
  io: CliIO,
): void {
  // JSON and SARIF go out in pieces, to a file or stdout: a large report is never one string in memory.
  const pieces = reportPieces[target.format];
  if (target.file !== undefined) {
    const report = pieces ? { pieces: pieces(result, options) } : reporters[target.format](result, options);
    writeOutputFile(io.cwd, target.file, report, flag);
    io.stderr(`Wrote ${target.format} report (${result.findings.length} findings) to ${target.file}\n`);
  } else if (!fixDryRun) {
    // Under --fix-dry-run the diff is what stdout carries; the report goes only to a file.
    if (pieces) for (const piece of pieces(result, options)) io.stdout(piece);
    else io.stdout(reporters[target.format](result, options));
  }
}

/** `--baseline FILE`, read and validated before any source is read; `--baseline-max-age` needs it. */
function scanBaseline(command: ScanCommand, io: CliIO, limits: { maxFileSize?: number }, now: Date) {
  if (command.baseline === undefined) {
    if (command.baselineMaxAge !== undefined) {
      throw new AuditError('usage', '--baseline-max-age applies to a baseline: add --baseline <file>');
    }
    return undefined;
  }
  const file = command.baseline;
  const maxAge = baselineFiles().parseMaxAge(command.baselineMaxAge, DEFAULT_BASELINE_MAX_AGE_DAYS);
  return withReadLimits(limits, () => baselineFiles().loadBaseline(io, file, maxAge, now));
}

/**
 * `baseline`: audits like `scan` (same sources, config and rule selection) and records the findings that are not
 * suppressed, keeping the first date of each one the replaced file already recorded. An incomplete audit is still
 * recorded (what could not be read is missing from it, so it fails later as new), with exit code 3.
 */
export async function runBaseline(command: BaselineCommand, io: CliIO): Promise<ExitCode> {
  const limits = readLimits(command.maxFileSize);
  checkOutputFile(io.cwd, command.output);
  const now = parseNow(command.now);
  const previous = withReadLimits(limits, () => baselineFiles().previousBaseline(io, command.output, now));
  const { end, ...sinks } = sourceSinks(io, command.verbose);
  const { result } = await withReadLimits(limits, () =>
    audit({
      cwd: io.cwd,
      sources: command.sources,
      ...configRequest(command, io.env),
      ...sinks,
      ruleOverrides: parseRuleOverrides(command.rule),
      tags: command.tag,
      ...(command.ruleSet !== undefined ? { ruleSet: command.ruleSet } : {}),
      now,
    }),
  ).finally(end);
  baselineFiles().writeBaseline(io, command.output, result, previous, now);
  if (result.complete) return EXIT.ok;
  io.stderr(
    'Audit incomplete: what could not be read is not in the baseline (its findings will fail the gate as new).\n',
  );
  for (const gap of result.gaps) io.stderr(`incomplete: ${gap.source}: ${gap.what}: ${gap.reason}\n`);
  for (const crash of result.crashes)
    io.stderr(`incomplete: rule ${crash.ruleId} crashed: ${crash.message}\n`);
  return EXIT.incomplete;
}

/**
 * `--snapshot-out FILE`: checked like `--output` before anything is read, written (as `snapshot` writes it) once the
 * sources are loaded, and announced on stderr (after ending an open progress line).
 */
function snapshotWriter(io: CliIO, file: string, endProgress: () => void): SnapshotOut {
  checkOutputFile(io.cwd, file, '--snapshot-out');
  return {
    file,
    write: (text) => {
      writeOutputFile(io.cwd, file, text, '--snapshot-out');
      endProgress();
      io.stderr(`Wrote snapshot to ${file}\n`);
    },
  };
}

/**
 * Writes what the sources collected as a snapshot document (validated by its schema, no secret values).
 * A collection with gaps is still written, so it can be inspected, but the exit code says it is incomplete.
 */
export async function runSnapshot(command: SnapshotCommand, io: CliIO): Promise<ExitCode> {
  const { end, ...sinks } = sourceSinks(io, command.verbose);
  const request: AuditRequest = {
    cwd: io.cwd,
    sources: command.sources,
    ...configRequest(command, io.env),
    ...sinks,
    now: new Date(),
  };
  const limits = readLimits(command.maxFileSize);
  checkOutputFile(io.cwd, command.output);
  const inventory = await withReadLimits(limits, () => loadInventory(request, prepareAudit(request))).finally(
    end,
  );
  writeOutputFile(io.cwd, command.output, snapshotText(inventory, new Date().toISOString()));
  const counts = `${inventory.applications.length} applications, ${inventory.services.length} APIM services`;
  io.stderr(`Wrote snapshot (${counts}) to ${command.output}\n`);
  for (const gap of inventory.gaps) io.stderr(`incomplete: ${gap.source}: ${gap.what}: ${gap.reason}\n`);
  return inventory.gaps.length > 0 ? EXIT.incomplete : EXIT.ok;
}

export function runRules(command: Extract<Command, { name: 'rules' }>, io: CliIO): ExitCode {
  const { registry, settings } = prepareAudit({ cwd: io.cwd, ...configRequest(command, io.env) });
  if (command.format === 'json') {
    const list = registry.rules.map((r) => ({
      id: r.id,
      ...r.meta,
      options: r.options ? { schema: r.options.schema, defaults: r.options.defaults } : null,
      helpUri: registry.docs[r.id]?.helpUri ?? null,
    }));
    io.stdout(JSON.stringify({ version: 1, rules: list }, null, 2) + '\n');
    return EXIT.ok;
  }
  // The levels in effect: the config's rules and its rule set (a rule outside the set is off).
  const levels: Record<string, string> = {};
  for (const [id, setting] of Object.entries(settings)) if (setting.level) levels[id] = setting.level;
  io.stdout(rulesTextTable(registry.rules, levels));
  return EXIT.ok;
}

/** `explain`: a rule's doc, an error code or a pasted message, or `--list` (./explain-command.ts). */
export async function runExplain(command: ExplainCommand, io: CliIO): Promise<ExitCode> {
  const { registry } = prepareAudit({ cwd: io.cwd, ...configRequest(command, io.env) });
  const { explainText } = await import('./explain-command');
  io.stdout(explainText(command.target, command.list, registry));
  return EXIT.ok;
}
