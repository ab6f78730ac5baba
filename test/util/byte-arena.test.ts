import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ByteArena, readBytes } from '../../src/util/files';
import { makeTempDir } from '../helpers/temp';

describe('ByteArena', () => {
  it('keeps every file read into it intact while later files fill the same block', () => {
    const dir = makeTempDir('arena');
    const arena = new ByteArena(64);
    const texts = Array.from({ length: 20 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 7)}"}`);
    const read = texts.map((text, i) => {
      const file = path.join(dir, `f${i}.json`);
      writeFileSync(file, text);
      return readBytes(file, undefined, arena);
    });
    expect(read.map((b) => b.toString('utf8'))).toEqual(texts);
    // Small files share blocks: fewer distinct ArrayBuffers than files.
    expect(new Set(read.map((b) => b.buffer)).size).toBeLessThan(texts.length);
  });

  it('gives a file larger than a quarter block its own memory', () => {
    const arena = new ByteArena(64);
    const small = arena.take(8);
    const large = arena.take(17);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.length).toBe(17);
    const next = arena.take(8);
    expect(next.buffer).toBe(small.buffer);
    expect(next.byteOffset).toBe(small.byteOffset + 8);
  });
});
