#!/usr/bin/env node
/**
 * argv -> run -> exit code. The only module that calls process.exit or writes to the real stdout.
 *
 * Startup is part of the user experience (`--version`, `--help`, a pre-commit hook): this module and what it
 * imports stay light, and ./commands (engine, rules, reporters, sources) loads only once a command is parsed.
 * test/cli/startup/startup-modules.test.ts keeps it so.
 */
// First: what loads after it compiles from the build's code cache (compile-cache.ts).
import './compile-cache-install';
import yargs, { type Argv, type InferredOptionTypes, type Options } from 'yargs';
import { AuditError } from '../errors';
import { toolVersion } from '../util/package-root';
import { escapeLines } from '../util/escape';
import type { Command, ConfigFlags } from './commands';
import { withoutHelpCaching } from './help-cache';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes';
import { processIO, type CliIO } from './io';
import {
  BASELINE,
  EXPLAIN,
  EXPLAIN_TARGET,
  RULES,
  SCAN,
  SCAN_SOURCES,
  SNAPSHOT,
  TOKEN,
  TOKEN_JWT,
} from './options';
import type { TokenCommand } from './token-command';

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

type ArgsOf<O extends Record<string, Options>> = InferredOptionTypes<O>;

function scanCommand(args: ArgsOf<typeof SCAN.options> & { sources?: string[] | undefined }): Command {
  return {
    name: 'scan',
    sources: [...(args.sources ?? []), ...(args.source ?? [])],
    format: args.format,
    rule: args.rule ?? [],
    tag: args.tag ?? [],
    ...(args.only !== undefined ? { only: args.only.flatMap(splitList) } : {}),
    verbose: args.verbose,
    ...(args.timing ? { timing: true } : {}),
    ...configFlags(args),
    ...(args.output !== undefined ? { output: args.output } : {}),
    reports: args.report ?? [],
    ...(args['link-base'] !== undefined ? { linkBase: args['link-base'] } : {}),
    ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
    ...(args['fail-on'] !== undefined ? { failOn: args['fail-on'] } : {}),
    ...(args['fail-on-not-evaluated'] !== undefined
      ? { failOnNotEvaluated: splitList(args['fail-on-not-evaluated']) }
      : {}),
    ...(args['rule-set'] !== undefined ? { ruleSet: args['rule-set'] } : {}),
    ...(args.now !== undefined ? { now: args.now } : {}),
    ...(args['snapshot-out'] !== undefined ? { snapshotOut: args['snapshot-out'] } : {}),
    ...(args.baseline !== undefined ? { baseline: args.baseline } : {}),
    ...(args['baseline-max-age'] !== undefined ? { baselineMaxAge: args['baseline-max-age'] } : {}),
    compact: args.compact,
    fix: args.fix,
    fixDryRun: args['fix-dry-run'],
  };
}

function baselineCommand(
  args: ArgsOf<typeof BASELINE.options> & { sources?: string[] | undefined },
): Command {
  return {
    name: 'baseline',
    sources: [...(args.sources ?? []), ...(args.source ?? [])],
    output: args.output,
    rule: args.rule ?? [],
    tag: args.tag ?? [],
    verbose: args.verbose,
    ...configFlags(args),
    ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
    ...(args['rule-set'] !== undefined ? { ruleSet: args['rule-set'] } : {}),
    ...(args.now !== undefined ? { now: args.now } : {}),
  };
}

function snapshotCommand(args: ArgsOf<typeof SNAPSHOT.options>): Command {
  return {
    name: 'snapshot',
    sources: args.source,
    output: args.output,
    verbose: args.verbose,
    ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
    ...configFlags(args),
  };
}

/** `explain <rule-id | error>` or `explain --list`; runExplain refuses both and neither. */
function explainCommand(
  args: ArgsOf<typeof EXPLAIN.options> & { 'rule-id-or-error'?: string | undefined },
): Command {
  const target = args['rule-id-or-error'];
  return {
    name: 'explain',
    ...(target !== undefined ? { target } : {}),
    list: args.list,
    ...configFlags(args),
  };
}

/** `token [jwt]`: the token as given (or `-`), or --claims. */
function tokenCommand(
  args: ArgsOf<typeof TOKEN.options> & { jwt?: string | undefined },
  argv: readonly string[],
): TokenCommand {
  // yargs reads a lone `-` as an empty string.
  const jwt = args.jwt === '' && argv.includes('-') ? '-' : args.jwt;
  return {
    name: 'token',
    sources: args.source ?? [],
    api: args.api,
    ...(args.operation !== undefined ? { operation: args.operation } : {}),
    ...(args.method !== undefined ? { method: args.method } : {}),
    ...(args.url !== undefined ? { url: args.url } : {}),
    ...(jwt !== undefined ? { jwt: String(jwt) } : {}),
    ...(args.claims !== undefined ? { claims: args.claims } : {}),
    header: args.header,
    format: args.format,
    ...(args.product !== undefined ? { product: args.product } : {}),
    ...(args.now !== undefined ? { now: args.now } : {}),
    ...(args['max-file-size'] !== undefined ? { maxFileSize: args['max-file-size'] } : {}),
    verbose: args.verbose,
    ...configFlags(args),
  };
}

/**
 * A parse error of `token` may quote an argument, and an argument may be the token: every argument that could be
 * one (long, or with the dots of a JWT, or after Bearer) is replaced before the message is shown.
 */
function withoutTokens(message: string, argv: readonly string[]): string {
  let out = message;
  for (const arg of argv) {
    if (arg.length >= 24 || /\S\.\S*\./.test(arg) || /^bearer\s/i.test(arg))
      out = out.split(arg).join('<redacted>');
  }
  return out;
}

/** A command's options and examples, from its table. */
function declare<T, O extends Record<string, Options>>(
  y: Argv<T>,
  table: { options: O; examples: readonly (readonly [string, string])[] },
): Argv<Omit<T, keyof O> & InferredOptionTypes<O>> {
  const withOptions = y.options(table.options);
  for (const [command, description] of table.examples) withOptions.example(command, description);
  return withOptions;
}

function parseArgs(argv: readonly string[]): Promise<{ command?: Command | TokenCommand; output: string }> {
  let command: Command | TokenCommand | undefined;
  const parser = yargs()
    .scriptName('apim-oauth-audit')
    .usage(
      '$0 <command> [options]\n\nAudit the OAuth 2.0 wiring between Azure API Management and Microsoft Entra ID.',
    )
    .command(
      SCAN.command,
      SCAN.describe,
      (y) => declare(y.positional('sources', SCAN_SOURCES), SCAN),
      (args) => void (command = scanCommand(args)),
    )
    .command(
      BASELINE.command,
      BASELINE.describe,
      (y) => declare(y.positional('sources', SCAN_SOURCES), BASELINE),
      (args) => void (command = baselineCommand(args)),
    )
    .command(
      SNAPSHOT.command,
      SNAPSHOT.describe,
      (y) => declare(y, SNAPSHOT),
      (args) => void (command = snapshotCommand(args)),
    )
    .command(
      RULES.command,
      RULES.describe,
      (y) => declare(y, RULES),
      (args) => void (command = { name: 'rules', format: args.format, ...configFlags(args) }),
    )
    .command(
      EXPLAIN.command,
      EXPLAIN.describe,
      (y) => declare(y.positional('rule-id-or-error', EXPLAIN_TARGET), EXPLAIN),
      (args) => void (command = explainCommand(args)),
    )
    .command(
      TOKEN.command,
      TOKEN.describe,
      (y) => declare(y.positional('jwt', TOKEN_JWT), TOKEN),
      (args) => void (command = tokenCommand(args, argv)),
    )
    .demandCommand(1, 'Name a command: scan, baseline, snapshot, rules, explain or token.')
    .strict()
    .epilogue(EXIT_CODES_HELP)
    .version(toolVersion())
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false);
  withoutHelpCaching(parser);
  return new Promise((resolve, reject) => {
    parser.parse([...argv], {}, (error, _args, output) => {
      if (error) {
        const message = argv[0] === 'token' ? withoutTokens(error.message, argv) : error.message;
        reject(new UsageError(`${message}\nRun 'apim-oauth-audit --help' for usage.`));
      } else resolve(command ? { command, output } : { output });
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
    const { runBaseline, runExplain, runRules, runScan, runSnapshot } = await import('./commands');
    switch (command.name) {
      case 'scan':
        return await runScan(command, io);
      case 'baseline':
        return await runBaseline(command, io);
      case 'snapshot':
        return await runSnapshot(command, io);
      case 'rules':
        return runRules(command, io);
      case 'explain':
        return await runExplain(command, io);
      case 'token': {
        const { runToken } = await import('./token-command');
        return await runToken(command, io);
      }
    }
  } catch (error) {
    if (error instanceof AuditError) {
      io.stderr(`apim-oauth-audit: ${error.render()}\n`);
      if (verbose && error.stack) io.stderr(`${error.stack}\n`);
      return EXIT.usage;
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
