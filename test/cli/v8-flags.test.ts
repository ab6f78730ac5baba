/**
 * The CLI's own V8 flags (src/cli/v8-flags.ts): which it sets when the user gave none, that a flag the user gave
 * wins, and that setting them takes effect in a running process (what the compile cache and the benchmarks rely on).
 */
import { CLI_V8_FLAGS, flagsToSet } from '../../src/cli/v8-flags';
import { runWithFlags } from '../helpers/node-child';

describe('flagsToSet', () => {
  it('sets the CLI flags when Node.js was given none about them', () => {
    const all = ['--no-turbo-inlining', '--heap-growing-percent=200', '--expose-gc'];
    expect(flagsToSet([], undefined)).toEqual(all);
    expect(flagsToSet(['--max-old-space-size=300', '--trace-opt'], '--enable-source-maps')).toEqual([
      ...CLI_V8_FLAGS,
    ]);
    // Another flag whose name starts the same is another flag.
    expect(flagsToSet(['--turbo-inlining-extra'], undefined)).toEqual(all);
    expect(flagsToSet([], '')).toEqual(all);
  });

  it('leaves a flag the user gave, in either sense and spelling, on the command line or in NODE_OPTIONS', () => {
    const growing = ['--heap-growing-percent=200', '--expose-gc'];
    expect(flagsToSet(['--turbo-inlining'], undefined)).toEqual(growing);
    expect(flagsToSet(['--no-turbo-inlining'], undefined)).toEqual(growing);
    expect(flagsToSet(['--turbo_inlining'], undefined)).toEqual(growing);
    expect(flagsToSet(['--noturbo-inlining'], undefined)).toEqual(growing);
    expect(flagsToSet(['--turbo-inlining=true'], undefined)).toEqual(growing);
    expect(flagsToSet([], '--max-old-space-size=300  --turbo-inlining')).toEqual(growing);
    expect(flagsToSet(['--heap_growing_percent=50'], '--turbo-inlining')).toEqual(['--expose-gc']);
    expect(flagsToSet(['--expose_gc'], '--turbo-inlining --heap-growing-percent=50')).toEqual([]);
  });

  it('reads only options, not values or the script', () => {
    expect(flagsToSet(['-r', 'turbo-inlining'], 'turbo-inlining heap-growing-percent=1')).toEqual([
      ...CLI_V8_FLAGS,
    ]);
  });
});

describe('setCliV8Flags in a running process', () => {
  /** Runs a hot loop under `--trace-turbo-inlining`; how many times the optimizing compiler inlined its callee. */
  function inliningTrace(setFirst: boolean, execArgv: string[] = []): number {
    const out = runWithFlags(
      setFirst,
      [...execArgv, '--trace-turbo-inlining'],
      [
        'function add(a, b) { return a + b; }',
        'function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = add(s, i); return s; }',
        'let total = 0; for (let k = 0; k < 300; k++) total += hot(10000);',
        'process.stdout.write(String(total > 0));',
      ],
    );
    expect(out.endsWith('true')).toBe(true);
    return out.split('\n').filter((line) => /^Inlining .*SharedFunctionInfo add>/.test(line)).length;
  }

  it('turns inlining off, and leaves it on when the user asked for it', () => {
    expect(inliningTrace(false)).toBeGreaterThan(0);
    expect(inliningTrace(true)).toBe(0);
    expect(inliningTrace(true, ['--turbo-inlining'])).toBeGreaterThan(0);
  });
});

describe('the heap growing factor in a running process', () => {
  /** The factors V8 set its old-generation limits with in a process that keeps what it allocates (`--trace-gc-verbose`). */
  function growingFactors(setFirst: boolean, execArgv: string[] = []): string[] {
    const out = runWithFlags(
      setFirst,
      [...execArgv, '--trace-gc-verbose'],
      [
        'const keep = [];',
        "for (let i = 0; i < 2000; i++) { const a = []; for (let j = 0; j < 1000; j++) a.push({ i, j, s: 'x' + j }); keep.push(a); }",
        'process.stdout.write(String(keep.length));',
      ],
    );
    return out
      .split('\n')
      .map((line) => /\[HeapController\] Limit: .*\(([\d.]+)\)$/.exec(line)?.[1])
      .filter((factor): factor is string => factor !== undefined);
  }

  it('sets every limit with a factor of 3, and leaves a factor the user set', () => {
    const set = growingFactors(true);
    expect(set.length).toBeGreaterThan(0);
    expect(new Set(set)).toEqual(new Set(['3.0']));
    expect(new Set(growingFactors(true, ['--heap-growing-percent=20']))).toEqual(new Set(['1.2']));
  });
});

describe('--expose-gc in a running process', () => {
  /** `typeof gc` in the main context and in a context made afterwards. */
  function gcTypes(setFirst: boolean): string {
    return runWithFlags(
      setFirst,
      [],
      [
        "const inNew = require('node:vm').runInNewContext('typeof gc');",
        'process.stdout.write(`${typeof globalThis.gc} ${inNew}`);',
      ],
    );
  }

  it('gives a context made after it gc(), and leaves the main context without one', () => {
    expect(gcTypes(true)).toBe('undefined function');
    expect(gcTypes(false)).toBe('undefined undefined');
  });
});
