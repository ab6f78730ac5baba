/**
 * Issue 12: the read-ahead worker (src/util/read-ahead.ts) lists and reads a source's folders on a second thread.
 * It may only save work: whatever it leaves out (links, FIFOs, files over the limit, units the caller has passed) the
 * caller reads itself, and it never runs more than its window ahead of the caller.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReadAhead, readAheadWanted } from '../../src/util/read-ahead';
import { FolderTree } from '../../src/util/folders';
import { makeTempDir } from '../helpers/temp';

function tree(units: number): { root: string; dirs: string[] } {
  const root = makeTempDir('read-ahead');
  const dirs: string[] = [];
  for (let i = 0; i < units; i++) {
    const dir = path.join(root, 'apis', `api-${i}`);
    mkdirSync(path.join(dir, 'operations', 'get'), { recursive: true });
    writeFileSync(path.join(dir, 'apiInformation.json'), `{"n":${i}}`);
    writeFileSync(path.join(dir, 'operations', 'get', 'policy.xml'), `<policies>${i}</policies>`);
    dirs.push(dir);
  }
  return { root, dirs };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReadAhead', () => {
  it('hands over the listings and bytes of each unit once, in and below its folder', () => {
    const { dirs } = tree(3);
    const dir = dirs[1] as string;
    const ahead = new ReadAhead(dirs, 1024);
    try {
      const listed = ahead.listing(dir);
      expect(listed?.map((e) => [e.name, e.isDirectory(), e.isFile()]).sort()).toEqual([
        ['apiInformation.json', false, true],
        ['operations', true, false],
      ]);
      expect(ahead.listing(path.join(dir, 'operations', 'get'))?.map((e) => e.name)).toEqual(['policy.xml']);
      expect(ahead.take(path.join(dir, 'operations', 'get', 'policy.xml'))?.toString()).toBe(
        '<policies>1</policies>',
      );
      // Handed over once: a second read is the caller's.
      expect(ahead.take(path.join(dir, 'operations', 'get', 'policy.xml'))).toBeUndefined();
      // A unit the caller has passed is dropped (it reads anything there itself).
      expect(ahead.take(path.join(dirs[0] as string, 'apiInformation.json'))).toBeUndefined();
      expect(ahead.take(path.join(dirs[2] as string, 'apiInformation.json'))?.toString()).toBe('{"n":2}');
      // Not a unit: nothing.
      expect(ahead.listing(path.dirname(dir))).toBeUndefined();
    } finally {
      ahead.close();
    }
  });

  it('follows no link, reads no FIFO and no file over the limit: it lists them, the caller reads them', () => {
    const { root, dirs } = tree(1);
    const dir = dirs[0] as string;
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret.xml'), 'secret');
    symlinkSync(path.join(outside, 'secret.xml'), path.join(dir, 'policy.xml'));
    symlinkSync(outside, path.join(dir, 'linked'));
    writeFileSync(path.join(dir, 'large.json'), 'x'.repeat(2048));
    execFileSync('mkfifo', [path.join(dir, 'fifo.xml')]);
    const ahead = new ReadAhead(dirs, 1024);
    try {
      const kinds = Object.fromEntries(
        (ahead.listing(dir) ?? []).map((e) => [
          e.name,
          e.isSymbolicLink() ? 'link' : e.isDirectory() ? 'folder' : e.isFile() ? 'file' : 'other',
        ]),
      );
      expect(kinds).toEqual({
        'apiInformation.json': 'file',
        operations: 'folder',
        'policy.xml': 'link',
        linked: 'link',
        'large.json': 'file',
        'fifo.xml': 'other',
      });
      for (const name of ['policy.xml', 'large.json', 'fifo.xml']) {
        expect(ahead.take(path.join(dir, name))).toBeUndefined();
      }
      expect(ahead.listing(path.join(dir, 'linked'))).toBeUndefined();
      expect(ahead.take(path.join(dir, 'apiInformation.json'))?.toString()).toBe('{"n":0}');
    } finally {
      ahead.close();
    }
  });

  it('stays within its window of units ahead of the caller', async () => {
    const { dirs } = tree(40);
    const ahead = new ReadAhead(dirs, 1024, { units: 3 });
    try {
      await sleep(400);
      // The first unit and three after it, nothing more until the caller moves on.
      expect(ahead.sentUnits()).toBe(4);
      expect(ahead.take(path.join(dirs[30] as string, 'apiInformation.json'))?.toString()).toBe('{"n":30}');
      await sleep(400);
      // Unit 30 and three after it.
      expect(ahead.sentUnits()).toBe(34);
    } finally {
      ahead.close();
    }
  });

  it('gives FolderTree the same listings and bytes as reading them itself', () => {
    const { root, dirs } = tree(5);
    const plain = new FolderTree(root);
    const ahead = new FolderTree(root);
    process.env['APIM_AUDIT_READ_AHEAD'] = 'on';
    try {
      ahead.startReadAhead(dirs, 64);
    } finally {
      delete process.env['APIM_AUDIT_READ_AHEAD'];
    }
    try {
      for (const dir of dirs) {
        const policy = path.join(dir, 'operations', 'get', 'policy.xml');
        expect(ahead.present(policy)).toBe(plain.present(policy));
        expect(ahead.readText(policy)).toBe(plain.readText(policy));
        const info = path.join(dir, 'apiInformation.json');
        expect(ahead.readBytes(info).equals(plain.readBytes(info))).toBe(true);
        expect(
          ahead
            .dirents(dir)
            .map((e) => e.name)
            .sort(),
        ).toEqual(
          plain
            .dirents(dir)
            .map((e) => e.name)
            .sort(),
        );
      }
    } finally {
      ahead.stopReadAhead();
    }
  });
});

describe('readAheadWanted', () => {
  it('reads ahead from the minimum only; APIM_AUDIT_READ_AHEAD=off never, =on always', () => {
    expect(readAheadWanted(10, 64, {})).toBe(false);
    expect(readAheadWanted(5000, 64, { APIM_AUDIT_READ_AHEAD: 'off' })).toBe(false);
    expect(readAheadWanted(1, 64, { APIM_AUDIT_READ_AHEAD: 'on' })).toBe(true);
    expect(readAheadWanted(0, 64, { APIM_AUDIT_READ_AHEAD: 'on' })).toBe(false);
  });
});
