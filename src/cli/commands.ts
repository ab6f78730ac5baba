/**
 * What each CLI command does, once argv is parsed. Output goes through the injected CliIO.
 */
import { reporters, type ReporterName } from '../../reporters';
import {
  abstainedFor,
  audit,
  failsAt,
  loadInventory,
  prepareAudit,
  type AuditRequest,
  type SnapshotOut,
} from '../audit';
import { unknownRuleMessage } from '../registry';
import { CONFIG_ENV, PLUGINS_ENV } from '../config/trust';
import { AuditError } from '../errors';
import { EXIT, type ExitCode } from './exit-codes';
import { SEVERITIES, type FailOn, type SeverityLevel } from '../severity';
import { snapshotText } from '../sources/snapshot/located';
import { toolVersion } from '../util/package-root';
import { withReadLimits, parseSize } from '../util/files';
import { checkOutputFile, terminalWidth, useColor, writeOutputFile, type CliIO } from './io';
import { rulesTextTable } from './rules-table';
import { applyFixes, checkFixFlags, printFixDiff, sarifFixes } from './fix-command';

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
  failOn?: FailOn;
  /** Rule ids, `security`, `all` or `none`: replaces the config's `failOnNotEvaluated`. */
  failOnNotEvaluated?: string[];
  rule: string[];
  tag: string[];
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
  verbose: boolean;
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
  | SnapshotCommand
  | ({ name: 'rules'; format: 'text' | 'json' } & ConfigFlags)
  | ({ name: 'explain'; ruleId: string } & ConfigFlags);

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
    Object.defineProperty(overrides, id, {
      value: level,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return overrides;
}

/** `--max-file-size` in bytes (the default when not given). */
function readLimits(given: string | undefined): { maxFileSize?: number } {
  if (given === undefined) return {};
  const size = parseSize(given);
  if (size === undefined) {
    throw new AuditError('usage', `--max-file-size ${given}: expected a size such as 512MB or 2GB`);
  }
  return { maxFileSize: size };
}

function parseNow(value: string | undefined): Date {
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
  if (command.output !== undefined) checkOutputFile(io.cwd, command.output);
  checkFixFlags(command);
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
        fileLocations: command.format === 'sarif',
        // The HTML report shows the effective policies behind policy findings.
        policyChains: command.format === 'html',
        ...configRequest(command, io.env),
        ...(command.failOn !== undefined ? { failOn: command.failOn } : {}),
        ...sinks,
        ruleOverrides: parseRuleOverrides(command.rule),
        tags: command.tag,
        ...(command.ruleSet !== undefined ? { ruleSet: command.ruleSet } : {}),
        ...(command.failOnNotEvaluated !== undefined
          ? { failOnNotEvaluated: command.failOnNotEvaluated }
          : {}),
        now: parseNow(command.now),
      }),
    ).finally(end);
  const first = await run();
  const { prepared } = first;
  let { result } = first;
  if (command.fixDryRun) printFixDiff(result, io, first.redact);
  // After --fix the report is of the files as fixed: what remains.
  if (command.fix) result = await applyFixes(result, io, async () => (await run()).result);
  const toFile = command.output !== undefined;
  const width = toFile ? undefined : terminalWidth(io);
  const report = reporters[command.format](result, {
    color: command.format === 'text' && !toFile && useColor(io, io.stdoutIsTTY),
    ...(command.compact === true ? { compact: true } : {}),
    ...(width !== undefined ? { width } : {}),
    baseDir: io.cwd,
    toolVersion: toolVersion(),
    // Rule docs reach the reporter as context, not through the audit result.
    ruleDocs: prepared.registry.docs,
    ...(command.format === 'sarif' ? { fixes: sarifFixes(result, io) } : {}),
  });
  if (command.output !== undefined) {
    writeOutputFile(io.cwd, command.output, report);
    io.stderr(`Wrote ${command.format} report (${result.findings.length} findings) to ${command.output}\n`);
  } else if (!command.fixDryRun) {
    // Under --fix-dry-run the diff is what stdout carries; the report goes only to a file.
    io.stdout(report);
  }
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

/**
 * `--snapshot-out FILE`: checked like `--output` before anything is read, written (as `snapshot` writes it) once the
 * sources are loaded, and announced on stderr (after ending an open progress line).
 */
function snapshotWriter(io: CliIO, file: string, endProgress: () => void): SnapshotOut {
  asSnapshotOut(file, () => checkOutputFile(io.cwd, file));
  return {
    file,
    write: (text) => {
      asSnapshotOut(file, () => writeOutputFile(io.cwd, file, text));
      endProgress();
      io.stderr(`Wrote snapshot to ${file}\n`);
    },
  };
}

/** The output checks name `--output`; for this flag they name `--snapshot-out`. */
function asSnapshotOut(file: string, action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (error instanceof AuditError && error.message.startsWith(`--output ${file}`)) {
      throw new AuditError(
        error.code,
        `--snapshot-out${error.message.slice('--output'.length)}`,
        error.details,
      );
    }
    throw error;
  }
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

export function runExplain(command: Extract<Command, { name: 'explain' }>, io: CliIO): ExitCode {
  const { registry } = prepareAudit({ cwd: io.cwd, ...configRequest(command, io.env) });
  const rule = registry.rules.find((r) => r.id === command.ruleId);
  if (!rule) {
    throw new AuditError(
      'rule-unknown',
      unknownRuleMessage(
        command.ruleId,
        registry.rules.map((r) => r.id),
      ),
    );
  }
  const doc = registry.docs[rule.id]?.docs;
  io.stdout(doc ?? `# ${rule.meta.title}\n\n(No documentation was found for rule '${rule.id}'.)\n`);
  return EXIT.ok;
}
