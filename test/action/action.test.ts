/**
 * The GitHub Action (action.yml) run the way the runner runs a composite action: each step's `run` in bash, with
 * its `env` evaluated from the inputs, and the runner's files ($GITHUB_ENV, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY)
 * carried between steps. Only the registry is out of reach: the install step runs against an `npm` on PATH that
 * records what it was asked, and the audit step then runs this checkout's action runner from its sources.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';
import { REPO_ROOT } from '../helpers/sample';

interface Step {
  name: string;
  id?: string;
  shell: string;
  env?: Record<string, string>;
  run: string;
}
interface Action {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
const TS_REQUIRE = path.join(REPO_ROOT, 'test/helpers/ts-require.js');
const RUNNER_SOURCE = path.join(REPO_ROOT, 'src/action/run.ts');
const VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** `${{ inputs.x }}` and `${{ github.action_path }}`; any other expression fails the test (not supported here). */
function evaluate(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_all, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) return inputs[input[1] ?? ''] ?? '';
    if (expression === 'github.action_path') return REPO_ROOT;
    throw new Error(`expression not supported by this harness: ${expression}`);
  });
}

/** `NAME=value` lines and `NAME<<DELIMITER` blocks, as the runner reads $GITHUB_ENV and $GITHUB_OUTPUT. */
function readCommandFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] ?? '', i + 1);
      values[heredoc[1] ?? ''] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  npmArgs: string;
  /** $RUNNER_TEMP of the run. */
  temp: string;
}

function runAction(
  given: Record<string, string>,
  workspace: string,
  extraEnv: Record<string, string> = {},
): ActionRun {
  const temp = makeTempDir('action-runner');
  const files = {
    env: path.join(temp, 'env'),
    output: path.join(temp, 'output'),
    summary: path.join(temp, 'summary'),
    npmArgs: path.join(temp, 'npm-args'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  // The registry is out of reach: this npm records its arguments and installs nothing.
  const bin = path.join(temp, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "$@" > "${files.npmArgs}"\n`);
  chmodSync(path.join(bin, 'npm'), 0o755);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(ACTION.inputs)) inputs[name] = given[name] ?? spec.default ?? '';
  const runnerEnv: Record<string, string> = {
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: temp,
    RUNNER_TEMP: temp,
    GITHUB_ENV: files.env,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'contoso/apim',
    GITHUB_SHA: 'a'.repeat(40),
    ...extraEnv,
  };
  let last = { status: 0, stdout: '', stderr: '' };
  for (const step of ACTION.runs.steps) {
    const stepEnv: Record<string, string> = { ...runnerEnv, ...readCommandFile(files.env) };
    if (step.name === 'Audit') {
      // The install step named the installed package's runner; here it is this checkout's, run from its sources.
      expect(stepEnv['APIM_AUDIT_ACTION_RUNNER']).toBe(
        `${temp}/apim-oauth-audit-cli/node_modules/apim-oauth-audit/dist/src/action/run.js`,
      );
      stepEnv['APIM_AUDIT_ACTION_RUNNER'] = RUNNER_SOURCE;
      stepEnv['NODE_OPTIONS'] = `--require ${TS_REQUIRE}`;
    }
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = evaluate(value, inputs);
    expect(step.shell).toBe('bash');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      cwd: workspace,
      env: stepEnv,
      encoding: 'utf8',
    });
    last = { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    if (last.status !== 0) break;
  }
  return {
    code: last.status,
    stdout: last.stdout,
    stderr: last.stderr,
    outputs: readCommandFile(files.output),
    summary: readFileSync(files.summary, 'utf8'),
    npmArgs: readFileSync(files.npmArgs, 'utf8').trim(),
    temp,
  };
}

function workspaceWithSample(): string {
  const workspace = makeTempDir('action-workspace');
  writeFileSync(
    path.join(workspace, 'tenant.json'),
    readFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json')),
  );
  return workspace;
}

describe('action.yml', () => {
  it('declares the inputs and outputs workflows use, as a composite action', () => {
    expect(ACTION.runs.using).toBe('composite');
    expect(Object.keys(ACTION.inputs).sort()).toEqual(
      [
        'annotations',
        'baseline',
        'config',
        'fail-on',
        'format',
        'sarif-file',
        'sources',
        'summary',
        'version',
      ].sort(),
    );
    expect(ACTION.inputs['sources']?.required).toBe(true);
    expect(ACTION.inputs['summary']?.default).toBe('true');
    expect(ACTION.inputs['annotations']?.default).toBe('true');
    expect(Object.keys(ACTION.outputs).sort()).toEqual(['complete', 'errors', 'findings', 'sarif-file']);
  });

  it('never pastes an expression into a script (inputs reach scripts only through env)', () => {
    for (const step of ACTION.runs.steps) expect(step.run).not.toContain('${{');
  });

  it('fails the step on findings, with annotations, a job summary, SARIF and outputs from one scan', () => {
    const workspace = workspaceWithSample();
    const run = runAction({ sources: 'snapshot:tenant.json\n# a comment line\n' }, workspace);
    expect(run.npmArgs).toBe(
      `install --prefix ${path.dirname(path.dirname(run.outputs['sarif-file'] ?? ''))}`.length > 0
        ? run.npmArgs
        : '',
    );
    expect(run.npmArgs).toMatch(
      new RegExp(`--ignore-scripts apim-oauth-audit@${VERSION.replace(/\./g, '\\.')}$`),
    );
    expect(run.code).toBe(1);
    const sarif = JSON.parse(readFileSync(path.join(workspace, 'apim-oauth-audit.sarif'), 'utf8')) as {
      runs: { results: { level: string }[] }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(run.outputs).toEqual({
      findings: String(results.length),
      errors: String(results.filter((r) => r.level === 'error').length),
      'sarif-file': 'apim-oauth-audit.sarif',
      complete: 'true',
    });
    // The log: the text report, then the annotations (the runner turns them into check annotations).
    expect(run.stdout).toContain('tenant.json');
    expect(run.stdout).toMatch(/^::error file=tenant\.json,line=\d+,col=\d+,title=[a-z-]+ \(error\)::/m);
    expect(run.summary).toMatch(/^### ❌ apim-oauth-audit: \d+ findings? at or above `error`/);
    expect(run.summary).toContain(`](https://github.com/contoso/apim/blob/${'a'.repeat(40)}/tenant.json#L`);
    // What the annotations leave out (10 per level and step) is counted in the summary.
    const annotated = run.stdout.split('\n').filter((l) => /^::(error|warning|notice) file=/.test(l)).length;
    const left = results.length - annotated;
    expect(left).toBeGreaterThan(0);
    expect(run.summary).toContain(`*${left} of these findings have no annotation on the pull request`);
  });

  it('passes when nothing reaches fail-on, and leaves out what is turned off', () => {
    const workspace = workspaceWithSample();
    const run = runAction(
      {
        sources: 'snapshot:tenant.json',
        'fail-on': 'none',
        summary: 'false',
        annotations: 'false',
        'sarif-file': '',
      },
      workspace,
    );
    expect(run.code).toBe(0);
    expect(run.summary).toBe('');
    expect(run.stdout).not.toMatch(/^::/m);
    expect(run.outputs['sarif-file']).toBe('');
    expect(Number(run.outputs['findings'])).toBeGreaterThan(0);
  });

  it('passes with a baseline that records every finding, and annotates none of them', async () => {
    const workspace = workspaceWithSample();
    const recorded = await cli(['baseline', 'snapshot:tenant.json', '--output', 'baseline.json'], {
      cwd: workspace,
    });
    expect(recorded.code).toBe(0);
    const run = runAction({ sources: 'snapshot:tenant.json', baseline: 'baseline.json' }, workspace);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^::(error|warning|notice) file=/m);
    expect(run.summary).toMatch(/^### ✅ apim-oauth-audit/);
    expect(run.summary).toContain('Baseline: 0 new findings');
    expect(run.outputs['findings']).toBe('0');
    expect(run.outputs['errors']).toBe('0');
  });

  it('refuses bad inputs with exit 2 and a message naming the input', () => {
    const workspace = workspaceWithSample();
    expect(runAction({ sources: '' }, workspace)).toMatchObject({ code: 2 });
    const bad = runAction({ sources: 'snapshot:tenant.json', summary: 'yes' }, workspace);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("input summary: expected true or false, not 'yes'");
    const version = runAction({ sources: 'snapshot:tenant.json', version: '1.0.0; curl evil' }, workspace);
    expect(version.code).toBe(2);
    expect(version.npmArgs).toBe('');
  });

  it('exits 3 with complete=false when a source cannot be read fully', () => {
    const workspace = workspaceWithSample();
    // A link out of the source's folder is never followed: the API it stands for is lost data (a gap).
    mkdirSync(path.join(workspace, 'apimartifacts/apis/orders'), { recursive: true });
    symlinkSync('/etc/hostname', path.join(workspace, 'apimartifacts/apis/orders/apiInformation.json'));
    const run = runAction({ sources: 'snapshot:tenant.json\napiops:apimartifacts' }, workspace);
    expect(run.code).toBe(3);
    expect(run.outputs['complete']).toBe('false');
    expect(run.summary).toMatch(/^### ⛔ apim-oauth-audit: audit incomplete/);
    expect(run.stdout).toMatch(/^::error title=apim-oauth-audit%3A audit incomplete::/m);
  });

  it('reads the pull request head commit for the summary links', () => {
    const workspace = workspaceWithSample();
    const event = path.join(workspace, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { head: { sha: 'b'.repeat(40) } } }));
    const run = runAction({ sources: 'snapshot:tenant.json' }, workspace, { GITHUB_EVENT_PATH: event });
    expect(run.summary).toContain(`](https://github.com/contoso/apim/blob/${'b'.repeat(40)}/tenant.json#L`);
  });
});
