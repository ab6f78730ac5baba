/**
 * What a start loads (issue 12): an offline scan loads none of the Azure SDKs (@azure/*, @microsoft/*: hundreds of
 * modules; src/sources/live loads them inside `load`) nor ajv's compiler (the package's schemas are precompiled,
 * src/json/validators.generated.ts); `--version` and `--help` load no engine, rule, reporter or source module
 * (src/cli/main.ts loads ./commands once a command is parsed). Counted, not timed: bench/startup.ts times it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const HOOK = path.join(__dirname, 'load-hook.js');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'startup-modules-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI from source; returns its stdout and the modules it loaded, relative to the repository. */
function cli(args: string[]): { stdout: string; modules: string[] } {
  const file = path.join(dir, `${args.join('_').replace(/\W/g, '')}.json`);
  const stdout = execFileSync(process.execPath, ['-r', HOOK, MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOADED_MODULES_FILE: file, APIM_AUDIT_CONFIG: 'none', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const modules = (JSON.parse(readFileSync(file, 'utf8')) as string[]).map((m) =>
    path.relative(ROOT, m).split(path.sep).join('/'),
  );
  return { stdout, modules };
}

const SDK = /node_modules\/@(azure|microsoft|typespec)\//;
const AJV_COMPILER = /node_modules\/ajv\/dist\/(ajv|core|compile)/;

test('an offline scan of the sample loads no Azure SDK module, not ajv, yaml or jsonc-parser, and no other source kind', () => {
  const { stdout, modules } = cli(['scan', 'examples/contoso/snapshot.json', '--fail-on', 'none']);
  expect(stdout).toMatch(/api-oauth-enabled/);
  // The hook works: the scan loaded the engine and the snapshot source.
  expect(modules).toEqual(expect.arrayContaining(['src/engine/run.ts', 'src/sources/snapshot/index.ts']));
  expect(modules.filter((m) => SDK.test(m))).toEqual([]);
  expect(modules.filter((m) => AJV_COMPILER.test(m))).toEqual([]);
  // src/sources/index.ts loads a kind's module only for a spec of that kind (or to detect a bare path: the
  // snapshot kind is asked first); apiops/spec.ts loads yaml only for a YAML specification.
  expect(modules.filter((m) => /node_modules\/yaml\//.test(m))).toEqual([]);
  // jsonc-parser locates syntax errors, reads config and baseline files and plans fixes: none of them here.
  expect(modules.filter((m) => /node_modules\/jsonc-parser\//.test(m))).toEqual([]);
  expect(modules.filter((m) => /^src\/sources\/(?!index|types|snapshot\/)/.test(m))).toEqual([]);
  // Only the reporter the run formats with.
  expect(modules.filter((m) => /^reporters\/(?!index|types|common|text|paint|wrap)/.test(m))).toEqual([]);
  // Baselines and the HTML report's policy chains only for a run that asks for them.
  expect(modules.filter((m) => /baseline|policy-chain|policy-outline|explain/.test(m))).toEqual([]);
});

test.each(['--version', '--help', 'scan --help', 'token --help'])(
  '%s loads no engine, rule, reporter or source',
  (args) => {
    const { stdout, modules } = cli(args.split(' '));
    expect(stdout).not.toBe('');
    const heavy = modules.filter(
      (m) =>
        /^(src\/(engine|sources|model|policy|audit)|rules\/|reporters\/(?!types))/.test(m) ||
        SDK.test(m) ||
        /node_modules\/(ajv|yaml)\//.test(m),
    );
    expect(heavy).toEqual([]);
    expect(modules).toContain('src/cli/main.ts');
  },
);
