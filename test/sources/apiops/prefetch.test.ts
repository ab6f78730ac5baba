/**
 * Reading an APIOps folder ahead of the reader (src/util/prefetch.ts): the same inventory, gaps and errors as the
 * synchronous reading, on a generated tree and on one with every kind of file the synchronous path refuses; the
 * files read ahead are the ones the reader gets (a file changed after it was read ahead is read as it was: the
 * read happened then); the bounds on entries and bytes ahead hold.
 */
import fs, { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadApiopsFolder, loadApiopsFolderAhead } from '../../../src/sources/apiops';
import { READS } from '../../../src/sources/apiops/entities';
import type { Inventory } from '../../../src/inventory/types';
import { FolderTree, withReadLimits } from '../../../src/util/files';
import { Prefetcher } from '../../../src/util/prefetch';
import { makeTempDir } from '../../helpers/temp';

const POLICY = (n: number) =>
  `<policies>\n  <inbound>\n    <base />\n    <set-header name="x-n" exists-action="override"><value>${n}</value></set-header>\n  </inbound>\n</policies>\n`;

function write(file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** `apis` APIs with operations and specifications, products, named values, fragments and servers. */
function generate(root: string, apis: number): void {
  write(path.join(root, 'serviceInformation.json'), JSON.stringify({ name: 'gen-apim', properties: {} }));
  write(path.join(root, 'policy.xml'), POLICY(0));
  for (let i = 0; i < apis; i++) {
    const dir = path.join(root, 'apis', `api-${String(i).padStart(4, '0')}`);
    write(
      path.join(dir, 'apiInformation.json'),
      JSON.stringify({ properties: { displayName: `API ${i}`, path: `p${i}`, protocols: ['https'] } }),
    );
    write(path.join(dir, 'policy.xml'), POLICY(i % 7));
    const ops = ['get-a', 'post-b', 'put-c'].slice(0, 1 + (i % 3));
    const paths = Object.fromEntries(ops.map((op) => [`/${op}`, { get: { operationId: op, summary: op } }]));
    if (i % 2 === 0) write(path.join(dir, 'specification.json'), JSON.stringify({ openapi: '3.0.1', paths }));
    else
      write(
        path.join(dir, 'specification.yaml'),
        `openapi: 3.0.1\npaths:\n${ops.map((op) => `  /${op}:\n    get:\n      operationId: ${op}\n`).join('')}`,
      );
    for (const op of ops) {
      write(path.join(dir, 'operations', op, 'policy.xml'), POLICY(i % 5));
      if (i % 4 === 0)
        write(
          path.join(dir, 'operations', op, 'operationInformation.json'),
          JSON.stringify({ properties: {} }),
        );
    }
  }
  for (let p = 0; p < 5; p++) {
    const dir = path.join(root, 'products', `product-${p}`);
    write(
      path.join(dir, 'productInformation.json'),
      JSON.stringify({ properties: { displayName: `P${p}` } }),
    );
    write(path.join(dir, 'apis', `api-000${p}`, 'productApiInformation.json'), '{}');
  }
  for (let n = 0; n < 30; n++) {
    write(
      path.join(root, 'named values', `nv-${n}`, 'namedValueInformation.json'),
      JSON.stringify({ properties: { displayName: `nv-${n}`, value: 'v', secret: false } }),
    );
  }
  write(path.join(root, 'policy fragments', 'frag', 'policyFragmentInformation.json'), '{"properties":{}}');
  write(path.join(root, 'policy fragments', 'frag', 'policy.xml'), '<fragment><base /></fragment>');
  write(
    path.join(root, 'authorizationServers', 'entra', 'authorizationServerInformation.json'),
    JSON.stringify({ properties: { displayName: 'entra' } }),
  );
}

/** What a reading yields, comparable: the inventory without its position indexes, and the indexed files. */
function view(inventory: Inventory): string {
  const { files, ...rest } = inventory;
  return JSON.stringify({ ...rest, files: Object.keys(files ?? {}) });
}

async function both(
  root: string,
  options: Parameters<typeof loadApiopsFolderAhead>[4] = { from: 0, wait: true },
): Promise<{ now: string; ahead: string }> {
  const outcome = (read: () => Inventory) => {
    try {
      return view(read());
    } catch (error) {
      return JSON.stringify({
        error: (error as Error).message,
        details: (error as { details?: unknown }).details,
      });
    }
  };
  const now = outcome(() => loadApiopsFolder(root, 'apiops:gen', path.dirname(root)));
  let ahead: string;
  try {
    ahead = view(await loadApiopsFolderAhead(root, 'apiops:gen', path.dirname(root), undefined, options));
  } catch (error) {
    ahead = JSON.stringify({
      error: (error as Error).message,
      details: (error as { details?: unknown }).details,
    });
  }
  return { now, ahead };
}

/** Counts the synchronous opens and listings made on this thread while `fn` runs. */
async function counting<T>(fn: () => Promise<T> | T): Promise<{ opens: number; listings: number }> {
  const open = jest.spyOn(fs, 'openSync');
  const readdir = jest.spyOn(fs, 'readdirSync');
  try {
    await fn();
    return { opens: open.mock.calls.length, listings: readdir.mock.calls.length };
  } finally {
    open.mockRestore();
    readdir.mockRestore();
  }
}

describe('reading an APIOps folder ahead of the reader', () => {
  it('reads a generated tree to the same inventory as the synchronous reading, with its reads done ahead', async () => {
    const root = path.join(makeTempDir('prefetch-gen'), 'apimartifacts');
    generate(root, 240);
    const { now, ahead } = await both(root);
    expect(ahead).toBe(now);
    // Without waiting, the reader reads what has not arrived for itself: the same again.
    expect((await both(root, { from: 0 })).ahead).toBe(now);
    const sync = await counting(() => loadApiopsFolder(root, 'apiops:gen', path.dirname(root)));
    const early = await counting(() =>
      loadApiopsFolderAhead(root, 'apiops:gen', path.dirname(root), undefined, { from: 0, wait: true }),
    );
    // The files of the entries are read by the worker; the reader opens only the folder's own files.
    expect(sync.opens).toBeGreaterThan(1000);
    expect(early.opens).toBeLessThan(10);
    expect(early.listings).toBeLessThan(sync.listings / 10);
  });

  it('reads the same with tight bounds (one entry and a few bytes ahead)', async () => {
    const root = path.join(makeTempDir('prefetch-tight'), 'apimartifacts');
    generate(root, 60);
    const { now, ahead } = await both(root, { from: 0, wait: true, aheadUnits: 1, aheadBytes: 300 });
    expect(ahead).toBe(now);
  });

  it('leaves links, pipes, large, invalid and misplaced files to the synchronous path, with its messages', async () => {
    const base = makeTempDir('prefetch-hostile');
    const root = path.join(base, 'apimartifacts');
    generate(root, 12);
    const api = (i: number) => path.join(root, 'apis', `api-${String(i).padStart(4, '0')}`);
    write(path.join(base, 'outside', 'policy.xml'), POLICY(99));
    fs.rmSync(path.join(api(0), 'policy.xml'));
    symlinkSync(path.join(base, 'outside', 'policy.xml'), path.join(api(0), 'policy.xml'));
    fs.rmSync(path.join(api(1), 'policy.xml'));
    symlinkSync(path.join(api(2), 'policy.xml'), path.join(api(1), 'policy.xml'));
    fs.rmSync(path.join(api(3), 'operations', 'get-a', 'policy.xml'));
    symlinkSync(path.join(base, 'missing.xml'), path.join(api(3), 'operations', 'get-a', 'policy.xml'));
    symlinkSync('loop-b', path.join(api(4), 'operations', 'loop-a'));
    symlinkSync('loop-a', path.join(api(4), 'operations', 'loop-b'));
    symlinkSync(api(5), path.join(root, 'apis', 'api-linked'));
    fs.rmSync(path.join(api(6), 'apiInformation.json'));
    write(path.join(api(6), 'v1', 'Original', 'apiInformation.json'), '{"properties":{}}');
    write(path.join(api(7), 'Policy.XML'), POLICY(7));
    const gaps = await both(root);
    expect(gaps.ahead).toBe(gaps.now);
    expect(gaps.now).toContain('outside the source folder');
    expect(gaps.now).toContain('missing file');

    // Invalid input: each is a problem, and the reading fails with the same list.
    writeFileSync(path.join(api(8), 'policy.xml'), Buffer.from([0x3c, 0x70, 0x0a, 0xff, 0xfe]));
    writeFileSync(path.join(api(9), 'operations', 'get-a', 'policy.xml'), 'x'.repeat(5000));
    fs.rmSync(path.join(api(10), 'policy.xml'));
    execFileSync('mkfifo', [path.join(api(10), 'policy.xml')]);
    writeFileSync(path.join(api(11), 'apiInformation.json'), '{ not json');
    fs.rmSync(path.join(api(2), 'operations', 'get-a', 'policy.xml'));
    mkdirSync(path.join(api(2), 'operations', 'get-a', 'policy.xml'));
    const problems = await withReadLimits({ maxFileSize: 4096 }, () => both(root));
    expect(problems.ahead).toBe(problems.now);
    for (const expected of ['invalid UTF-8', 'over the 4 KB limit', 'named pipe', 'is a folder']) {
      expect(problems.now).toContain(expected);
    }
  });

  it('reads an unreadable file as the synchronous path does', async () => {
    const root = path.join(makeTempDir('prefetch-unreadable'), 'apimartifacts');
    generate(root, 4);
    const file = path.join(root, 'apis', 'api-0001', 'policy.xml');
    chmodSync(file, 0o000);
    try {
      const { now, ahead } = await both(root);
      expect(ahead).toBe(now);
    } finally {
      chmodSync(file, 0o644);
    }
  });

  it('hands over the bytes read ahead once: a file changed afterwards is read as it was, then as it is', async () => {
    const root = path.join(makeTempDir('prefetch-cache'), 'apimartifacts');
    generate(root, 3);
    const tree = new FolderTree(root);
    const prefetcher = new Prefetcher(tree, { wait: true });
    const dirs = [0, 1, 2].map((i) => path.join(root, 'apis', `api-000${i}`));
    prefetcher.plan(READS.api, dirs);
    await prefetcher.reach(dirs[0] as string);
    const file = path.join(dirs[0] as string, 'policy.xml');
    writeFileSync(file, POLICY(42));
    expect(tree.readText(file)).toBe(POLICY(0));
    expect(tree.readText(file)).toBe(POLICY(42));
    // Passing an entry drops what the reader did not take.
    expect(prefetcher.bytesHeld).toBeGreaterThan(0);
    await prefetcher.reach(dirs[2] as string);
    const held = prefetcher.bytesHeld;
    expect(tree.readText(path.join(dirs[2] as string, 'policy.xml'))).toBe(POLICY(2));
    expect(prefetcher.bytesHeld).toBeLessThan(held);
    await prefetcher.close();
    expect(prefetcher.bytesHeld).toBe(0);
    expect(tree.readAhead).toBeUndefined();
  });

  it('reads nothing in a folder reached through a link', async () => {
    const base = makeTempDir('prefetch-linked');
    const root = path.join(base, 'apimartifacts');
    generate(root, 2);
    const outside = path.join(base, 'outside-api');
    write(path.join(outside, 'apiInformation.json'), '{"properties":{}}');
    write(path.join(outside, 'policy.xml'), POLICY(9));
    const linked = path.join(root, 'apis', 'linked');
    symlinkSync(outside, linked);
    const tree = new FolderTree(root);
    const prefetcher = new Prefetcher(tree, { wait: true });
    const dirs = [path.join(root, 'apis', 'api-0000'), linked];
    prefetcher.plan(READS.api, dirs);
    await prefetcher.reach(dirs[0] as string);
    expect(prefetcher.reach(linked)).toBeUndefined();
    expect(prefetcher.bytesHeld).toBe(0);
    expect(() => tree.readBytes(path.join(linked, 'policy.xml'))).toThrow(/outside the source folder/);
    await prefetcher.close();
  });

  it('never holds more entries or bytes ahead than its bounds', async () => {
    const root = path.join(makeTempDir('prefetch-bounds'), 'apimartifacts');
    generate(root, 80);
    write(
      path.join(root, 'apis', 'api-0005', 'specification.json'),
      JSON.stringify({ pad: 'x'.repeat(3000) }),
    );
    const tree = new FolderTree(root);
    const prefetcher = new Prefetcher(tree, { aheadUnits: 4, aheadBytes: 2048, wait: true });
    const dirs = Array.from({ length: 80 }, (_, i) =>
      path.join(root, 'apis', `api-${String(i).padStart(4, '0')}`),
    );
    prefetcher.plan(READS.api, dirs);
    for (const dir of dirs) {
      await prefetcher.reach(dir);
      for (const name of ['apiInformation.json', 'policy.xml', 'specification.json']) {
        const file = path.join(dir, name);
        if (fs.existsSync(file)) expect(tree.readBytes(file).equals(fs.readFileSync(file))).toBe(true);
      }
      expect(prefetcher.bytesHeld).toBeLessThanOrEqual(2048);
    }
    await prefetcher.close();
    expect(prefetcher.peak.units).toBeLessThanOrEqual(4);
    expect(prefetcher.peak.units).toBeGreaterThan(1);
    expect(prefetcher.peak.bytes).toBeLessThanOrEqual(2048);
  });
});
