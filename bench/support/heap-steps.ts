/**
 * Preloaded into one benchmarked scan (`node --expose-gc -r dist/bench/support/heap-steps.js <cli> scan --timing`):
 * after each step the scan times (reading the sources, the model, each rule, the findings, the report), a full
 * garbage collection, then the heap still in use. On exit, writes one line per step to stderr
 * (`heap-step <bytes> <label>`), for the harness to read.
 *
 * The peak resident size varies by some 20 MiB between identical runs, since it depends on when the collector runs;
 * the heap left after a full collection mostly repeats to within a megabyte (5 of 6 runs of the 5,000-API tree; one
 * was 9 MB higher from the first step on), so a change that keeps less shows in it even when the peak does not tell
 * it from the noise. The collections make this run slower: its times mean nothing.
 *
 * `HEAP_STEPS_TIMING` names the timing module of the build under test (src/engine/timing.js next to its CLI): the
 * steps are the ones its `Timings` records.
 */
import { isMainThread } from 'node:worker_threads';

interface TimingsLike {
  prototype: {
    time: (label: string, work: () => unknown, kind?: unknown) => unknown;
    timeAsync: (label: string, work: () => Promise<unknown>, kind?: unknown) => Promise<unknown>;
  };
}

const timingModule = process.env['HEAP_STEPS_TIMING'];
const collect = (globalThis as { gc?: () => void }).gc;

if (isMainThread && timingModule !== undefined && collect !== undefined) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build under test's module, named at run time
  const { Timings } = require(timingModule) as { Timings: TimingsLike };
  const steps: [string, number][] = [];
  const settled = (label: string) => {
    collect();
    steps.push([label, process.memoryUsage().heapUsed]);
  };
  const { time, timeAsync } = Timings.prototype;
  Timings.prototype.time = function (label, work, kind) {
    try {
      return time.call(this, label, work, kind);
    } finally {
      settled(label);
    }
  };
  Timings.prototype.timeAsync = async function (label, work, kind) {
    try {
      return await timeAsync.call(this, label, work, kind);
    } finally {
      settled(label);
    }
  };
  process.on('exit', () => {
    process.stderr.write(`\n${steps.map(([label, bytes]) => `heap-step ${bytes} ${label}`).join('\n')}\n`);
  });
}
