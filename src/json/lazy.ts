/**
 * What a JSON file's findings need, built only when one is located in the file: a tenant-sized folder of manifests
 * holds 10,000 files, a 5,000-API APIOps tree 11,700 `*Information.json`, and findings point into a few of them.
 */
import { jsonPositionIndex, KEEP_INDEX_FROM, locatePointer } from './positions';
import type { Position, PositionIndex } from './types';
import { RecentlyUsed } from '../util/recent';

/** Lookups answered by scanning the text along the pointer before the index of every value is built. */
const DIRECT_LOOKUPS = 2;

/**
 * How to read a file again: `reread()` gives its text, or undefined when it cannot be read or is no longer the file
 * that was parsed (a manifest's `FileStamp`, an APIOps file's digest changed), and then findings in it are shown
 * without a line. An object of a class, not a closure: a large folder has one per file (a 5,000-API tree 27,000),
 * and a closure with the context it captures costs about twice the memory of an object holding the same values
 * (the closures made per file and the contexts they kept were about 6 MB of that tree's heap).
 */
export interface Reread {
  reread(): string | undefined;
}

/**
 * A position index over a text that `JSON.parse` accepted (and `jsonDepthProblem` let through), without its UTF-8
 * BOM, not parsed again. Nothing of the file is kept but how to read it again (`Reread`): its text is read and
 * decoded on the first lookup; the index is one object per file, for the files no finding points into. A file's
 * first lookups scan the text along their pointer (most files with a finding have one or two); from the third, the
 * index of every value is built once and used.
 */
export class LazyJsonIndex implements PositionIndex {
  // Private fields (`#`): the file's text holds secret values, and serializing the index (`JSON.stringify`) must
  // not show it.
  readonly #source: string | Reread;
  #text: string | undefined;
  #index: PositionIndex | undefined;
  #direct = 0;

  constructor(source: string | Reread) {
    this.#source = source;
  }

  locate(pointer: string): Position | undefined {
    if (this.#direct < DIRECT_LOOKUPS) {
      this.#direct++;
      const text = this.#read();
      return text === undefined ? undefined : locatePointer(text, pointer);
    }
    return this.#built().locate(pointer);
  }

  locateOffset(pointer: string, offset: number): Position | undefined {
    return this.#built().locateOffset(pointer, offset);
  }

  /**
   * The file's text: read again when a lookup needs it and kept among the recently read ones (a file's lookups come
   * together, as its findings are located), or kept once read for a large one.
   */
  #read(): string | undefined {
    const source = this.#source;
    if (typeof source === 'string') return source;
    if (this.#text !== undefined) return this.#text;
    const { text } = recentReads.get(this, () => ({ text: source.reread() }));
    // Kept (`#text`) only when large: then it is read once, with its index.
    if (text !== undefined && text.length >= KEEP_INDEX_FROM) this.#text = text;
    return text;
  }

  /**
   * The index over the text, kept among the recently used ones only: a folder whose findings point into thousands
   * of files does not keep every file's text and index for the whole run. A large file (a Graph page of every
   * application) is read and indexed once, and kept.
   */
  #built(): PositionIndex {
    if (this.#index) return this.#index;
    const source = this.#source;
    if (typeof source === 'string' ? source.length >= KEEP_INDEX_FROM : this.#text !== undefined) {
      this.#index = indexOf(this.#read());
      return this.#index;
    }
    return recentTexts.get(this, () => {
      const index = indexOf(this.#read());
      if (this.#text !== undefined) this.#index = index; // found to be large on its first reading
      return index;
    });
  }
}

/** The index of a text, or one that locates nothing for a file that could not be read again. */
function indexOf(text: string | undefined): PositionIndex {
  return text === undefined ? UNREAD : jsonPositionIndex(text);
}

/** The index of a file that could not be read again: it locates nothing (its findings are shown without a line). */
export const UNREAD: PositionIndex = { locate: () => undefined, locateOffset: () => undefined };

/** Files under `KEEP_INDEX_FROM` share these; larger ones keep their text and index. */
const recentTexts = new RecentlyUsed<LazyJsonIndex, PositionIndex>(64);
/** The texts of the files read again last (a file that cannot be read again: no text). */
const recentReads = new RecentlyUsed<LazyJsonIndex, { text: string | undefined }>(64);
