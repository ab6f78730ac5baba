/**
 * What a manifest file's findings need, built only when one is located in the file: a tenant-sized folder holds
 * 10,000 files, and findings point into a few of them.
 */
import { jsonPositionIndex } from '../../json/positions';
import type { Position, PositionIndex } from '../../json/types';
import { RecentlyUsed } from '../../util/recent';

/**
 * A position index over a text that `JSON.parse` accepted (and `jsonDepthProblem` let through), without its UTF-8
 * BOM: scanned on the first lookup only, and not parsed again. Kept as bytes (outside the JS heap), the text is
 * decoded then, by `decode`; the index is one object per file, for the files no finding points into.
 */
export class LazyJsonIndex implements PositionIndex {
  // Private fields (`#`): the file's text holds secret values, and serializing the index (`JSON.stringify`) must
  // not show it.
  readonly #source: string | Buffer;
  readonly #decode: (bytes: Buffer) => string;
  #index: PositionIndex | undefined;

  constructor(source: string | Buffer, decode: (bytes: Buffer) => string) {
    this.#source = source;
    this.#decode = decode;
  }

  locate(pointer: string): Position | undefined {
    return this.#built().locate(pointer);
  }

  locateOffset(pointer: string, offset: number): Position | undefined {
    return this.#built().locateOffset(pointer, offset);
  }

  /**
   * The index over the decoded text, kept among the recently used ones only: a folder whose findings point into
   * thousands of files does not keep every file's text and index for the whole run.
   */
  #built(): PositionIndex {
    const source = this.#source;
    const build = () => jsonPositionIndex(typeof source === 'string' ? source : this.#decode(source));
    if (source.length < KEEP_FROM) return recentTexts.get(this, build);
    // A large file (a Graph page of every application) is decoded once and kept.
    this.#index ??= build();
    return this.#index;
  }
}

/** Files from this size (1 MiB) keep their decoded text and index; smaller ones share `recentTexts`. */
const KEEP_FROM = 1024 * 1024;
const recentTexts = new RecentlyUsed<LazyJsonIndex, PositionIndex>(64);
