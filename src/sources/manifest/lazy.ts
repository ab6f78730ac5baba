/**
 * What a manifest file's findings need, built only when one is located in the file: a tenant-sized folder holds
 * 10,000 files, and findings point into a few of them.
 */
import { jsonPositionIndex, KEEP_INDEX_FROM, locatePointer } from '../../json/positions';
import type { Position, PositionIndex } from '../../json/types';
import { RecentlyUsed } from '../../util/recent';

/** Lookups answered by scanning the text along the pointer before the index of every value is built. */
const DIRECT_LOOKUPS = 2;

/**
 * A position index over a text that `JSON.parse` accepted (and `jsonDepthProblem` let through), without its UTF-8
 * BOM, not parsed again. Kept as bytes (outside the JS heap), the text is decoded on the first lookup, by `decode`;
 * the index is one object per file, for the files no finding points into. A file's first lookups scan the text
 * along their pointer (most files with a finding have one or two); from the third, the index of every value is
 * built once and used.
 */
export class LazyJsonIndex implements PositionIndex {
  // Private fields (`#`): the file's text holds secret values, and serializing the index (`JSON.stringify`) must
  // not show it.
  readonly #source: string | Buffer;
  readonly #decode: (bytes: Buffer) => string;
  #text: string | undefined;
  #index: PositionIndex | undefined;
  #direct = 0;

  constructor(source: string | Buffer, decode: (bytes: Buffer) => string) {
    this.#source = source;
    this.#decode = decode;
  }

  locate(pointer: string): Position | undefined {
    if (this.#direct < DIRECT_LOOKUPS) {
      this.#direct++;
      return locatePointer(this.#decoded(), pointer);
    }
    return this.#built().locate(pointer);
  }

  locateOffset(pointer: string, offset: number): Position | undefined {
    return this.#built().locateOffset(pointer, offset);
  }

  /** The file's text: decoded again for each use of a small file (cheap), kept for a large one. */
  #decoded(): string {
    const source = this.#source;
    if (typeof source === 'string') return source;
    if (source.length < KEEP_INDEX_FROM) return this.#decode(source);
    this.#text ??= this.#decode(source);
    return this.#text;
  }

  /**
   * The index over the decoded text, kept among the recently used ones only: a folder whose findings point into
   * thousands of files does not keep every file's text and index for the whole run.
   */
  #built(): PositionIndex {
    const build = () => jsonPositionIndex(this.#decoded());
    if (this.#source.length < KEEP_INDEX_FROM) return recentTexts.get(this, build);
    // A large file (a Graph page of every application) is decoded and indexed once.
    this.#index ??= build();
    return this.#index;
  }
}

/** Files under `KEEP_INDEX_FROM` share these; larger ones keep their decoded text and index. */
const recentTexts = new RecentlyUsed<LazyJsonIndex, PositionIndex>(64);
