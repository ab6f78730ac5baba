/**
 * Baseline files at the CLI's edge: `scan --baseline FILE` reads one (as the untrusted file it may be: the same file
 * checks as every input, then the schema), and `baseline --output FILE` writes one through the output-file checks,
 * keeping each entry's first date from the file it replaces. Where the file lies is part of what the reports state:
 * a baseline in the working tree was written by whoever wrote the tree.
 */
import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { jsonText, staleBaselineMessage, plural } from '../../reporters/common';
import { isTrustedConfigPath } from '../config/trust';
import { baselineDocument, parseBaseline, recordBaseline, type AppliedBaseline } from '../engine/baseline';
import type { AuditResult, BaselineComparison, BaselineEntry } from '../engine/types';
import { AuditError } from '../errors';
import { fileProblem, readNamedText } from '../util/files';
import { displayPath } from '../util/package-root';
import { writeOutputFile, type CliIO } from './io';

/** `--baseline-max-age`: a whole number of days, at least 1. */
export function parseMaxAge(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new AuditError(
      'usage',
      `--baseline-max-age ${String(value)}: expected a whole number of days, 1 or more`,
    );
  }
  return value;
}

/** The text of a baseline file, read like every input: a regular file, within --max-file-size, strict UTF-8. */
function readBaselineText(target: string, shown: string): string {
  try {
    return readNamedText(target);
  } catch (error) {
    throw new AuditError('baseline-invalid', `Baseline ${fileProblem(shown, error)}`);
  }
}

/** `scan --baseline FILE`, read and validated before any source is read (call it inside `withReadLimits`). */
export function loadBaseline(io: CliIO, file: string, maxAgeDays: number, now: Date): AppliedBaseline {
  const target = path.resolve(io.cwd, file);
  if (!existsSync(target) && !isDanglingLink(target)) {
    throw new AuditError(
      'usage',
      `--baseline ${file}: no such file; write one with 'apim-oauth-audit baseline --output ${file}'.`,
    );
  }
  const shown = shownPath(target, io.cwd);
  const entries = parseBaseline(readBaselineText(target, shown), shown, now);
  return {
    source: { file: shown, inWorkingTree: !isTrustedConfigPath(target, io.cwd) },
    entries,
    maxAgeDays,
  };
}

/** Relative to the working directory when inside it; else absolute (`$RUNNER_TEMP/...` reads better than `../..`). */
function shownPath(target: string, cwd: string): string {
  const shown = displayPath(target, cwd);
  return shown.startsWith('../') ? target.split(path.sep).join('/') : shown;
}

function isDanglingLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The baseline `baseline --output FILE` replaces, whose first dates are kept: none when the file does not exist yet.
 * A file that is there but invalid is an error (exit 2), never silently replaced.
 */
export function previousBaseline(io: CliIO, file: string, now: Date): BaselineEntry[] {
  const target = path.resolve(io.cwd, file);
  if (!existsSync(target)) return [];
  const shown = shownPath(target, io.cwd);
  try {
    return parseBaseline(readBaselineText(target, shown), shown, now);
  } catch (error) {
    if (error instanceof AuditError) {
      throw new AuditError(
        error.code,
        `${error.message.replace(/:$/, '')}; it is not overwritten (delete it to record a new baseline from scratch)${error.details.length > 0 ? ':' : '.'}`,
        error.details,
      );
    }
    throw error;
  }
}

/** Writes the baseline of `result` to `file`, and says on stderr what it records. */
export function writeBaseline(
  io: CliIO,
  file: string,
  result: AuditResult,
  previous: readonly BaselineEntry[],
  now: Date,
): void {
  const entries = recordBaseline(result.findings, previous, now);
  writeOutputFile(io.cwd, file, jsonText(baselineDocument(entries)));
  const before = new Set(previous.map((e) => e.fingerprint));
  const kept = entries.filter((e) => before.has(e.fingerprint)).length;
  const dropped = previous.length - kept;
  const suppressed = result.findings.filter((f) => f.suppressed).length;
  const notes = [
    previous.length > 0 ? `${kept} kept with their first date, ${entries.length - kept} new` : '',
    dropped > 0 ? `${dropped} no longer found and dropped` : '',
    suppressed > 0 ? `${suppressed} suppressed not recorded (the config's suppressions accept them)` : '',
  ].filter((n) => n !== '');
  io.stderr(
    `Wrote baseline (${plural(entries.length, 'finding')}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}) to ${file}\n`,
  );
}

/** The age warning on stderr (the reports carry it too): how many accepted findings are old, and the oldest. */
export function warnBaselineAge(comparison: BaselineComparison, io: CliIO): void {
  const message = staleBaselineMessage(comparison);
  if (message !== undefined) io.stderr(`warning: ${message}\n`);
}
