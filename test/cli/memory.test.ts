/**
 * The collection between a scan's audit and its reports (src/cli/memory.ts): it runs only above its threshold and
 * only where the CLI's flags expose `gc()`, and it frees what is garbage. Each case runs in a fresh child process:
 * V8 flags cannot be unset, and the module keeps the `gc` it found.
 */
import { runWithFlags } from '../helpers/node-child';

interface Outcome {
  collected: boolean;
  /** Heap in use just before the call, with some 40 MB of garbage in it, and just after. */
  before: number;
  after: number;
}

function collectInChild(setFlags: boolean, threshold: string): Outcome {
  const out = runWithFlags(
    setFlags,
    [],
    [
      "const { getHeapStatistics } = require('node:v8');",
      "const { collectAfterAudit } = require('./src/cli/memory.ts');",
      'let garbage = Array.from({ length: 400000 }, (_, i) => ({ i, text: `value ${i}` }));',
      'const before = getHeapStatistics().used_heap_size;',
      'garbage = undefined;',
      `const collected = collectAfterAudit(${threshold});`,
      'const after = getHeapStatistics().used_heap_size;',
      'process.stdout.write(JSON.stringify({ collected, before, after }));',
    ],
  );
  return JSON.parse(out) as Outcome;
}

const MB = 1024 * 1024;

it('collects the garbage when more heap than the threshold is in use', () => {
  const { collected, before, after } = collectInChild(true, String(16 * MB));
  expect(collected).toBe(true);
  expect(before).toBeGreaterThan(30 * MB);
  expect(after).toBeLessThan(before - 20 * MB);
});

it('does not collect below the threshold', () => {
  expect(collectInChild(true, String(Number.MAX_SAFE_INTEGER)).collected).toBe(false);
});

it('does not collect where gc() is not exposed (the library, without the CLI flags)', () => {
  expect(collectInChild(false, '0').collected).toBe(false);
});
