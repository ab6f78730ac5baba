#!/usr/bin/env node
/**
 * argv -> run -> exit code. The only module that calls process.exit or writes to the real stdout.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { REPORTER_NAMES, reporters, type ReporterName } from '../../reporters';
import { audit, failsAt, prepareAudit } from '../audit';
import { unknownRuleMessage } from '../engine/config';
import { AuditError, EXIT, exitCodeFor, type ExitCode } from '../engine/errors';
import { SEVERITIES, type FailOn, type SeverityLevel } from '../engine/types';
import { toolVersion } from '../util/package-root';
import { processIO, useColor, type CliIO } from './io';
import { rulesTextTable } from './rules-table';

export const EXIT_CODES_HELP = `Exit codes:
  0  nothing at or above --fail-on (default: error)
  1  findings at or above --fail-on
  2  invalid usage, configuration or input (the message names the place)
  3  audit incomplete: a source could not be read fully, or a rule crashed
     (takes precedence over 1: an incomplete audit is never evidence of a clean configuration)`;

type Command =
  | {
      name: 'scan';
      sources: string[];
      config?: string;
      format: ReporterName;
      output?: string;
      failOn?: FailOn;
      rule: string[];
      tag: string[];
      now?: string;
      verbose: boolean;
    }
  | { name: 'rules'; format: 'text' | 'json'; config?: string }
  | { name: 'explain'; ruleId: string; config?: string };

class UsageError extends AuditError {
  constructor(message: string) {
    super('usage', message);
  }
}

function parseArgs(argv: readonly string[]): Promise<{ command?: Command; output: string }> {
  let command: Command | undefined;
  const parser = yargs()
    .scriptName('apim-oauth-audit')
    .usage(
      '$0 <command> [options]\n\nAudit the OAuth 2.0 wiring between Azure API Management and Microsoft Entra ID.',
    )
    .command(
      'scan [sources..]',
      'Audit the configuration read from the sources and report findings',
      (y) =>
        y
          .positional('sources', { type: 'string', array: true, describe: 'Bare paths to snapshot files' })
          .option('source', {
            alias: 's',
            type: 'string',
            array: true,
            describe: 'A source as <kind>:<path> (repeatable), e.g. snapshot:tenant.json',
          })
          .option('config', {
            alias: 'c',
            type: 'string',
            describe: 'Config file (default: ./.auditrc.json when present)',
          })
          .option('format', {
            alias: 'f',
            choices: REPORTER_NAMES,
            default: 'text' as ReporterName,
            describe: 'Report format',
          })
          .option('output', {
            alias: 'o',
            type: 'string',
            describe: 'Write the report to this file instead of stdout',
          })
          .option('fail-on', {
            choices: ['error', 'warning', 'note', 'none'] as const,
            describe: 'Lowest severity that makes the exit code 1 (default: config failOn, else error)',
          })
          .option('rule', {
            type: 'string',
            array: true,
            describe: 'Override a rule level: <rule-id>=off|error|warning|note (repeatable)',
          })
          .option('tag', {
            type: 'string',
            array: true,
            describe: 'Run only rules with one of these tags (repeatable)',
          })
          .option('now', {
            type: 'string',
            describe:
              'Evaluate time-based rules (secret expiry, suppression expiry) at this ISO 8601 instant',
          })
          .option('verbose', {
            alias: 'v',
            type: 'boolean',
            default: false,
            describe: 'Show stack traces of crashes',
          })
          .example('$0 scan examples/contoso/snapshot.json', 'Audit a snapshot, text report')
          .example(
            '$0 scan --source snapshot:tenant.json --format sarif --output audit.sarif',
            'SARIF for GitHub code scanning',
          ),
      (args) => {
        command = {
          name: 'scan',
          sources: [...(args.sources ?? []), ...(args.source ?? [])],
          format: args.format,
          rule: args.rule ?? [],
          tag: args.tag ?? [],
          verbose: args.verbose,
          ...(args.config !== undefined ? { config: args.config } : {}),
          ...(args.output !== undefined ? { output: args.output } : {}),
          ...(args['fail-on'] !== undefined ? { failOn: args['fail-on'] } : {}),
          ...(args.now !== undefined ? { now: args.now } : {}),
        };
      },
    )
    .command(
      'rules',
      'List the rules (built-in and from plugins in the config)',
      (y) =>
        y
          .option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const })
          .option('config', {
            alias: 'c',
            type: 'string',
            describe: 'Config file whose plugins and levels to include',
          }),
      (args) => {
        command = {
          name: 'rules',
          format: args.format,
          ...(args.config !== undefined ? { config: args.config } : {}),
        };
      },
    )
    .command(
      'explain <rule-id>',
      "Print a rule's documentation: why, errors it prevents, remediation, examples",
      (y) =>
        y
          .positional('rule-id', { type: 'string', demandOption: true })
          .option('config', { alias: 'c', type: 'string', describe: 'Config file whose plugins to include' }),
      (args) => {
        command = {
          name: 'explain',
          ruleId: args['rule-id'],
          ...(args.config !== undefined ? { config: args.config } : {}),
        };
      },
    )
    .demandCommand(1, 'Name a command: scan, rules or explain.')
    .strict()
    .epilogue(EXIT_CODES_HELP)
    .version(toolVersion())
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false);
  return new Promise((resolve, reject) => {
    parser.parse([...argv], {}, (error, _args, output) => {
      if (error) reject(new UsageError(`${error.message}\nRun 'apim-oauth-audit --help' for usage.`));
      else resolve(command ? { command, output } : { output });
    });
  });
}

function parseRuleOverrides(specs: readonly string[]): Record<string, SeverityLevel> {
  const levels: readonly string[] = ['off', ...SEVERITIES];
  const overrides: Record<string, SeverityLevel> = {};
  for (const spec of specs) {
    const [id, level] = spec.split('=');
    if (!id || !level || !levels.includes(level)) {
      throw new UsageError(`--rule ${spec}: expected <rule-id>=${levels.join('|')}`);
    }
    overrides[id] = level as SeverityLevel;
  }
  return overrides;
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now ${value}: not an ISO 8601 date or instant`);
  return date;
}

function runScan(command: Extract<Command, { name: 'scan' }>, io: CliIO): ExitCode {
  const { result, prepared } = audit({
    cwd: io.cwd,
    sources: command.sources,
    ...(command.config !== undefined ? { configFile: command.config } : {}),
    ruleOverrides: parseRuleOverrides(command.rule),
    tags: command.tag,
    now: parseNow(command.now),
  });
  const toFile = command.output !== undefined;
  const report = reporters[command.format](result, {
    color: command.format === 'text' && !toFile && useColor(io, io.stdoutIsTTY),
    baseDir: io.cwd,
    toolVersion: toolVersion(),
  });
  if (command.output !== undefined) {
    writeFileSync(path.resolve(io.cwd, command.output), report);
    io.stderr(`Wrote ${command.format} report (${result.findings.length} findings) to ${command.output}\n`);
  } else {
    io.stdout(report);
  }
  if (command.verbose) {
    for (const crash of result.crashes)
      io.stderr(`Rule ${crash.ruleId} crashed:\n${crash.stack ?? crash.message}\n`);
  }
  if (!result.complete) return EXIT.incomplete;
  return failsAt(result, command.failOn ?? prepared.failOn) ? EXIT.findings : EXIT.ok;
}

function runRules(command: Extract<Command, { name: 'rules' }>, io: CliIO): ExitCode {
  const { registry, config } = prepareAudit({
    cwd: io.cwd,
    ...(command.config ? { configFile: command.config } : {}),
  });
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
  const levels: Record<string, string> = {};
  for (const [id, value] of Object.entries(config.rules ?? {})) {
    const level = typeof value === 'string' ? value : value.severity;
    if (level) levels[id] = level;
  }
  io.stdout(rulesTextTable(registry.rules, levels));
  return EXIT.ok;
}

function runExplain(command: Extract<Command, { name: 'explain' }>, io: CliIO): ExitCode {
  const { registry } = prepareAudit({
    cwd: io.cwd,
    ...(command.config ? { configFile: command.config } : {}),
  });
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

/** Runs the CLI; returns the exit code. Never throws for user errors. */
export async function run(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const { command, output } = await parseArgs(argv);
    if (!command) {
      if (output) io.stdout(output.endsWith('\n') ? output : `${output}\n`);
      return EXIT.ok;
    }
    switch (command.name) {
      case 'scan':
        return runScan(command, io);
      case 'rules':
        return runRules(command, io);
      case 'explain':
        return runExplain(command, io);
    }
  } catch (error) {
    if (error instanceof AuditError) {
      io.stderr(`apim-oauth-audit: ${error.render()}\n`);
      if (verbose && error.stack) io.stderr(`${error.stack}\n`);
      return exitCodeFor(error.code);
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`apim-oauth-audit: internal error: ${message}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    else io.stderr('Run again with --verbose for the stack trace, and please report it.\n');
    // The audit did not finish: never let an internal failure read as a clean result.
    return EXIT.incomplete;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2), processIO()).then((code) => {
    process.exitCode = code;
  });
}
