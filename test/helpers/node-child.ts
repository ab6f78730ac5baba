/**
 * Runs lines of JavaScript in a child Node.js at the repository's root, with the TypeScript sources loadable
 * (`require('./src/....ts')`), for tests of what only a fresh process shows (V8 flags, garbage collection).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs `body` in a child Node.js with `execArgv`, after setting the CLI's V8 flags when `setFirst` (as the CLI does,
 * before anything else): what it printed to stdout, traces included.
 */
export function runWithFlags(
  setFirst: boolean,
  execArgv: readonly string[],
  body: readonly string[],
): string {
  const script = [
    "require('./test/helpers/ts-require.js');",
    `if (${setFirst}) require('./src/cli/v8-flags.ts').setCliV8Flags(process.execArgv, {});`,
    ...body,
  ].join('\n');
  return execFileSync(process.execPath, [...execArgv, '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
}
