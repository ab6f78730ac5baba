/**
 * `token` (issue 14): the I/O around src/token/. Reads the token (an argument, stdin with `-`, or a claims file
 * through the safe file reader), loads the sources like `scan`, and prints the diagnosis. The token is never
 * printed, logged or written: errors about it say what is wrong, never quote it.
 *
 * Exit codes: 0 the token passes every check, 1 it is rejected, 2 bad input, 3 something the checks need is unknown.
 */
import path from 'node:path';
import { loadInventory, prepareAudit } from '../audit';
import { AuditError } from '../errors';
import { jsonText } from '../../reporters/common';
import { mapStrings } from '../util/json';
import { toolVersion } from '../util/package-root';
import {
  decodeInput,
  diagnosisToJson,
  diagnoseToken,
  formatDiagnosis,
  MAX_TOKEN_BYTES,
  parseClaims,
  type DecodedToken,
} from '../token';
import { fileProblem, FileReadError, readNamedText, withReadLimits } from '../util/files';
import { configRequest, parseNow, readLimits, type ConfigFlags } from './commands';
import { EXIT, type ExitCode } from './exit-codes';
import type { CliIO } from './io';

export interface TokenCommand extends ConfigFlags {
  name: 'token';
  sources: string[];
  api: string;
  operation?: string;
  method?: string;
  url?: string;
  /** The token as given, `-` for stdin; absent with --claims. */
  jwt?: string;
  claims?: string;
  header: string;
  /** `text` (default) or `json`. */
  format?: 'text' | 'json';
  product?: string;
  now?: string;
  maxFileSize?: string;
  verbose: boolean;
}

/** Every check of the command line, before any input is read. */
function checkUsage(command: TokenCommand): void {
  const given = (command.jwt !== undefined ? 1 : 0) + (command.claims !== undefined ? 1 : 0);
  if (given !== 1) {
    throw new AuditError(
      'usage',
      given === 0
        ? 'token: give the token as an argument, - to read it from stdin, or --claims <file>.'
        : 'token: give the token or --claims <file>, not both.',
    );
  }
  if (command.operation !== undefined && (command.method !== undefined || command.url !== undefined)) {
    throw new AuditError(
      'usage',
      'token: name the operation by --operation or by --method and --url, not both.',
    );
  }
  if (command.operation === undefined && command.url === undefined) {
    throw new AuditError(
      'usage',
      'token: name the operation: --operation <id>, or --method <method> --url <path>.',
    );
  }
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(command.header)) {
    throw new AuditError('usage', '--header: not a header name.');
  }
}

async function readToken(command: TokenCommand, io: CliIO): Promise<DecodedToken> {
  let result;
  if (command.claims !== undefined) {
    const file = path.resolve(io.cwd, command.claims);
    let text: string;
    try {
      text = withReadLimits({ maxFileSize: MAX_TOKEN_BYTES }, () => readNamedText(file));
    } catch (error) {
      const why =
        error instanceof FileReadError && error.problem === 'too-large'
          ? `${command.claims} is over the ${MAX_TOKEN_BYTES}-byte limit of a claims file`
          : fileProblem(command.claims, error);
      throw new AuditError('usage', `--claims ${why}`);
    }
    result = parseClaims(text);
  } else if (command.jwt === '-') {
    if (!io.readStdin) throw new AuditError('usage', 'token -: stdin cannot be read here.');
    result = decodeInput(await io.readStdin(MAX_TOKEN_BYTES));
  } else {
    result = decodeInput(command.jwt ?? '');
  }
  if (!result.ok) throw new AuditError('usage', `token: ${result.problem}.`);
  return result.token;
}

/** What looks like a JWT (three base64url segments) in a message: a token given where a name was expected. */
const JWT_LIKE = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]*/;

export async function runToken(command: TokenCommand, io: CliIO): Promise<ExitCode> {
  try {
    return await diagnose(command, io);
  } catch (error) {
    // A message may quote an option's value (--api, --operation, --url), and a pasted token may be one of them.
    if (
      error instanceof AuditError &&
      (JWT_LIKE.test(error.message) || error.details.some((d) => JWT_LIKE.test(d)))
    ) {
      const clean = (text: string) =>
        text.replace(new RegExp(JWT_LIKE.source, 'g'), '<redacted: looks like a token>');
      throw new AuditError(error.code, clean(error.message), error.details.map(clean));
    }
    throw error;
  }
}

async function diagnose(command: TokenCommand, io: CliIO): Promise<ExitCode> {
  checkUsage(command);
  const now = parseNow(command.now);
  const limits = readLimits(command.maxFileSize);
  const token = await readToken(command, io);
  const request = {
    cwd: io.cwd,
    sources: command.sources,
    env: io.env,
    now,
    ...configRequest(command, io.env),
  };
  const prepared = prepareAudit(request);
  const inventory = await withReadLimits(limits, () => loadInventory(request, prepared));
  const outcome = diagnoseToken(inventory, prepared.config.links ?? [], {
    query: {
      api: command.api,
      ...(command.operation !== undefined ? { operation: command.operation } : {}),
      ...(command.method !== undefined ? { method: command.method } : {}),
      ...(command.url !== undefined ? { url: command.url } : {}),
    },
    token,
    header: command.header,
    now,
    ...(command.product !== undefined ? { product: command.product } : {}),
  });
  if (outcome.kind === 'not-found') throw new AuditError('usage', `token: ${outcome.message}.`);
  const { diagnosis, gaps, redact } = outcome;
  if (command.format === 'json') {
    io.stdout(jsonText(mapStrings(diagnosisToJson(diagnosis, token, gaps, toolVersion()), redact)));
  } else {
    const extra = gaps.map((g) => `Incomplete source: ${g}`);
    io.stdout(redact(formatDiagnosis(diagnosis, token, extra)));
  }
  if (diagnosis.verdict === 'reject') return EXIT.findings;
  if (diagnosis.verdict === 'unknown' || gaps.length > 0) return EXIT.incomplete;
  return EXIT.ok;
}
