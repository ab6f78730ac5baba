/**
 * Reading many files on a second thread while this one works on the files read before: a worker thread runs the
 * same `readBytes` (every check it makes: inside the root, regular file only, the size cap, non-blocking open), one
 * file after the other in the order given, and hands the bytes over in blocks (transferred, not copied). The open,
 * fstat, read and close of 10,000 manifests then cost the main thread nothing but a message per block.
 *
 * The worker runs read-thread-worker.js, compiled (`dist/`); run from TypeScript sources (tests), or when the worker
 * cannot start or stops early, the files not read yet are read on this thread with the same `readBytes`: the results
 * are the same either way, only where the system calls run differs.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Allocator, FileReadError, type FileProblem, readBytes, withReadLimits } from './files';

/** A file to read, and the root it must resolve inside (undefined: known to be inside). */
export interface ReadRequest {
  file: string;
  root: string | undefined;
}

/** The bytes of a file, or why it was not read (what `readBytes` threw). */
export type ReadResult = Buffer | Error;

/** Block size: a message carries at most this many bytes of small files (a larger file travels on its own). */
const BLOCK = 256 * 1024;
/** A message carries at most this many results, so that the first files arrive early. */
const BATCH = 256;
/** The worker's script: its own file (a bundle of this package has none, and reads on the main thread). */
const WORKER = path.join(__dirname, 'read-thread-worker.js');

/** One result on the wire: bytes in the batch's buffers, or the error `readBytes` threw. */
type WireResult =
  | [buffer: number, offset: number, length: number]
  | { problem: FileProblem | undefined; message: string; line: number | undefined };

export interface Batch {
  buffers: ArrayBuffer[];
  results: WireResult[];
}

export interface Start {
  requests: ReadRequest[];
  maxFileSize: number;
}

/**
 * The worker, started before the list of files is known (it starts while the folders are listed); `read` gives it
 * the list. `close` ends it early; it ends by itself once every file is read.
 */
export class ReadThread {
  private readonly worker: Worker;
  private readonly queue: Batch[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;

  private constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.on('message', (batch: Batch) => {
      this.queue.push(batch);
      this.signal();
    });
    // A worker that fails or exits before its last batch: the rest is read on this thread.
    this.worker.on('error', () => this.stop());
    this.worker.on('exit', () => this.stop());
  }

  /**
   * A worker running `script` (read-thread-worker.js next to this module, by default), or undefined when there is
   * none to run: from TypeScript sources, or when the thread cannot be created.
   */
  static start(script: string = WORKER): ReadThread | undefined {
    if (!script.endsWith('.js')) return undefined;
    try {
      return new ReadThread(script);
    } catch {
      return undefined;
    }
  }

  /**
   * The results of `requests`, in their order, in batches: from the worker while it runs, then (if it stopped
   * early) from this thread. `fallback` allocates the bytes of the files read on this thread.
   */
  async *read(
    requests: readonly ReadRequest[],
    maxFileSize: number,
    fallback?: Allocator,
  ): AsyncGenerator<ReadResult[]> {
    let done = 0;
    if (!this.stopped) {
      const start: Start = { requests: [...requests], maxFileSize };
      this.worker.postMessage(start);
    }
    while (done < requests.length) {
      const batch = this.queue.shift();
      if (batch) {
        const results = batch.results.map((wire) => fromWire(wire, batch.buffers));
        done += results.length;
        yield results;
      } else if (this.stopped) break;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (done < requests.length) {
      yield readOnThisThread(requests.slice(done), maxFileSize, fallback);
    }
  }

  /** Ends the worker (nothing is read after). */
  close(): void {
    if (this.stopped) return;
    this.stop();
    void this.worker.terminate();
  }

  private stop(): void {
    this.stopped = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** `readBytes` of each request, on this thread; an error is the result, as the worker sends it. */
export function readOnThisThread(
  requests: readonly ReadRequest[],
  maxFileSize: number,
  arena?: Allocator,
): ReadResult[] {
  return withReadLimits({ maxFileSize }, () =>
    requests.map(({ file, root }) => {
      try {
        return readBytes(file, root, arena);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
}

function fromWire(wire: WireResult, buffers: readonly ArrayBuffer[]): ReadResult {
  if (Array.isArray(wire)) {
    const [index, offset, length] = wire;
    const buffer = buffers[index];
    if (!buffer) throw new Error(`read thread: no buffer ${index}`);
    return Buffer.from(buffer, offset, length);
  }
  return wire.problem === undefined
    ? new Error(wire.message)
    : new FileReadError(wire.problem, wire.message, wire.line);
}

function toWire(error: unknown): WireResult {
  if (error instanceof FileReadError)
    return { problem: error.problem, message: error.message, line: error.line };
  return {
    problem: undefined,
    message: error instanceof Error ? error.message : String(error),
    line: undefined,
  };
}

/**
 * The worker's memory for the bytes it reads: small files are carved out of the current block, a large one gets
 * its own buffer; `send` posts the results so far with their buffers (transferred: this thread no longer sees them).
 */
class Outbox implements Allocator {
  private buffers: ArrayBuffer[] = [];
  private results: WireResult[] = [];
  private block: Buffer | undefined;
  private used = 0;

  constructor(private readonly post: (batch: Batch, transfer: ArrayBuffer[]) => void) {}

  take(size: number): Buffer {
    if (size > BLOCK / 4) {
      const own = new ArrayBuffer(size);
      this.buffers.push(own);
      return Buffer.from(own);
    }
    if (!this.block || this.used + size > this.block.length) {
      // The block is full: what was read into it goes now (the file being read goes into the next block).
      if (this.block) this.send();
      const block = new ArrayBuffer(BLOCK);
      this.buffers.push(block);
      this.block = Buffer.from(block);
      this.used = 0;
    }
    const slice = this.block.subarray(this.used, this.used + size);
    this.used += size;
    return slice;
  }

  add(bytes: Buffer): void {
    const index = this.buffers.findIndex((buffer) => buffer === bytes.buffer);
    this.results.push([index, bytes.byteOffset, bytes.length]);
    if (this.results.length >= BATCH) this.send();
  }

  fail(error: unknown): void {
    this.results.push(toWire(error));
  }

  send(): void {
    if (this.results.length === 0 && this.buffers.length === 0) return;
    const batch: Batch = { buffers: this.buffers, results: this.results };
    this.post(batch, this.buffers);
    this.buffers = [];
    this.results = [];
    // A block handed over is gone; the next small file starts a new one.
    this.block = undefined;
  }
}

/** The worker's part (read-thread-worker.ts): reads `start.requests` and posts their results in batches. */
export function work(start: Start, post: (batch: Batch, transfer: ArrayBuffer[]) => void): void {
  const outbox = new Outbox(post);
  withReadLimits({ maxFileSize: start.maxFileSize }, () => {
    for (const { file, root } of start.requests) {
      try {
        outbox.add(readBytes(file, root, outbox));
      } catch (error) {
        outbox.fail(error);
      }
    }
  });
  outbox.send();
}
