/**
 * The one way sources read the working tree, which may be written by whoever opened the pull request:
 * only regular files, at most `--max-file-size` bytes, never through a symbolic link that leaves the source
 * root, and UTF-8 that is valid or reported with its line. Errors say what is wrong with the file, never
 * what a link points to or what the file holds; callers prefix the path as they show it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';

export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;

export interface ReadLimits {
  /** Largest file read, in bytes. */
  maxFileSize: number;
}

const limits = new AsyncLocalStorage<ReadLimits>();

/** Runs `fn` (and everything it awaits) with these limits; outside, the defaults apply. */
export function withReadLimits<T>(given: Partial<ReadLimits>, fn: () => T): T {
  return limits.run({ maxFileSize: given.maxFileSize ?? DEFAULT_MAX_FILE_SIZE }, fn);
}

export function maxFileSize(): number {
  return limits.getStore()?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
}

/** `256MB`, `1.5 GB`, `512k`, `1048576B`; a bare number is megabytes. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const bytesOnly = unit === '' && match[3] !== undefined;
  const factor = bytesOnly ? 1 : unit === 'k' ? 1024 : unit === 'g' ? 1024 ** 3 : 1024 ** 2;
  const size = Math.floor(Number(match[1]) * factor);
  return size > 0 && Number.isSafeInteger(size) ? size : undefined;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

export type FileProblem =
  | 'outside-root'
  | 'dangling-link'
  | 'link-loop'
  | 'not-regular'
  | 'too-large'
  | 'invalid-utf8'
  | 'unreadable';

/** Why a file was not read; `message` completes "<file> ..." and quotes neither link targets nor content. */
export class FileReadError extends Error {
  constructor(
    readonly problem: FileProblem,
    message: string,
    /** For invalid UTF-8: the 1-based line of the first bad byte. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function reason(error: unknown): string {
  const code = errnoCode(error);
  return code ? `cannot be read (${code})` : `cannot be read: ${(error as Error).message}`;
}

function within(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks that `file` (which exists as a directory entry) resolves inside `root`: a link that leaves it, a
 * dangling link and a loop are each a `FileReadError`. Returns the resolved path.
 */
/**
 * Real paths of source roots, resolved once per run: every file of a source is checked against the same root.
 * Bounded by the number of sources given. (A root replaced during the run is not looked at again.)
 */
const realRoots = new Map<string, string>();

export function resolveInside(file: string, root: string): string {
  let real: string;
  try {
    // The native realpath(3): one system call, where the JS implementation lstats every path component.
    real = realpathSync.native(file);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ELOOP') throw new FileReadError('link-loop', 'is a symbolic link loop');
    if (code === 'ENOENT' && isLink(file)) {
      throw new FileReadError('dangling-link', 'is a symbolic link to a missing file');
    }
    throw new FileReadError('unreadable', reason(error));
  }
  let realRoot = realRoots.get(root);
  if (realRoot === undefined) {
    try {
      realRoot = realpathSync.native(root);
    } catch (error) {
      throw new FileReadError('unreadable', reason(error));
    }
    realRoots.set(root, realRoot);
  }
  if (!within(realRoot, real)) {
    throw new FileReadError(
      'outside-root',
      'is a symbolic link that leads outside the source folder; it is not followed',
    );
  }
  return real;
}

export function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether a directory entry exists at `file`, as a link too (dangling or looping): reading it says why not. */
export function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of a regular file, opened once and checked on the open descriptor (no check-then-open race);
 * non-blocking, so that opening a FIFO does not wait for a writer. With `root`, the file must resolve inside it.
 * With `scratch`, the bytes are read into its buffer (valid until its next read) and it keeps the file's stamp.
 */
export function readBytes(file: string, root?: string, scratch?: ScratchBuffer): Buffer {
  if (root !== undefined) resolveInside(file, root);
  const cap = maxFileSize();
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ELOOP') throw new FileReadError('link-loop', 'is a symbolic link loop');
    if (code === 'ENOENT' && isLink(file)) {
      throw new FileReadError('dangling-link', 'is a symbolic link to a missing file');
    }
    throw new FileReadError('unreadable', reason(error));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new FileReadError('not-regular', `is ${kindOf(stats)}, not a regular file; it is not read`);
    }
    if (stats.size > cap) {
      throw new FileReadError(
        'too-large',
        `is ${formatSize(stats.size)}, over the ${formatSize(cap)} limit (raise it with --max-file-size)`,
      );
    }
    // Not zero-filled: only the bytes read are returned. Not from the shared 8 KiB pool either: a reader that keeps
    // a small file's bytes would keep the whole pool slab alive. A reader that keeps none gives a scratch buffer.
    if (scratch) scratch.stamp = stampOf(stats);
    const buffer = scratch ? scratch.take(stats.size) : Buffer.allocUnsafeSlow(stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError('unreadable', reason(error));
  } finally {
    closeSync(fd);
  }
}

/**
 * What identifies one version of a file, from `fstat` of the descriptor it was read through: a file read again
 * later (to locate a finding in it) is the same file with the same bytes when its stamp is the same. Writing a
 * file changes its modification and change times, and replacing it (or a link put in its place) changes its inode.
 * The times move with the kernel's clock tick, so a file written again within the tick it was read in, to the same
 * size, goes unseen (as in git's index): a finding then shows a line of the new text.
 */
export interface FileStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

function stampOf(stats: Stats): FileStamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

/**
 * One buffer that many files are read into in turn (`readBytes`), by a reader that decodes each file's bytes at
 * once and keeps none (manifests: 10,000 files cost one growing allocation instead of 26 MB kept for the scan). A
 * file's bytes are valid until the next read; `stamp` is the stamp of the file read last.
 */
export class ScratchBuffer {
  private buffer: Buffer = Buffer.alloc(0);
  stamp: FileStamp | undefined = undefined;

  /** `minimum`: the least it allocates (0 for a buffer that one file is read into). */
  constructor(private readonly minimum = 64 * 1024) {}

  take(size: number): Buffer {
    if (size > this.buffer.length) {
      // Grown by doubling (files of rising sizes cost few allocations), never past the largest file read.
      this.buffer = Buffer.allocUnsafeSlow(
        Math.max(size, Math.min(2 * this.buffer.length, maxFileSize()), this.minimum),
      );
    }
    return this.buffer.subarray(0, size);
  }
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 text (a BOM is kept, as `readFileSync(file, 'utf8')` keeps it); invalid bytes are an error with the line. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new FileReadError('invalid-utf8', `is not valid UTF-8 (line ${line})`, line);
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      if (k === 1) {
        // Overlong forms, surrogates and code points past U+10FFFF.
        if (b === 0xe0 && c < 0xa0) return i;
        if (b === 0xed && c > 0x9f) return i;
        if (b === 0xf0 && c < 0x90) return i;
        if (b === 0xf4 && c > 0x8f) return i;
      }
    }
    i += need + 1;
  }
  return bytes.length;
}

/** `readBytes` + `decodeUtf8`. */
export function readText(file: string, root?: string): string {
  return decodeUtf8(readBytes(file, root));
}

/** `<shown> <why>` for a failed read (`<shown>:<line>: ...` for invalid UTF-8), for messages and gaps. */
export function fileProblem(shown: string, error: unknown): string {
  if (error instanceof FileReadError) {
    return error.line !== undefined ? `${shown}:${error.line}: invalid UTF-8` : `${shown} ${error.message}`;
  }
  return `${shown}: ${(error as Error).message}`;
}

/** The text of a file a source spec names: its folder is the root it may not leave through a link. */
export function readNamedText(file: string): string {
  return readText(file, path.dirname(file));
}
