/**
 * What a manifest file's findings need, built only when one is located in the file: a tenant-sized folder holds
 * 10,000 files, and findings point into a few of them.
 */
import { jsonPositionIndex } from '../../json/positions';
import type { PositionIndex } from '../../json/types';

/** `compute()` on the first call, its result on every call after. */
export function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T | undefined;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value as T;
  };
}

/**
 * A position index over a text that `JSON.parse` accepted (and `jsonDepthProblem` let through), without its UTF-8
 * BOM: the text is asked for, and scanned, on the first lookup only, and not parsed again.
 */
export function lazyJsonIndex(text: () => string): PositionIndex {
  const index = once(() => jsonPositionIndex(text()));
  return {
    locate: (pointer) => index().locate(pointer),
    locateOffset: (pointer, offset) => index().locateOffset(pointer, offset),
  };
}
