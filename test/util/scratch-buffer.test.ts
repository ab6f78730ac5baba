import { renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readBytes, sameStamp, ScratchBuffer } from '../../src/util/files';
import { makeTempDir } from '../helpers/temp';

describe('ScratchBuffer', () => {
  it('reads file after file into one buffer, each whole until the next read, with its stamp', () => {
    const dir = makeTempDir('scratch');
    const scratch = new ScratchBuffer();
    const texts = Array.from({ length: 20 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i * 7)}"}`);
    const buffers = new Set<ArrayBufferLike>();
    for (const [i, text] of texts.entries()) {
      const file = path.join(dir, `f${i}.json`);
      writeFileSync(file, text);
      const bytes = readBytes(file, undefined, scratch);
      expect(bytes.toString('utf8')).toBe(text);
      buffers.add(bytes.buffer);
      expect(scratch.stamp?.ino).toBe(statSync(file).ino);
      expect(scratch.stamp?.size).toBe(text.length);
    }
    // One allocation for files of rising sizes under 64 KiB.
    expect(buffers.size).toBe(1);
  });

  it('grows for a larger file, and a file read into it keeps no bytes of the one before', () => {
    const dir = makeTempDir('scratch');
    const scratch = new ScratchBuffer();
    const large = path.join(dir, 'large.json');
    const small = path.join(dir, 'small.json');
    writeFileSync(large, 'y'.repeat(100_000));
    writeFileSync(small, 'ab');
    expect(readBytes(large, undefined, scratch).length).toBe(100_000);
    expect(readBytes(small, undefined, scratch).toString()).toBe('ab');
    // One made for a single file allocates what the file needs, not 64 KiB.
    const single = new ScratchBuffer(0);
    expect(readBytes(small, undefined, single).buffer.byteLength).toBe(2);
    expect(new ScratchBuffer().take(2).buffer.byteLength).toBe(64 * 1024);
  });

  it('has the same stamp for a file read again unchanged, another when it is written or replaced', () => {
    const dir = makeTempDir('scratch');
    const file = path.join(dir, 'app.json');
    writeFileSync(file, '{"appId": "a"}');
    const stampNow = () => {
      const scratch = new ScratchBuffer();
      readBytes(file, undefined, scratch);
      return scratch.stamp;
    };
    const first = stampNow();
    expect(sameStamp(first, stampNow())).toBe(true);
    writeFileSync(file, '{"appId": "b"}'); // same size, new bytes
    // File times move with the kernel's clock tick: a write a tick later, as one after the scan read the file is.
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    const written = stampNow();
    expect(sameStamp(first, written)).toBe(false);
    const other = path.join(dir, 'other.json');
    writeFileSync(other, '{"appId": "b"}');
    renameSync(other, file);
    expect(sameStamp(written, stampNow())).toBe(false);
    expect(sameStamp(undefined, undefined)).toBe(false);
  });
});
