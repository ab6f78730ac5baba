/**
 * The CLI's own V8 flags (src/cli/v8-flags.ts): which it sets when the user gave none, that a flag the user gave
 * wins, and that setting them takes effect in a running process (what the compile cache and the benchmarks rely on).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { CLI_V8_FLAGS, flagsToSet } from '../../src/cli/v8-flags';

const ROOT = path.join(__dirname, '..', '..');

describe('flagsToSet', () => {
  it('sets the CLI flags when Node.js was given none about them', () => {
    expect(flagsToSet([], undefined)).toEqual(['--no-turbo-inlining']);
    expect(flagsToSet(['--max-old-space-size=300', '--trace-opt'], '--enable-source-maps')).toEqual([
      ...CLI_V8_FLAGS,
    ]);
    // Another flag whose name starts the same is another flag.
    expect(flagsToSet(['--turbo-inlining-extra'], undefined)).toEqual(['--no-turbo-inlining']);
    expect(flagsToSet([], '')).toEqual(['--no-turbo-inlining']);
  });

  it('leaves a flag the user gave, in either sense and spelling, on the command line or in NODE_OPTIONS', () => {
    expect(flagsToSet(['--turbo-inlining'], undefined)).toEqual([]);
    expect(flagsToSet(['--no-turbo-inlining'], undefined)).toEqual([]);
    expect(flagsToSet(['--turbo_inlining'], undefined)).toEqual([]);
    expect(flagsToSet(['--noturbo-inlining'], undefined)).toEqual([]);
    expect(flagsToSet(['--turbo-inlining=true'], undefined)).toEqual([]);
    expect(flagsToSet([], '--max-old-space-size=300  --turbo-inlining')).toEqual([]);
  });

  it('reads only options, not values or the script', () => {
    expect(flagsToSet(['-r', 'turbo-inlining'], 'turbo-inlining')).toEqual(['--no-turbo-inlining']);
  });
});

describe('setCliV8Flags in a running process', () => {
  /** Runs a hot loop under `--trace-turbo-inlining`; how many times the optimizing compiler inlined its callee. */
  function inliningTrace(setFirst: boolean, execArgv: string[] = []): number {
    const script = [
      "require('./test/helpers/ts-require.js');",
      `if (${setFirst}) require('./src/cli/v8-flags.ts').setCliV8Flags(process.execArgv, {});`,
      'function add(a, b) { return a + b; }',
      'function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = add(s, i); return s; }',
      'let total = 0; for (let k = 0; k < 300; k++) total += hot(10000);',
      'process.stdout.write(String(total > 0));',
    ].join('\n');
    const out = execFileSync(process.execPath, [...execArgv, '--trace-turbo-inlining', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(out.endsWith('true')).toBe(true);
    return out.split('\n').filter((line) => /^Inlining .*SharedFunctionInfo add>/.test(line)).length;
  }

  it('turns inlining off, and leaves it on when the user asked for it', () => {
    expect(inliningTrace(false)).toBeGreaterThan(0);
    expect(inliningTrace(true)).toBe(0);
    expect(inliningTrace(true, ['--turbo-inlining'])).toBeGreaterThan(0);
  });
});
