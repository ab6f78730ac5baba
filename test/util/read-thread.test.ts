/**
 * Reading on a second thread (src/util/read-thread.ts) gives what reading on this one gives: the same bytes, the
 * same problems with the same messages, in the order asked; and when the worker cannot run or stops, the files it
 * did not read are read here. The worker runs compiled JavaScript (test/helpers/read-thread.ts).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileReadError, withReadLimits } from '../../src/util/files';
import { readOnThisThread, ReadThread, type ReadRequest, type ReadResult } from '../../src/util/read-thread';
import { compiledReadThread } from '../helpers/read-thread';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

function hasMkfifo(): boolean {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What a result says, comparable across threads: the text read, or the error's class, problem and message. */
function described(result: ReadResult): unknown {
  if (!(result instanceof Error)) return result.toString('utf8');
  return result instanceof FileReadError
    ? { problem: result.problem, message: result.message, line: result.line }
    : { error: result.message };
}

async function readAll(
  thread: ReadThread,
  requests: ReadRequest[],
  maxFileSize: number,
): Promise<ReadResult[]> {
  const all: ReadResult[] = [];
  for await (const batch of thread.read(requests, maxFileSize)) all.push(...batch);
  return all;
}

/**
 * A folder with files of every kind a read refuses, between regular files: small ones (sharing blocks), ones
 * larger than a quarter block (their own buffer), enough of them for several blocks and batches.
 */
function mixedFolder(): { root: string; requests: ReadRequest[]; texts: Map<string, string> } {
  const base = makeTempDir('read-thread');
  const root = path.join(base, 'root');
  mkdirSync(root);
  writeFileSync(path.join(base, 'outside.json'), '{"secret": true}');
  const texts = new Map<string, string>();
  const names: string[] = [];
  for (let i = 0; i < 600; i++) {
    const name = `f${String(i).padStart(3, '0')}.json`;
    const text =
      i % 97 === 5 ? `{"big": "${'x'.repeat(70_000 + i)}"}` : `{"n": ${i}, "pad": "${'y'.repeat(i * 7)}"}`;
    writeFileSync(path.join(root, name), text);
    texts.set(name, text);
    names.push(name);
  }
  writeFileSync(path.join(root, 'empty.json'), '');
  texts.set('empty.json', '');
  const huge = openSync(path.join(root, 'huge.json'), 'w');
  ftruncateSync(huge, 3000);
  closeSync(huge);
  symlinkSync(path.join(root, 'nowhere.json'), path.join(root, 'dangling.json'));
  symlinkSync(path.join(base, 'outside.json'), path.join(root, 'leaves.json'));
  symlinkSync(path.join(root, 'loop-b.json'), path.join(root, 'loop-a.json'));
  symlinkSync(path.join(root, 'loop-a.json'), path.join(root, 'loop-b.json'));
  symlinkSync(path.join(root, 'f001.json'), path.join(root, 'inside.json'));
  mkdirSync(path.join(root, 'folder.json'));
  const odd = [
    'empty.json',
    'huge.json',
    'dangling.json',
    'leaves.json',
    'loop-a.json',
    'inside.json',
    'folder.json',
  ];
  if (hasMkfifo()) {
    execFileSync('mkfifo', [path.join(root, 'fifo.json')]);
    odd.push('fifo.json');
  }
  // The odd files spread among the regular ones; a file that is not there at all (removed after listing).
  const order = [...names];
  odd.forEach((name, i) => order.splice(50 + i * 80, 0, name));
  order.splice(300, 0, 'gone.json');
  // Files of the root itself are known to be inside it; links are checked.
  const requests = order.map((name) => ({
    file: path.join(root, name),
    root: name.endsWith('.json') && !/^(dangling|leaves|loop|inside)/.test(name) ? undefined : root,
  }));
  return { root, requests, texts };
}

describe('ReadThread', () => {
  const worker = compiledReadThread();

  it('gives the bytes and problems of reading on this thread, in the order asked', async () => {
    const { requests, texts } = mixedFolder();
    const thread = ReadThread.start(worker);
    expect(thread).toBeDefined();
    if (!thread) return;
    const fromThread = (await readAll(thread, requests, 2048)).map(described);
    const here = readOnThisThread(requests, 2048).map(described);
    expect(fromThread).toEqual(here);
    const at = (name: string) => fromThread[requests.findIndex((r) => path.basename(r.file) === name)];
    expect(at('f007.json')).toBe(texts.get('f007.json'));
    expect(at('empty.json')).toBe('');
    // Over the cap given, whatever the size: a file of its own buffer, read in full when the cap allows it.
    expect(at('f005.json')).toEqual({
      problem: 'too-large',
      message: expect.stringContaining('over the 2 KB limit'),
      line: undefined,
    });
    expect(at('huge.json')).toEqual({
      problem: 'too-large',
      message: 'is 2.9 KB, over the 2 KB limit (raise it with --max-file-size)',
      line: undefined,
    });
    expect(at('dangling.json')).toEqual({
      problem: 'dangling-link',
      message: 'is a symbolic link to a missing file',
      line: undefined,
    });
    expect(at('leaves.json')).toEqual({
      problem: 'outside-root',
      message: 'is a symbolic link that leads outside the source folder; it is not followed',
      line: undefined,
    });
    expect(at('loop-a.json')).toEqual({
      problem: 'link-loop',
      message: 'is a symbolic link loop',
      line: undefined,
    });
    expect(at('inside.json')).toBe(texts.get('f001.json'));
    expect(at('folder.json')).toEqual({
      problem: 'not-regular',
      message: 'is a folder, not a regular file; it is not read',
      line: undefined,
    });
    expect(at('gone.json')).toEqual({
      problem: 'unreadable',
      message: 'cannot be read (ENOENT)',
      line: undefined,
    });
    if (hasMkfifo())
      expect(at('fifo.json')).toEqual({
        problem: 'not-regular',
        message: 'is a named pipe (FIFO), not a regular file; it is not read',
        line: undefined,
      });
  }, 20_000);

  it('reads every file in full under the default cap, large ones included', async () => {
    const { requests, texts } = mixedFolder();
    const regular = requests.filter((r) => /^f\d+\.json$/.test(path.basename(r.file)));
    const thread = ReadThread.start(worker);
    if (!thread) throw new Error('no worker');
    const read = (await readAll(thread, regular, 256 * 1024 * 1024)).map(described);
    expect(read).toEqual(regular.map((r) => texts.get(path.basename(r.file))));
  }, 20_000);

  it('a worker that fails to run: every file is read on this thread, with the same results', async () => {
    const { requests } = mixedFolder();
    const broken = path.join(makeTempDir('read-thread-broken'), 'broken.js');
    writeFileSync(broken, "throw new Error('this worker does not start');\n");
    const thread = ReadThread.start(broken);
    if (!thread) throw new Error('no worker');
    const read = (await readAll(thread, requests, 2048)).map(described);
    expect(read).toEqual(readOnThisThread(requests, 2048).map(described));
  }, 20_000);

  it('a worker that stops after its first batch: the rest is read on this thread', async () => {
    const { requests } = mixedFolder();
    const dir = path.dirname(worker);
    // The real worker, ending its thread after the first message it posts.
    const once = path.join(dir, 'read-thread-once.js');
    writeFileSync(
      once,
      "const { parentPort } = require('node:worker_threads');\n" +
        'const post = parentPort.postMessage.bind(parentPort);\n' +
        'parentPort.postMessage = (...args) => { post(...args); process.exit(0); };\n' +
        "require('./read-thread-worker.js');\n",
    );
    const thread = ReadThread.start(once);
    if (!thread) throw new Error('no worker');
    const batches: number[] = [];
    const all: ReadResult[] = [];
    for await (const batch of thread.read(requests, 2048)) {
      batches.push(batch.length);
      all.push(...batch);
    }
    expect(batches.length).toBe(2);
    expect(all.map(described)).toEqual(readOnThisThread(requests, 2048).map(described));
  }, 20_000);

  it('runs only compiled JavaScript (from TypeScript sources, the files are read on this thread)', () => {
    expect(ReadThread.start(path.join(REPO_ROOT, 'src', 'util', 'read-thread-worker.ts'))).toBeUndefined();
  });

  it('reads under the limits given, not the caller’s', () => {
    const { requests } = mixedFolder();
    const huge = requests.filter((r) => path.basename(r.file) === 'huge.json');
    const [result] = withReadLimits({ maxFileSize: 1 }, () => readOnThisThread(huge, 4096));
    expect(result).toBeInstanceOf(Buffer);
  });
});
