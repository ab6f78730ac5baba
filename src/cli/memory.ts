/**
 * One full garbage collection between a large scan's audit and its reports (issue 12: peak memory).
 *
 * When `audit()` returns, its model and everything the rules derived from it are garbage: of the 180 MB a
 * 5,000-API tree has live at the end of its rules, 27 MB are still live when the reports start. V8 collects the
 * old generation only when it reaches the limit it set after its last full collection (up to three times what was
 * live then, v8-flags.ts), so the reports' own allocations (that tree's JSON report is 13.6 MB of text) grew the
 * heap instead of reusing the space: the scan's peak RSS was its report's. One collection there takes about 20 ms
 * on that tree, and the median peak fell from 345 to 330 MiB in alternated pairs (1.01 x the wall time, within the
 * noise). Below `COLLECT_ABOVE_BYTES` of heap in use it is not worth a collection: a scan that small never had its
 * peak in the report (1,000 APIs or 10,000 manifests have some 50 to 60 MB in use there, the sample 11 MB).
 */
import { getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const COLLECT_ABOVE_BYTES = 96 * 1024 * 1024;

let gc: (() => void) | null | undefined;

/**
 * V8's `gc()` when `--expose-gc` is set (the CLI sets it, v8-flags.ts; the library does not): the flag puts it in
 * contexts made after it, and the main one was made before, so it is taken from a new one, once.
 */
function exposedGc(): (() => void) | null {
  if (gc === undefined) {
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    gc = typeof found === 'function' ? (found as () => void) : null;
  }
  return gc;
}

/**
 * Collects garbage when more than `threshold` bytes of heap are in use and `gc()` is available; returns whether
 * it did. Called by `scan` once the audit is done, before the first report is formatted.
 */
export function collectAfterAudit(threshold: number = COLLECT_ABOVE_BYTES): boolean {
  if (getHeapStatistics().used_heap_size <= threshold) return false;
  const collect = exposedGc();
  if (!collect) return false;
  collect();
  return true;
}
