#!/usr/bin/env node
/**
 * argv -> run -> exit code. The only module that calls process.exit or writes to the real stdout.
 */
import yargs from 'yargs';
import { REPORTER_NAMES, type ReporterName } from '../../reporters';
import { AuditError, EXIT, exitCodeFor, type ExitCode } from '../errors';
import { toolVersion } from '../util/package-root';
import { escapeLines } from '../util/escape';
import { CONFIG_ENV, PLUGINS_ENV } from '../config/trust';
import { runExplain, runRules, runScan, runSnapshot, type Command, type ConfigFlags } from './commands';
import { processIO, type CliIO } from './io';

export const EXIT_CODES_HELP = `Exit codes:
  0  nothing at or above --fail-on (default: error)
  1  findings at or above --fail-on, or a rule named by --fail-on-not-evaluated not (fully) evaluated
  2  invalid usage, configuration or input (the message names the place)
  3  audit incomplete: a source could not be read fully, or a rule crashed
     (takes precedence over 1: an incomplete audit is never evidence of a clean configuration)`;

/** `security,api-oauth-enabled` -> `['security', 'api-oauth-enabled']` (spaces and empty items dropped). */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `--config FILE`, `--no-config` (yargs gives `config: false`) and `--plugins`. */
function configFlags(args: { config?: unknown; plugins?: boolean | undefined }): ConfigFlags {
  return {
    ...(typeof args.config === 'string' ? { config: args.config } : {}),
    ...(args.config === false ? { noConfig: true } : {}),
    ...(args.plugins === true ? { plugins: true } : {}),
  };
}

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
            describe: `Config file (default: ./.auditrc.json when present; --no-config or ${CONFIG_ENV}=none: none)`,
          })
          .option('plugins', {
            type: 'boolean',
            describe: `Load the plugins the config lists (they run code; also ${PLUGINS_ENV}=1)`,
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
          .option('max-file-size', {
            type: 'string',
            describe: 'Largest input file read, e.g. 512MB or 2GB (default 256MB; a bare number is MB)',
          })
          .option('fail-on', {
            choices: ['error', 'warning', 'note', 'none'] as const,
            describe: 'Lowest severity that makes the exit code 1 (default: config failOn, else error)',
          })
          .option('fail-on-not-evaluated', {
            type: 'string',
            describe:
              'Exit 1 when one of these rules is not (fully) evaluated: <rule-id,...>, security, all or none (default: config failOnNotEvaluated, else none)',
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
          ...configFlags(args),
          ...(args.output !== undefined ? { output: args.output } : {}),
          ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
          ...(args['fail-on'] !== undefined ? { failOn: args['fail-on'] } : {}),
          ...(args['fail-on-not-evaluated'] !== undefined
            ? { failOnNotEvaluated: splitList(args['fail-on-not-evaluated']) }
            : {}),
          ...(args.now !== undefined ? { now: args.now } : {}),
        };
      },
    )
    .command(
      'snapshot',
      'Collect the configuration from the sources and write it as a snapshot file (no secret values)',
      (y) =>
        y
          .option('source', {
            alias: 's',
            type: 'string',
            array: true,
            demandOption: true,
            describe: 'A source as <kind>:<location> (repeatable), e.g. graph, azure:<resource id>',
          })
          .option('output', {
            alias: 'o',
            type: 'string',
            demandOption: true,
            describe: 'Snapshot file to write',
          })
          .option('max-file-size', {
            type: 'string',
            describe: 'Largest input file read, e.g. 512MB or 2GB (default 256MB; a bare number is MB)',
          })
          .option('config', {
            alias: 'c',
            type: 'string',
            describe: `Config file (default: ./.auditrc.json when present; --no-config or ${CONFIG_ENV}=none: none)`,
          })
          .option('plugins', {
            type: 'boolean',
            describe: `Load the plugins the config lists (they run code; also ${PLUGINS_ENV}=1)`,
          })
          .option('verbose', {
            alias: 'v',
            type: 'boolean',
            default: false,
            describe: 'Log each request (method, path, status, duration; never tokens)',
          })
          .example(
            '$0 snapshot --source graph --source azure:/subscriptions/<id> --output tenant.json',
            'Snapshot a live tenant',
          ),
      (args) => {
        command = {
          name: 'snapshot',
          sources: args.source,
          output: args.output,
          verbose: args.verbose,
          ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
          ...configFlags(args),
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
          })
          .option('plugins', {
            type: 'boolean',
            describe: `Load the plugins the config lists (they run code; also ${PLUGINS_ENV}=1)`,
          }),
      (args) => {
        command = {
          name: 'rules',
          format: args.format,
          ...configFlags(args),
        };
      },
    )
    .command(
      'explain <rule-id>',
      "Print a rule's documentation: why, errors it prevents, remediation, examples",
      (y) =>
        y
          .positional('rule-id', { type: 'string', demandOption: true })
          .option('config', { alias: 'c', type: 'string', describe: 'Config file whose plugins to include' })
          .option('plugins', {
            type: 'boolean',
            describe: `Load the plugins the config lists (they run code; also ${PLUGINS_ENV}=1)`,
          }),
      (args) => {
        command = {
          name: 'explain',
          ruleId: args['rule-id'],
          ...configFlags(args),
        };
      },
    )
    .demandCommand(1, 'Name a command: scan, snapshot, rules or explain.')
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

/** Runs the CLI; returns the exit code. Never throws for user errors. */
export async function run(argv: readonly string[], rawIo: CliIO): Promise<ExitCode> {
  // Errors, progress and notes quote names and paths from the input: no control character or workflow command
  // reaches the terminal or CI log through stderr (src/util/escape.ts).
  const io: CliIO = { ...rawIo, stderr: (text) => rawIo.stderr(escapeLines(text)) };
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const { command, output } = await parseArgs(argv);
    if (!command) {
      if (output) io.stdout(output.endsWith('\n') ? output : `${output}\n`);
      return EXIT.ok;
    }
    switch (command.name) {
      case 'scan':
        return await runScan(command, io);
      case 'snapshot':
        return await runSnapshot(command, io);
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
