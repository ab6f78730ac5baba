/**
 * Reading ahead of a synchronous reader: the folders and files a reading is about to ask for are listed and read
 * by a worker thread, so that the system calls run on the other core while the reader parses what came before.
 * The worker makes one call at a time, works at most `aheadUnits` entries ahead of the reader, and reads files into
 * a shared ring of `aheadBytes` bytes, whose room an entry holds until the reader passes it; each file is handed
 * over once (`FolderTree.readBytes` takes a copy of its own) and forgotten, and what the reader passed by is
 * dropped. The reader never waits for the worker (unless `wait`): an entry not read yet it reads for itself.
 * (Asynchronous calls on the libuv thread pool were measured first: on files in the page cache each call cost the
 * main thread more than the synchronous call, and the scan was slower.)
 *
 * Only what the synchronous path reads without a question is read ahead: folders reached from the root through
 * no link (entries a plain folder's listing reports as folders), and files such a listing reports as regular,
 * checked again on the descriptor as `readBytes` checks them (a non-blocking open, a regular file, at most
 * `maxFileSize()`). Anything else, a link, a FIFO, a file over the limit or the budget, a call that fails, is
 * left to the synchronous path, which reads or reports it as it always has. Names are matched exactly: a name
 * the listing spells in another case is left to the synchronous path too. A file is read once, when it is read
 * ahead: the reader sees its bytes of that moment, as if it had read the file then.
 *
 * The work is bounded by the reader's: only entries the reader names (`plan`), in its order, and in each only the
 * files and folders of its `FolderPlan`, which names what the reader of such an entry reads when the entry is
 * well formed (a reader that stops early, at a malformed information file, leaves the rest to be dropped).
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type Entry, type FolderTree, maxFileSize, type ReadAhead } from './files';

/** What the reader of one entry folder reads, by exact name. */
export interface FolderPlan {
  /** Files read; a list of names is alternatives, of which the reader reads the first present. */
  readonly files: readonly (string | readonly string[])[];
  /** The files and folders are read only when the folder lists this name (the reader reads the entry only then). */
  readonly when?: string;
  /** A folder whose every folder the reader reads as `each`, in name order (`localeCompare`). */
  readonly children?: { readonly folder: string; readonly each: FolderPlan };
}

export interface PrefetchOptions {
  /** Entries ahead of the reader the worker may have read. */
  aheadUnits?: number;
  /** Bytes read and not passed by the reader (a file that does not fit is left to the reader). */
  aheadBytes?: number;
  /**
   * Whether the reader waits for an entry the worker has not read yet. By default it reads the entry itself and
   * the worker moves on past it: a worker slowed down by a busy machine never slows the reader down.
   */
  wait?: boolean;
}

export const PREFETCH_DEFAULTS = { aheadUnits: 32, aheadBytes: 2 * 1024 * 1024 } as const;

/** What the worker sends for one entry: its listings (names, and a type code each) and its files. */
interface UnitRead {
  index: number;
  lists: { dir: string; names: string[]; types: Uint8Array }[];
  /** Where in the ring each file's bytes are. */
  files: { file: string; offset: number; length: number }[];
}

/**
 * Slots of the shared array: the reader's entry, a counter bumped on every change, closed, the worker's state,
 * and, while the worker waits, the entry the reader must reach to wake it (-1: any change wakes it).
 */
const AT = 0;
const CHANGED = 1;
const CLOSED = 2;
const STATE = 3;
const WAKE_AT = 4;
const SLOTS = 5;
const AWAKE = 0x7fffffff;
const STARTED = 1;
const STOPPED = 2;

/** Type codes of a listed entry. */
const OTHER = 0;
const FILE = 1;
const FOLDER = 2;
const LINK = 3;

/**
 * The worker, plain JavaScript (it runs from this string in the build and under ts-jest alike). It reads the
 * entries in the order planned, from the reader's current one, while fewer than `aheadUnits` entries and fewer
 * than `aheadBytes` bytes are ahead, and otherwise waits on the shared array for the reader to move.
 */
const WORKER = `
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, shared, buffer, cap, aheadUnits, wait } = workerData;
const [AT, CHANGED, CLOSED, STATE, STARTED, STOPPED] = [${AT}, ${CHANGED}, ${CLOSED}, ${STATE}, ${STARTED}, ${STOPPED}];
const [WAKE_AT, AWAKE] = [${WAKE_AT}, ${AWAKE}];
// Non-blocking, as readBytes opens (a FIFO does not wait for a writer); a file that became a link since it was
// listed is not followed (the reader reads it for itself, and says why not).
const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0) | (fs.constants.O_NOFOLLOW || 0);
const units = [];
// The ring: files are read into it in the order planned; an entry's bytes stay until the reader passes the entry.
const ring = new Uint8Array(buffer);
const live = []; // entries holding bytes, oldest first: { index, start }
let write = 0;
let next = 0;
let freed = 0;

/** Where n bytes fit at the end of the ring (or wrapped to its start), if they do. */
function place(n) {
  if (live.length === 0) return n <= ring.length ? 0 : undefined;
  const tail = live[0].start;
  if (tail === write) return undefined;
  if (tail < write) return write + n <= ring.length ? write : n <= tail ? 0 : undefined;
  return write + n <= tail ? write : undefined;
}

/** Releases the bytes of the entries the reader has passed. */
function release(at) {
  for (; freed < at; freed++) units[freed] = undefined;
  while (live.length > 0 && live[0].index < at) live.shift();
  if (live.length === 0) write = 0;
}

/**
 * Room for n bytes of entry index: waits while entries before it hold the room; none when the ring is too
 * small or the reader is at this entry (the reader reads such a file itself).
 */
function room(n, index) {
  for (;;) {
    const changed = Atomics.load(shared, CHANGED);
    if (Atomics.load(shared, CLOSED)) return undefined;
    release(Atomics.load(shared, AT));
    const at = place(n);
    if (at !== undefined || live.length === 0 || live[0].index >= index) return at;
    Atomics.store(shared, WAKE_AT, live[0].index + 1);
    Atomics.wait(shared, CHANGED, changed);
    Atomics.store(shared, WAKE_AT, AWAKE);
  }
}

function typeOf(d) {
  return d.isSymbolicLink() ? ${LINK} : d.isFile() ? ${FILE} : d.isDirectory() ? ${FOLDER} : ${OTHER};
}

function firstListed(byName, names) {
  for (const name of names) {
    const d = byName.get(name);
    if (d) return d;
    const lower = name.toLowerCase();
    for (const other of byName.keys()) if (other.toLowerCase() === lower) return undefined;
  }
  return undefined;
}

function list(dir, out) {
  let dirents;
  try {
    dirents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  out.lists.push({ dir, names: dirents.map((d) => d.name), types: Uint8Array.from(dirents, typeOf) });
  return dirents;
}

function readFile(file, out) {
  let fd;
  try {
    fd = fs.openSync(file, FLAGS);
  } catch {
    return;
  }
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile() || stats.size > cap) return;
    const size = stats.size;
    const offset = size === 0 ? 0 : room(size, out.index);
    if (offset === undefined) return;
    let filled = 0;
    while (filled < size) {
      const read = fs.readSync(fd, ring, offset + filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    if (size > 0) {
      if (live.length === 0 || live[live.length - 1].index !== out.index) live.push({ index: out.index, start: offset });
      write = offset + size;
    }
    out.files.push({ file, offset, length: filled });
  } catch {
    return;
  } finally {
    fs.closeSync(fd);
  }
}

function readFolder(dir, plan, out) {
  const dirents = list(dir, out);
  if (!dirents) return;
  const byName = new Map(dirents.map((d) => [d.name, d]));
  if (plan.when !== undefined && !byName.has(plan.when)) return;
  for (const names of plan.files) {
    const d = firstListed(byName, typeof names === 'string' ? [names] : names);
    if (d && d.isFile()) readFile(path.join(dir, d.name), out);
  }
  const folder = plan.children ? byName.get(plan.children.folder) : undefined;
  if (!folder || !folder.isDirectory()) return;
  const collection = path.join(dir, folder.name);
  const children = list(collection, out);
  if (!children) return;
  const names = children.filter((d) => d.isDirectory()).map((d) => d.name).sort((a, b) => a.localeCompare(b));
  for (const name of names) {
    if (Atomics.load(shared, CLOSED)) return;
    readFolder(path.join(collection, name), plan.children.each, out);
  }
}

try {
  Atomics.store(shared, STATE, STARTED);
  for (;;) {
    const changed = Atomics.load(shared, CHANGED);
    for (let m; (m = receiveMessageOnPort(port)); ) for (const dir of m.message.dirs) units.push({ dir, plan: m.message.plan });
    if (Atomics.load(shared, CLOSED)) break;
    const at = Atomics.load(shared, AT);
    release(at);
    // An entry the reader has reached is read by the reader itself unless it waits for it.
    if (next < at || (next === at && !wait)) next = at + (wait ? 0 : 1);
    if (next < units.length && next < at + aheadUnits) {
      const out = { index: next, lists: [], files: [] };
      if (units[next].dir !== '') {
        readFolder(units[next].dir, units[next].plan, out);
        port.postMessage(out);
      }
      next++;
      continue;
    }
    // Ahead by the whole window: woken once the reader is halfway through it (a wake-up per entry costs the
    // reader more than it saves); with nothing planned, by the next plan.
    Atomics.store(shared, WAKE_AT, next < units.length ? Math.max(at + 1, next - (aheadUnits >> 1)) : -1);
    Atomics.wait(shared, CHANGED, changed);
    Atomics.store(shared, WAKE_AT, AWAKE);
  }
} finally {
  Atomics.store(shared, STATE, STOPPED);
  port.close();
}
`;

/** A listed entry made from the worker's type code. */
class ListedEntry implements Entry {
  constructor(
    readonly name: string,
    private readonly type: number,
  ) {}
  isFile(): boolean {
    return this.type === FILE;
  }
  isDirectory(): boolean {
    return this.type === FOLDER;
  }
  isSymbolicLink(): boolean {
    return this.type === LINK;
  }
}

/** One entry the reader will read: whether the worker's reading of it has arrived, and the files it holds. */
interface Unit {
  readonly dir: string;
  arrived: boolean;
  readonly held: string[];
}

export class Prefetcher implements ReadAhead {
  private readonly units: (Unit | undefined)[] = [];
  /** The first entry the reader has not passed by. */
  private at = 0;
  private held = 0;
  /** Files read ahead: where their bytes are in the ring. */
  private readonly cache = new Map<string, { offset: number; length: number }>();
  private readonly ring: Uint8Array;
  private readonly shared = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private waiting: { unit: Unit; resolve: () => void } | undefined;
  private readonly aheadUnits: number;
  private readonly aheadBytes: number;
  private readonly wait: boolean;
  /** The most entries and bytes ever held ahead of the reader (for tests of the bounds). */
  readonly peak = { units: 0, bytes: 0 };

  constructor(
    private readonly tree: FolderTree,
    options: PrefetchOptions = {},
  ) {
    this.aheadUnits = Math.max(1, options.aheadUnits ?? PREFETCH_DEFAULTS.aheadUnits);
    this.aheadBytes = Math.max(0, options.aheadBytes ?? PREFETCH_DEFAULTS.aheadBytes);
    this.wait = options.wait ?? false;
    // No entry reached yet.
    Atomics.store(this.shared, AT, -1);
    Atomics.store(this.shared, WAKE_AT, AWAKE);
    this.ring = new Uint8Array(new SharedArrayBuffer(this.aheadBytes));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER, {
      eval: true,
      // It keeps nothing but the plan: a small heap keeps the process's peak memory low.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
      workerData: {
        port: port2,
        shared: this.shared,
        buffer: this.ring.buffer,
        cap: maxFileSize(),
        aheadUnits: this.aheadUnits,
        wait: this.wait,
      },
      transferList: [port2],
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        Atomics.store(this.shared, STATE, STOPPED);
        this.wake();
        resolve();
      });
    });
    // A worker that fails stops reading ahead; the reader reads on without it.
    this.worker.once('error', () => undefined);
    this.port.on('message', (message: UnitRead) => {
      this.arrive(message);
      this.wake();
    });
    this.worker.unref();
    this.port.unref();
    tree.readAhead = this;
  }

  /** The reader will read these entry folders next, in this order, each as `plan` says. */
  plan(plan: FolderPlan, dirs: readonly string[]): void {
    if (Atomics.load(this.shared, CLOSED) || dirs.length === 0) return;
    // A folder reached through a link is the reader's alone (its files are checked against the root): the
    // worker is given an empty name, and nothing is awaited for it.
    const plain = dirs.map((dir) => (this.tree.plainFolder(dir) ? dir : ''));
    for (const dir of dirs) this.units.push({ dir, arrived: false, held: [] });
    plain.forEach((dir, i) => {
      if (dir === '') (this.units[this.units.length - dirs.length + i] as Unit).arrived = true;
    });
    this.port.postMessage({ plan, dirs: plain });
    this.changed(true);
  }

  /**
   * The reader is about to read `dir`: what it passed by is dropped. Undefined when the entry's reading is here,
   * or the reader reads for itself (`dir` was not planned, the worker has stopped, or it is behind and `wait` is
   * off); otherwise resolves when it arrives.
   */
  reach(dir: string): Promise<void> | undefined {
    let index = this.at;
    while (index < this.units.length && this.units[index]?.dir !== dir) index++;
    const unit = this.units[index];
    if (unit === undefined) return undefined;
    for (let i = this.at; i < index; i++) this.drop(i);
    this.at = index;
    Atomics.store(this.shared, AT, index);
    this.changed();
    this.drain();
    if (unit.arrived || !this.wait || Atomics.load(this.shared, STATE) === STOPPED) return undefined;
    // Waiting keeps the process alive (the port and the worker are otherwise unreferenced).
    this.port.ref();
    return new Promise((resolve) => {
      this.waiting = { unit, resolve };
    });
  }

  /**
   * The file's bytes, copied out of the ring into a buffer of their own (as `readBytes` allocates it: not from the
   * shared pool, which a kept small file would keep whole); its room in the ring is reused once the reader passes
   * its entry.
   */
  take(file: string): Buffer | undefined {
    const placed = this.cache.get(file);
    if (placed === undefined) return undefined;
    this.cache.delete(file);
    this.held -= placed.length;
    const bytes = Buffer.allocUnsafeSlow(placed.length);
    bytes.set(this.ring.subarray(placed.offset, placed.offset + placed.length));
    return bytes;
  }

  /** Drops everything not taken and stops the worker; resolves once it has exited. */
  close(): Promise<void> {
    for (let i = this.at; i < this.units.length; i++) this.drop(i);
    this.at = this.units.length;
    Atomics.store(this.shared, CLOSED, 1);
    this.changed(true);
    if (this.tree.readAhead === this) this.tree.readAhead = undefined;
    this.port.close();
    this.wake();
    return this.exited;
  }

  /** Bytes held that the reader has not taken. */
  get bytesHeld(): number {
    return this.held;
  }

  /** Tells the worker, and wakes it when it waits for this (`force`: whatever it waits for). */
  private changed(force = false): void {
    Atomics.add(this.shared, CHANGED, 1);
    const wakeAt = Atomics.load(this.shared, WAKE_AT);
    if (wakeAt === AWAKE || (!force && this.at < wakeAt)) return;
    // One wake-up per wait: the worker may take a while to run again.
    if (Atomics.compareExchange(this.shared, WAKE_AT, wakeAt, AWAKE) === wakeAt) {
      Atomics.notify(this.shared, CHANGED);
    }
  }

  /** Takes the readings that have arrived without waiting for the event loop. */
  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      this.arrive(m.message as UnitRead);
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    if (waiting && (waiting.unit.arrived || Atomics.load(this.shared, STATE) === STOPPED)) {
      this.waiting = undefined;
      this.port.unref();
      waiting.resolve();
    }
  }

  private arrive(read: UnitRead): void {
    const unit = this.units[read.index];
    if (unit === undefined || read.index < this.at) return;
    unit.arrived = true;
    for (const { dir, names, types } of read.lists) {
      this.tree.know(
        dir,
        names.map((name, i) => new ListedEntry(name, types[i] ?? OTHER)),
      );
    }
    for (const placed of read.files) {
      this.cache.set(placed.file, { offset: placed.offset, length: placed.length });
      this.held += placed.length;
      unit.held.push(placed.file);
    }
    this.peak.units = Math.max(this.peak.units, read.index - this.at + 1);
    this.peak.bytes = Math.max(this.peak.bytes, this.held);
  }

  private drop(index: number): void {
    const unit = this.units[index];
    if (unit === undefined) return;
    for (const file of unit.held) {
      const placed = this.cache.get(file);
      if (placed === undefined) continue;
      this.cache.delete(file);
      this.held -= placed.length;
    }
    this.units[index] = undefined;
  }
}
