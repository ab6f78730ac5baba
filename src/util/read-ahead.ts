/**
 * Reading a large source folder ahead of the code that parses it, on a second thread: a worker lists the folders of
 * each planned unit (a folder read recursively: one API of an APIOps tree) and reads its regular files, in the order
 * the source will ask for them, while the main thread parses the units before. The main thread stays synchronous:
 * it takes a unit's listings and bytes when it reaches the unit, waiting (`Atomics.wait`) only when the worker has
 * not got there yet. Listing and reading a 5,000-API tree costs about as much as parsing it, so this halves that
 * part of a scan on two cores.
 *
 * It only ever saves work, never decides anything: the worker follows no symbolic link (a link is listed as a link
 * and read by the main thread, with every check of files.ts), opens with O_NOFOLLOW | O_NONBLOCK, reads only what
 * `fstat` says is a regular file no larger than the size limit, and leaves out whatever fails. Anything it left out
 * or has not reached, the main thread reads itself, with the same errors as without read-ahead.
 *
 * Bounded: at most `MAX_UNITS_AHEAD` units, `MAX_ENTRIES_AHEAD` listed entries and `MAX_BYTES_AHEAD` bytes are read
 * and not yet taken (one unit larger than that waits until the main thread has taken the units before it); a unit
 * stops reading files past `MAX_UNIT_BYTES` and listing past `MAX_UNIT_ENTRIES` entries or `MAX_DEPTH` levels (the
 * rest is read on the main thread). A worker that fails or stops answering is abandoned and everything is read on
 * the main thread.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import { workerSource } from './worker-require';

/**
 * `node:worker_threads`, loaded when a read-ahead starts (some 2 ms at start-up): a scan of anything but a large
 * APIOps tree never starts one.
 */
function threads(): typeof import('node:worker_threads') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return require('node:worker_threads') as typeof import('node:worker_threads');
}

/** An entry of a listing: what `readdirSync(dir, { withFileTypes: true })` says of it. */
export interface ListedEntry {
  readonly name: string;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * Units the worker may be ahead of the main thread: enough for a 5,000-API tree's worker to read on through the
 * 5,000 app manifests the main thread reads meanwhile (apiops/index.ts starts its read-ahead before the other
 * sources of its phase and yields): with 256 it stopped some 65 ms into those 250, and the scan took as long as
 * before (1.02 x, 8 pairs); with 4,096, 0.952 x the wall time (14 pairs) at the same peak. The entries and bytes
 * bound what so many units may hold.
 */
const MAX_UNITS_AHEAD = 4096;
/**
 * Entries listed (or probed) in the units read and not yet passed: what bounds the listings crossing to the main
 * thread.
 */
const MAX_ENTRIES_AHEAD = 250_000;
const MAX_BYTES_AHEAD = 64 * 1024 * 1024;
const MAX_UNIT_BYTES = 64 * 1024 * 1024;
const MAX_UNIT_ENTRIES = 100_000;
const MAX_DEPTH = 32;
/** Units the worker must be ahead of the main thread to prepare (`prepareAheadUnits`). */
const PREPARE_AHEAD = 8;
/** How long the main thread waits for the worker's next unit before reading everything itself. */
const STALL_MS = 20_000;

/**
 * Whether `count` things (folders, files) are worth reading ahead: with a second core and at least `minimum` of them
 * (a worker takes some 25 ms to start; below that it costs more than it saves). `APIM_AUDIT_READ_AHEAD=off` never
 * reads ahead (a runner that forbids threads), `=on` always does (the tests use it on small trees).
 */
export function readAheadWanted(
  count: number,
  minimum: number,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const setting = readAheadSetting(env);
  if (setting === 'off') return false;
  if (setting === 'on') return count > 0;
  return count >= minimum && availableParallelism() > 1;
}

/**
 * How many units ahead of the main thread the worker must be to do work of the main thread's (`Preparer`): reading
 * a large tree costs the worker about what parsing it costs the main thread, so a worker that always prepared would
 * keep the main thread waiting. `APIM_AUDIT_READ_AHEAD=on` prepares whenever it can (the tests).
 */
export function prepareAheadUnits(env: NodeJS.ProcessEnv = process.env): number {
  return readAheadSetting(env) === 'on' ? 0 : PREPARE_AHEAD;
}

/** `APIM_AUDIT_READ_AHEAD`: `off`, `on`, or `auto` (unset or anything else). */
function readAheadSetting(env: NodeJS.ProcessEnv = process.env): 'on' | 'off' | 'auto' {
  const setting = env['APIM_AUDIT_READ_AHEAD'];
  return setting === 'on' || setting === 'off' ? setting : 'auto';
}

/** Slots of the shared counters. */
const POSTED = 0;
const WANTED = 1;
const BYTES_KIB = 2;
const STOP = 3;
/** Set by the worker while it waits for room: only then does moving on need to wake it. */
const SLEEPING = 4;
/** Blocks the worker allocated (the others it read into were given back). */
const BLOCKS = 5;
/** Set by the main thread while it waits for a unit: only then does posting one need to wake it. */
const AWAITED = 6;

/** Kinds of listed entries, as the worker sends them. */
const FILE = 0;
const FOLDER = 1;
const LINK = 2;
const OTHER = 3;

/** One unit as sent: its listings, and its files' bytes in the block of the batch it travels in. */
interface UnitWire {
  unit: number;
  /**
   * `[dir, names, kinds, probed]` for every folder listed (`probed` 0), or looked into by probe `probed - 1` (the
   * entries among that probe's names only).
   */
  listings: [string, string[], number[], number][];
  /** Every file read, its bytes at `offsets[i]..offsets[i + 1]` of the batch's block. */
  files: string[];
  offsets: number[];
  /** `[i, value]`: what the preparer made of `files[i]`. */
  prepared: [number, unknown][];
}

/**
 * Work the worker may do on some files besides reading them (issue 12: parsing the YAML specifications of a large
 * tree costs the main thread as much as a seventh of the scan). `module` (a path `require` can load) exports
 * `prepare(bytes: Uint8Array): unknown`, a pure function of the bytes whose result crosses threads (structured
 * clone); it is called for the files named one of `names`. What it returns is handed over with the bytes
 * (`takePrepared`); it throws or returns undefined for anything the main thread should work out itself, and a module
 * that cannot be loaded prepares nothing. What it returns must not be a view on the bytes (the block they are in is
 * read into again). A module path ending in `.ts` (the tests, which run the sources) is transpiled with the
 * `typescript` package as it loads (worker-require.ts).
 */
export interface Preparer {
  module: string;
  names: readonly string[];
}

/**
 * Folders looked into for a few names instead of listed (issue 12: an APIOps tree has a folder per operation, and
 * listing 25,000 of them cost the worker more than reading their files; one per authorization server and named value
 * too). Each folder whose parent folder is named `parent` (a unit itself, or a subfolder below a unit) is looked into
 * for each of the names, and the regular files among them are read. What is known of such a folder is those names
 * only (`ReadAhead.probed`): the main thread lists it itself for any other name. A folder where one of the names is
 * anything but a regular file (a link, a folder), cannot be looked up, or is a name usually absent that is there, is
 * listed as usual.
 */
export interface Probe {
  /**
   * The name of the folder whose folders are looked into, or a path of names that ends with it, where the name `*`
   * stands for any one name: the API folders of a product are those in `products/<product>/apis`, not those in
   * `apis/`.
   */
  parent: string;
  /** Names usually there: opened at once (one that is not there costs the worker an exception). */
  present: readonly string[];
  /** Names usually not there: looked up first (`lstat`: no exception for a name that is not there). */
  absent: readonly string[];
}

/** Units read one after the other, sent as one message (small units cost a message each otherwise). */
interface BatchMessage {
  units: UnitWire[];
  block: ArrayBuffer;
}

type Message = BatchMessage | { done: true } | { failed: string };

class Entry implements ListedEntry {
  constructor(
    readonly name: string,
    private readonly kind: number,
  ) {}
  isDirectory(): boolean {
    return this.kind === FOLDER;
  }
  isFile(): boolean {
    return this.kind === FILE;
  }
  isSymbolicLink(): boolean {
    return this.kind === LINK;
  }
}

/** A folder the worker looked into (`Probe`): which probe (its index), and the entries found among its names. */
export interface ProbedFolder {
  probe: number;
  entries: ListedEntry[];
}

interface Unit {
  listings: Map<string, ListedEntry[]>;
  /** The folders probed (`Probe`). */
  probes: Map<string, ProbedFolder>;
  files: Map<string, Buffer>;
  prepared: Map<string, unknown>;
  /** The block the unit's bytes are in, shared with the other units of its batch. */
  held: HeldBlock;
}

/** A block received, and how many of its units are not passed yet: at none, it goes back to the worker. */
interface HeldBlock {
  block: ArrayBuffer;
  units: number;
}

/** What a file counts against the bytes read ahead, in KiB (the worker counts the same). */
function kib(bytes: number): number {
  return Math.ceil(bytes / 1024);
}

export class ReadAhead {
  private readonly index = new Map<string, number>();
  /** The unit of each folder asked about (-1: none), found once per folder. */
  private readonly unitOfDir = new Map<string, number>();
  private readonly units = new Map<number, Unit>();
  private readonly counters: Int32Array;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private readonly receive = threads().receiveMessageOnPort;
  /** The highest unit asked for: the ones before it are dropped, and the worker keeps a window after it. */
  private current = -1;
  private finished = false;
  private givenBack = 0;

  /**
   * Starts reading `units` (folders, each with everything below it, reached through no symbolic link) in this order:
   * the order the caller will ask for them. Files larger than `maxFileSize` are left to the main thread.
   */
  constructor(
    units: readonly string[],
    maxFileSize: number,
    window: { units?: number; entries?: number; bytes?: number; prepareAhead?: number } = {},
    prepare?: Preparer,
    probes: readonly Probe[] = [],
  ) {
    units.forEach((unit, i) => this.index.set(unit, i));
    this.counters = new Int32Array(new SharedArrayBuffer(7 * Int32Array.BYTES_PER_ELEMENT));
    const { MessageChannel, Worker } = threads();
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(workerSource(readAheadWorker), {
      eval: true,
      workerData: {
        units,
        port: channel.port2,
        counters: this.counters,
        prepare: prepare
          ? { module: prepare.module, names: [...prepare.names], ahead: window.prepareAhead ?? PREPARE_AHEAD }
          : undefined,
        probes: probes.map((p) => ({ parent: p.parent, present: [...p.present], absent: [...p.absent] })),
        limits: {
          maxFileSize,
          unitsAhead: window.units ?? MAX_UNITS_AHEAD,
          entriesAhead: window.entries ?? MAX_ENTRIES_AHEAD,
          bytesAhead: window.bytes ?? MAX_BYTES_AHEAD,
          unitBytes: MAX_UNIT_BYTES,
          unitEntries: MAX_UNIT_ENTRIES,
          depth: MAX_DEPTH,
        },
      },
      transferList: [channel.port2],
      stdout: true,
      stderr: true,
    });
    this.worker.unref();
    // A worker that throws posts `failed`; one that dies otherwise is found stalled. Either way the main thread
    // reads the rest itself, so the error event has nothing to add.
    this.worker.on('error', () => undefined);
  }

  /** The listing of `dir` as the worker read it, or undefined (then the caller lists it itself). */
  listing(dir: string): ListedEntry[] | undefined {
    return this.unitFor(dir)?.listings.get(dir);
  }

  /**
   * What the worker found in `dir` among the probe's names, when it probed the folder instead of listing it
   * (`Probe`): which probe (its index in the list given), and those of its names that are regular files. Undefined
   * when it did not (then `listing` may have it).
   */
  probed(dir: string): ProbedFolder | undefined {
    return this.unitFor(dir)?.probes.get(dir);
  }

  /**
   * The bytes of `file` as the worker read them (handed over once), or undefined (then the caller reads it). A view
   * on the block of its unit: a caller that keeps the bytes copies them, so as not to keep the whole block.
   */
  take(file: string, dir: string = path.dirname(file)): Buffer | undefined {
    const unit = this.unitFor(dir);
    const bytes = unit?.files.get(file);
    if (!unit || !bytes) return undefined;
    unit.files.delete(file);
    this.release(kib(bytes.length));
    return bytes;
  }

  /**
   * What the preparer made of `file` (handed over once), or undefined (then the caller works it out from the bytes).
   * Taken before `take`, from the same unit.
   */
  takePrepared(file: string, dir: string = path.dirname(file)): unknown {
    const unit = this.unitFor(dir);
    const prepared = unit?.prepared.get(file);
    if (prepared !== undefined) unit?.prepared.delete(file);
    return prepared;
  }

  /** How many units the worker has read and sent so far (for the window's tests). */
  sentUnits(): number {
    return Atomics.load(this.counters, POSTED);
  }

  /**
   * How many blocks the worker allocated, how many this thread gave back to it, and the bytes of the blocks this
   * thread holds (for the tests).
   */
  blocks(): { allocated: number; givenBack: number; heldBytes: number } {
    const held = new Set([...this.units.values()].map((unit) => unit.held.block));
    let heldBytes = 0;
    for (const block of held) heldBytes += block.byteLength;
    return { allocated: Atomics.load(this.counters, BLOCKS), givenBack: this.givenBack, heldBytes };
  }

  /** Stops the worker and drops what it read (the caller reads anything it still needs itself). */
  close(): void {
    if (!this.finished) {
      this.finished = true;
      Atomics.store(this.counters, STOP, 1);
      Atomics.notify(this.counters, WANTED);
    }
    this.units.clear();
    this.unitOfDir.clear();
    // The worker's error listener holds this object, and lives until the event loop sees the thread end (after the
    // audit's rules, which run without yielding to it): the folders' paths are not kept for so long.
    this.index.clear();
    this.port.close();
    void this.worker.terminate();
  }

  /** The unit `dir` belongs to (the unit's folder itself or one below it), received; undefined when none is. */
  private unitFor(dir: string): Unit | undefined {
    let unit = this.unitOfDir.get(dir);
    if (unit === undefined) {
      unit = -1;
      let at = dir;
      for (let depth = 0; depth <= MAX_DEPTH; depth++) {
        const found = this.index.get(at);
        if (found !== undefined) {
          unit = found;
          break;
        }
        const parent = path.dirname(at);
        if (parent === at) break;
        at = parent;
      }
      this.unitOfDir.set(dir, unit);
    }
    return unit < 0 ? undefined : this.received(unit);
  }

  /** Unit number `unit`, received (waiting for it); undefined once passed, or when the worker will not send it. */
  private received(unit: number): Unit | undefined {
    if (unit < this.current) return undefined;
    if (unit > this.current) this.advance(unit);
    return this.units.get(unit) ?? this.wait(unit);
  }

  /** Drops the units before `unit` (never asked for, or done with) and lets the worker read further. */
  private advance(unit: number): void {
    // `current` only grows: every unit number is passed once in all.
    for (let k = Math.max(this.current, 0); k < unit; k++) {
      const dropped = this.units.get(k);
      if (!dropped) continue;
      this.units.delete(k);
      this.release(unitKib(dropped));
      this.passed(dropped);
    }
    this.current = unit;
    Atomics.store(this.counters, WANTED, unit);
    // A worker about to wait sees the new value (Atomics.wait returns at once when it changed): no wake-up is lost.
    if (Atomics.load(this.counters, SLEEPING) !== 0) Atomics.notify(this.counters, WANTED);
  }

  /** Bytes taken or dropped: the worker sees them when it next looks (it waits at most 200 ms at a time). */
  private release(released: number): void {
    if (released !== 0) Atomics.sub(this.counters, BYTES_KIB, released);
  }

  /** Receives units until `unit` is there; undefined when the worker is done, failed or stalled without it. */
  private wait(unit: number): Unit | undefined {
    let stalledSince: number | undefined;
    // Set before the count of units posted is read: a unit posted after that wakes this thread.
    Atomics.store(this.counters, AWAITED, 1);
    try {
      while (!this.finished) {
        const seen = Atomics.load(this.counters, POSTED);
        const got = this.receive(this.port);
        if (got) {
          stalledSince = undefined;
          this.accept(got.message as Message);
          const wanted = this.units.get(unit);
          if (wanted) return wanted;
          continue;
        }
        if (Atomics.wait(this.counters, POSTED, seen, 1000) === 'timed-out') {
          stalledSince ??= Date.now();
          if (Date.now() - stalledSince > STALL_MS) this.close();
        }
      }
      return undefined;
    } finally {
      Atomics.store(this.counters, AWAITED, 0);
    }
  }

  /**
   * `unit` is passed: the caller has moved beyond it (also when it arrived after that) and never asks for it again.
   * Once every unit of its block is, the block goes back to the worker, which reads into it again. The worker then allocates no new block for most batches: memory it
   * allocates stays with its thread (the C library keeps a thread's freed memory for that thread), and blocks freed
   * only when this thread's garbage collector got round to them added 10 to 20 MB to the peak of a large scan.
   * Callers copy (or decode) the bytes they take, so no view on a block outlives its units.
   */
  private passed(unit: Unit): void {
    if (--unit.held.units !== 0 || this.finished) return;
    try {
      this.port.postMessage({ recycled: unit.held.block }, [unit.held.block]);
      this.givenBack++;
    } catch {
      // A port closed meanwhile: the block is simply freed.
    }
  }

  private accept(message: Message): void {
    if (!('units' in message)) {
      // Done or failed: everything not received is read on the main thread.
      this.finished = true;
      return;
    }
    const held: HeldBlock = { block: message.block, units: message.units.length };
    for (const wire of message.units) {
      const listings = new Map<string, ListedEntry[]>();
      const probes = new Map<string, ProbedFolder>();
      for (const [dir, names, kinds, probed] of wire.listings) {
        const entries = names.map((name, i) => new Entry(name, kinds[i] ?? OTHER));
        if (probed === 0) listings.set(dir, entries);
        else probes.set(dir, { probe: probed - 1, entries });
      }
      const files = new Map<string, Buffer>();
      wire.files.forEach((file, i) => {
        const start = wire.offsets[i] ?? 0;
        const end = wire.offsets[i + 1] ?? start;
        files.set(file, Buffer.from(message.block, start, end - start));
      });
      const prepared = new Map<string, unknown>();
      for (const [i, value] of wire.prepared) {
        const file = wire.files[i];
        if (file !== undefined) prepared.set(file, value);
      }
      const unit: Unit = { listings, probes, files, prepared, held };
      if (wire.unit < this.current) {
        this.release(unitKib(unit));
        this.passed(unit);
      } else this.units.set(wire.unit, unit);
    }
  }
}

function unitKib(unit: Unit): number {
  let total = 0;
  for (const bytes of unit.files.values()) total += kib(bytes.length);
  return total;
}

/**
 * The worker's code, run from its source text (`eval`): it may use nothing from outside the function but
 * `require`. It posts one message per unit, in order, then `done` (or `failed` on an unexpected error).
 */
/* istanbul ignore next */
function readAheadWorker(load: (module: string) => unknown): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { workerData, receiveMessageOnPort: receive } =
    require('node:worker_threads') as typeof import('node:worker_threads');
  const fs = require('node:fs') as typeof import('node:fs');
  const nodePath = require('node:path') as typeof import('node:path');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const data = workerData as {
    units: string[];
    port: import('node:worker_threads').MessagePort;
    counters: Int32Array;
    limits: {
      maxFileSize: number;
      unitsAhead: number;
      entriesAhead: number;
      bytesAhead: number;
      unitBytes: number;
      unitEntries: number;
      depth: number;
    };
    prepare: { module: string; names: string[]; ahead: number } | undefined;
    probes: { parent: string; present: string[]; absent: string[] }[];
  };
  const { units, port, counters, limits, prepare, probes } = data;
  /** Each probe's `parent`, as names, the folder's own last. */
  const patterns = probes.map((p) => p.parent.split('/'));
  /** The index of the probe for the folders in `folder` (a path), or -1. */
  const probeIn = (folder: string): number => {
    const name = nodePath.basename(folder);
    for (let i = 0; i < patterns.length; i++) {
      const pattern = patterns[i] as string[];
      if (pattern[pattern.length - 1] !== name) continue;
      let at = folder;
      let k = pattern.length - 2;
      for (; k >= 0; k--) {
        const up = nodePath.dirname(at);
        if (up === at) break;
        at = up;
        const want = pattern[k];
        if (want !== '*' && want !== nodePath.basename(at)) break;
      }
      if (k < 0) return i;
    }
    return -1;
  };
  const [POSTED_, WANTED_, BYTES_KIB_, STOP_, SLEEPING_, BLOCKS_, AWAITED_] = [0, 1, 2, 3, 4, 5, 6];
  /** Counts units posted, and wakes the main thread when it waits for one (waking costs a system call). */
  const posted = (count: number) => {
    Atomics.add(counters, POSTED_, count);
    if (Atomics.load(counters, AWAITED_) !== 0) Atomics.notify(counters, POSTED_);
  };
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  /**
   * `path.join(dir, name)` for the names listed in `dir` (none holds a separator or is `.` or `..`): `dir` is
   * normalized once, not once per name. The main thread asks for files by the paths `path.join` gives.
   */
  const inFolder = (dir: string): ((name: string) => string) => {
    const prefix = nodePath.join(dir, '_').slice(0, -1);
    return (name) =>
      name === '' || name === '.' || name === '..' || name.includes('/') || name.includes(nodePath.sep)
        ? nodePath.join(dir, name)
        : prefix + name;
  };

  // Units read and not sent yet: sent together once they hold BATCH_BYTES or BATCH_UNITS, when the main thread
  // waits for one of them, before the worker waits itself, and at the end. Files are read straight into the block
  // the batch travels in (transferred, not copied), after the bytes of the files before them.
  const BATCH_BYTES = 128 * 1024;
  const BATCH_UNITS = 32;
  let batch: {
    unit: number;
    listings: [string, string[], number[], number][];
    files: string[];
    offsets: number[];
    prepared: [number, unknown][];
  }[] = [];
  /** A new block's size: a batch sent on reaching BATCH_BYTES mostly fills it. */
  const BLOCK_BYTES = BATCH_BYTES + 32 * 1024;
  /** Blocks the main thread gave back (`ReadAhead.passed`), to read into again: at most `MAX_SPARE`. */
  const spare: ArrayBuffer[] = [];
  const MAX_SPARE = 64;
  const newBlock = (): ArrayBuffer => {
    for (let got = receive(port); got; got = receive(port)) {
      const back = (got.message as { recycled?: unknown }).recycled;
      if (back instanceof ArrayBuffer && back.byteLength >= BLOCK_BYTES && spare.length < MAX_SPARE)
        spare.push(back);
    }
    const reused = spare.pop();
    if (reused) return reused;
    Atomics.add(counters, BLOCKS_, 1);
    return new ArrayBuffer(BLOCK_BYTES);
  };
  let block = newBlock();
  let batchBytes = 0;
  /** Room for `size` more bytes after the `used` bytes of the block (a larger block when needed). */
  const room = (used: number, size: number): void => {
    if (used + size <= block.byteLength) return;
    const grown = new ArrayBuffer(Math.max(2 * block.byteLength, used + size));
    Atomics.add(counters, BLOCKS_, 1);
    new Uint8Array(grown).set(new Uint8Array(block, 0, used));
    block = grown;
  };

  /** Opens `file`, following no link: its descriptor, or why not (`absent`: nothing is there). */
  const open = (file: string): number | 'absent' | 'other' => {
    try {
      return fs.openSync(file, flags);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'other';
    }
  };

  /**
   * Reads the regular file open on `fd` (`stats` its fstat) into the block at `at`, at most `limit` bytes, and
   * closes it: its bytes there, or undefined when it is not read (the main thread reads it).
   */
  const readOpen = (fd: number, stats: import('node:fs').Stats | undefined, at: number, limit: number) => {
    try {
      if (!stats?.isFile() || stats.size > limits.maxFileSize || stats.size > limit) return undefined;
      room(at, stats.size);
      const buffer = Buffer.from(block, at, stats.size);
      let filled = 0;
      while (filled < buffer.length) {
        const read = fs.readSync(fd, buffer, filled, buffer.length - filled, filled);
        if (read === 0) break;
        filled += read;
      }
      return buffer.subarray(0, filled);
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  };

  const fstat = (fd: number): import('node:fs').Stats | undefined => {
    try {
      return fs.fstatSync(fd);
    } catch {
      return undefined;
    }
  };

  /** Reads `file` into the block at `at` (at most `limit` bytes); its bytes there, or undefined when it is not read. */
  const readFile = (file: string, at: number, limit: number): Buffer | undefined => {
    const fd = open(file);
    return typeof fd === 'number' ? readOpen(fd, fstat(fd), at, limit) : undefined;
  };

  // The preparer, loaded when a file first needs it; null when there is none or it cannot be loaded.
  let preparer: ((bytes: Uint8Array) => unknown) | null | undefined = prepare ? undefined : null;
  const loadPreparer = (module: string): ((bytes: Uint8Array) => unknown) | null => {
    try {
      const loaded = load(module) as { prepare?: unknown };
      const fn = loaded.prepare;
      return typeof fn === 'function'
        ? (bytes: Uint8Array) => (fn as (b: Uint8Array) => unknown)(bytes)
        : null;
    } catch {
      return null;
    }
  };
  // Preparing is the main thread's work done here: only while this thread is `prepare.ahead` units ahead of it.
  const prepared = (unit: number, name: string, content: Buffer): unknown => {
    if (preparer === null || !prepare || !prepare.names.includes(name)) return undefined;
    if (unit - Atomics.load(counters, WANTED_) < prepare.ahead) return undefined;
    preparer ??= loadPreparer(prepare.module);
    if (preparer === null) return undefined;
    try {
      return preparer(content);
    } catch {
      return undefined; // the main thread works it out, and reports what is wrong
    }
  };

  const readUnit = (unit: string, number: number) => {
    const listings: [string, string[], number[], number][] = [];
    const files: string[] = [];
    const made: [number, unknown][] = [];
    const offsets = [0];
    let bytes = 0;
    let kib = 0;
    let entries = 0;
    const keep = (file: string, name: string) =>
      kept(file, name, readFile(file, batchBytes + bytes, limits.unitBytes - bytes));
    const kept = (file: string, name: string, content: Buffer | undefined) => {
      if (!content) return;
      const value = prepared(number, name, content);
      if (value !== undefined) made.push([files.length, value]);
      files.push(file);
      bytes += content.length;
      kib += Math.ceil(content.length / 1024);
      offsets.push(bytes);
    };
    const walk = (dir: string, depth: number) => {
      if (depth > limits.depth || entries > limits.unitEntries) return;
      let dirents: import('node:fs').Dirent[];
      try {
        dirents = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries += dirents.length;
      if (entries > limits.unitEntries) return;
      const names: string[] = [];
      const kinds: number[] = [];
      for (const d of dirents) {
        names.push(d.name);
        kinds.push(d.isSymbolicLink() ? 2 : d.isDirectory() ? 1 : d.isFile() ? 0 : 3);
      }
      listings.push([dir, names, kinds, 0]);
      const probe = probeIn(dir);
      const join = inFolder(dir);
      for (const d of dirents) {
        const full = join(d.name);
        if (d.isDirectory() && !d.isSymbolicLink()) {
          if (probe < 0 || !probeFolder(full, probe)) walk(full, depth + 1);
        } else if (d.isFile() && !d.isSymbolicLink() && bytes < limits.unitBytes) keep(full, d.name);
      }
    };
    /** Looks into `dir` for the probe's names instead of listing it; false (nothing noted) when it must be listed. */
    const probeFolder = (dir: string, index: number): boolean => {
      const probe = probes[index] as (typeof probes)[number];
      if (entries + probe.absent.length + probe.present.length > limits.unitEntries) return false;
      // A name usually not there is looked up (no exception when it is not); one that is there after all: listed.
      const join = inFolder(dir);
      for (const name of probe.absent) {
        try {
          if (fs.lstatSync(join(name), { throwIfNoEntry: false }) !== undefined) return false;
        } catch {
          return false;
        }
      }
      // A name usually there is opened at once (no link followed), and read once all are known to be regular files.
      const opened: { name: string; fd: number; stats: import('node:fs').Stats | undefined }[] = [];
      let regular = true;
      for (const name of probe.present) {
        const fd = open(join(name));
        if (fd === 'absent') continue;
        if (fd === 'other') {
          regular = false;
          break;
        }
        const stats = fstat(fd);
        opened.push({ name, fd, stats });
        if (stats && !stats.isFile()) {
          regular = false;
          break;
        }
      }
      if (!regular) {
        for (const { fd } of opened) fs.closeSync(fd);
        return false;
      }
      entries += probe.absent.length + probe.present.length;
      listings.push([dir, opened.map((o) => o.name), opened.map(() => 0), index + 1]);
      for (const { name, fd, stats } of opened) {
        const file = join(name);
        if (bytes >= limits.unitBytes) fs.closeSync(fd);
        else kept(file, name, readOpen(fd, stats, batchBytes + bytes, limits.unitBytes - bytes));
      }
      return true;
    };
    // A unit in a folder of a probe's parent (an authorization server's folder) is itself looked into.
    const probe = probeIn(nodePath.dirname(unit));
    if (probe < 0 || !probeFolder(unit, probe)) walk(unit, 0);
    return { listings, files, offsets, bytes, kib, entries, prepared: made };
  };

  const flush = () => {
    if (batch.length === 0) return;
    // A block mostly empty (a batch sent early because the main thread waits for it, or before this thread waits for
    // room) is sent as a copy of what it holds, and read into again here: with a full window of small units, each
    // unit would otherwise travel in a whole block of its own. Either way what is sent comes back once the main
    // thread has passed its units (kept for reading into again when it is a whole block).
    let sent = block;
    if (batchBytes < 0.75 * block.byteLength) sent = block.slice(0, batchBytes);
    else block = newBlock();
    port.postMessage({ units: batch, block: sent }, [sent]);
    posted(batch.length);
    batch = [];
    batchBytes = 0;
  };

  /** Entries listed in the units before each: `listed[i] - listed[j]` in units j to i - 1. */
  const listed = new Float64Array(units.length + 1);
  try {
    for (let i = 0; i < units.length; i++) {
      // Room: within the window after the unit the main thread is at, and within the entries and bytes not yet
      // passed or taken (a unit the main thread is waiting for is read whatever they are).
      for (;;) {
        if (Atomics.load(counters, STOP_) !== 0) return;
        const wanted = Atomics.load(counters, WANTED_);
        const ahead = i - wanted;
        const kib = Atomics.load(counters, BYTES_KIB_);
        const entries = ahead <= 0 ? 0 : (listed[i] ?? 0) - (listed[Math.max(wanted, 0)] ?? 0);
        if (
          ahead <= 0 ||
          (ahead <= limits.unitsAhead && entries <= limits.entriesAhead && kib * 1024 <= limits.bytesAhead)
        )
          break;
        flush();
        Atomics.store(counters, SLEEPING_, 1);
        Atomics.wait(counters, WANTED_, wanted, 200);
        Atomics.store(counters, SLEEPING_, 0);
      }
      const read = readUnit(units[i] as string, i);
      listed[i + 1] = (listed[i] ?? 0) + read.entries;
      Atomics.add(counters, BYTES_KIB_, read.kib);
      batch.push({
        unit: i,
        listings: read.listings,
        files: read.files,
        offsets: read.offsets.map((offset) => batchBytes + offset),
        prepared: read.prepared,
      });
      batchBytes += read.bytes;
      const first = batch[0]?.unit ?? i;
      if (
        batchBytes >= BATCH_BYTES ||
        batch.length >= BATCH_UNITS ||
        Atomics.load(counters, WANTED_) >= first
      )
        flush();
    }
    flush();
    port.postMessage({ done: true });
  } catch (error) {
    port.postMessage({ failed: String(error) });
  }
  posted(1);
}
