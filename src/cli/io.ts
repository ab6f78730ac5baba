import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { AuditError } from '../errors';

/** The CLI's window on the world, injected so tests run the real CLI in-process. */
export interface CliIO {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /**
   * The terminal's width when stdout is a TTY that reports one; unset for files and pipes, so that a report written
   * there is the same on every machine (the text report then wraps at 100).
   */
  stdoutColumns?: number;
  /**
   * Reads stdin up to `limit` bytes (`token -`); a longer input is cut at `limit + 1` bytes, so that the caller can
   * tell it was too long without reading all of it.
   */
  readStdin?: (limit: number) => Promise<string>;
}

export function processIO(): CliIO {
  const stdoutIsTTY = process.stdout.isTTY === true;
  const columns = stdoutIsTTY ? process.stdout.columns : undefined;
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(columns !== undefined && columns > 0 ? { stdoutColumns: columns } : {}),
    readStdin: (limit) => readStream(process.stdin, limit),
  };
}

/** At most `limit + 1` bytes of a stream, as UTF-8 text. */
export function readStream(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', done);
      stream.removeListener('error', reject);
      stream.pause();
      resolve(
        Buffer.concat(chunks)
          .subarray(0, limit + 1)
          .toString('utf8'),
      );
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.length;
      if (size > limit) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', reject);
  });
}

/** The width the text report wraps to on stdout: the terminal's, only when stdout is one. */
export function terminalWidth(io: CliIO): number | undefined {
  return io.stdoutIsTTY ? io.stdoutColumns : undefined;
}

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function useColor(io: CliIO, isTTY: boolean): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] === '0') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '') return true;
  return isTTY;
}

/** A report's text in pieces, written one after the other (a large JSON or SARIF report is never one string). */
export interface TextPieces {
  pieces: Iterable<string>;
}

/** Characters gathered before a write: few system calls, little held. */
const WRITE_BATCH = 256 * 1024;

/**
 * Writes `text` to `file` (resolved against `cwd`) without ever writing through a symbolic link: into a new
 * temporary file in the same folder, then renamed over the target (rename replaces a link, never follows it).
 */
export function writeOutputFile(
  cwd: string,
  file: string,
  text: string | TextPieces,
  flag = '--output',
): void {
  const target = checkOutputFile(cwd, file, flag);
  const dir = path.dirname(target);
  const temp = path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    // 'wx': O_CREAT | O_EXCL, so the temporary file is new (never an existing file or link).
    if (typeof text === 'string') writeFileSync(temp, text, { flag: 'wx', mode: 0o644 });
    else writePieces(temp, text.pieces);
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Not created, or already renamed.
    }
    const code = (error as { code?: unknown }).code;
    throw new AuditError(
      'usage',
      `${flag} ${file} cannot be written (${String(code ?? (error as Error).message)}).`,
    );
  }
}

function writePieces(temp: string, pieces: Iterable<string>): void {
  const fd = openSync(temp, 'wx', 0o644);
  try {
    let batch: string[] = [];
    let size = 0;
    const flush = () => {
      const bytes = Buffer.from(batch.join(''), 'utf8');
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
      batch = [];
      size = 0;
    };
    for (const piece of pieces) {
      batch.push(piece);
      size += piece.length;
      if (size >= WRITE_BATCH) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

/**
 * Where `--output` (or another flag that names a file to write: `flag`) goes, checked before the audit so that a bad
 * path fails fast: a missing folder, a target that is a symbolic link or not a regular file is a usage error (exit 2)
 * naming the flag and the path as given.
 */
export function checkOutputFile(cwd: string, file: string, flag = '--output'): string {
  const target = path.resolve(cwd, file);
  const dir = path.dirname(target);
  let dirStats;
  try {
    dirStats = statSync(dir);
  } catch {
    throw new AuditError(
      'usage',
      `${flag} ${file}: the folder ${path.dirname(file)} does not exist; create it first.`,
    );
  }
  if (!dirStats.isDirectory()) {
    throw new AuditError('usage', `${flag} ${file}: ${path.dirname(file)} is not a folder.`);
  }
  let existing;
  try {
    existing = lstatSync(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink()) {
    throw new AuditError(
      'usage',
      `${flag} ${file} is a symbolic link; it is not written through (remove it or choose another path).`,
    );
  }
  if (existing && !existing.isFile()) {
    throw new AuditError('usage', `${flag} ${file} exists and is not a regular file.`);
  }
  return target;
}
