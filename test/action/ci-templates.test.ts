/**
 * The CI examples in docs/ci: the Azure DevOps template's script run in bash the way the agent runs it (macros and
 * template parameters substituted, env from the step), and the GitHub workflows checked for what makes them work
 * (the action's inputs, SARIF categories per tenant, config taken outside the working tree).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { parse } from 'yaml';
import { makeTempDir } from '../helpers/temp';
import { REPO_ROOT } from '../helpers/sample';

const CI = path.join(REPO_ROOT, 'docs/ci');
const TS_REQUIRE = path.join(REPO_ROOT, 'test/helpers/ts-require.js');

interface AdoStep {
  bash?: string;
  env?: Record<string, string>;
  task?: string;
  inputs?: Record<string, string>;
}

function load<T>(file: string): T {
  return parse(readFileSync(path.join(CI, file), 'utf8')) as T;
}

/** `$(Agent.TempDirectory)` style macros and `${{ parameters.x }}` expressions, as the agent expands them. */
function expand(text: string, macros: Record<string, string>, parameters: Record<string, string>): string {
  return text
    .replace(/\$\{\{\s*parameters\.(\w+)\s*\}\}/g, (_all, name: string) => parameters[name] ?? '')
    .replace(/\$\(([\w.]+)\)/g, (all, name: string) => macros[name] ?? all);
}

describe('docs/ci/templates/apim-oauth-audit.yml (Azure DevOps)', () => {
  const template = load<{ parameters: { name: string; default?: string }[]; steps: AdoStep[] }>(
    'templates/apim-oauth-audit.yml',
  );

  it('publishes JUnit to the Tests tab and SARIF as the CodeAnalysisLogs artifact', () => {
    const tasks = template.steps.filter((s) => s.task);
    expect(tasks.find((t) => t.task === 'PublishTestResults@2')?.inputs).toMatchObject({
      testResultsFormat: 'JUnit',
      testResultsFiles: '$(Agent.TempDirectory)/apim-oauth-audit.junit.xml',
    });
    expect(tasks.find((t) => t.task === 'PublishBuildArtifacts@1')?.inputs).toMatchObject({
      ArtifactName: 'CodeAnalysisLogs',
    });
  });

  it('runs the scan once: issues on stdout, JUnit the schema accepts, SARIF, and the exit code of the gate', async () => {
    const step = template.steps.find((s) => s.bash !== undefined);
    const temp = makeTempDir('ado');
    const staging = path.join(temp, 'staging');
    const workspace = path.join(temp, 'work');
    const bin = path.join(temp, 'bin');
    for (const dir of [staging, workspace, bin]) mkdirSync(dir);
    writeFileSync(
      path.join(workspace, 'tenant.json'),
      readFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json')),
    );
    // npx from the registry is out of reach: this one runs this checkout's CLI from its sources.
    writeFileSync(
      path.join(bin, 'npx'),
      `#!/bin/sh\n[ "$1" = "--yes" ] && shift\ncase "$1" in apim-oauth-audit@*) shift ;; *) exit 99 ;; esac\nexec node -r "${TS_REQUIRE}" "${REPO_ROOT}/src/cli/main.ts" "$@"\n`,
    );
    chmodSync(path.join(bin, 'npx'), 0o755);
    const macros = { 'Agent.TempDirectory': temp, 'Build.ArtifactStagingDirectory': staging };
    const defaults = Object.fromEntries(template.parameters.map((p) => [p.name, p.default ?? '']));
    const parameters = { ...defaults, sources: 'snapshot:tenant.json\n', failOn: 'error' };
    const env = Object.fromEntries(
      Object.entries(step?.env ?? {}).map(([k, v]) => [k, expand(v, macros, parameters)]),
    );
    const run = spawnSync(
      'bash',
      ['--noprofile', '--norc', '-c', expand(step?.bash ?? '', macros, parameters)],
      {
        cwd: workspace,
        env: { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: temp, ...env },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^##vso\[task\.logissue type=error;sourcepath=tenant\.json;linenumber=\d+;/m);
    // The text report follows, for whoever reads the log.
    expect(run.stdout).toContain('tenant.json');
    const junit = readFileSync(path.join(temp, 'apim-oauth-audit.junit.xml'), 'utf8');
    const schema = readFileSync(path.join(REPO_ROOT, 'test/fixtures/junit.xsd'), 'utf8');
    const validation = await validateXML({
      xml: [{ fileName: 'r.xml', contents: junit }],
      schema: [{ fileName: 'junit.xsd', contents: schema }],
    });
    expect(validation.valid).toBe(true);
    expect(junit).toContain('<failure');
    const sarif = JSON.parse(
      readFileSync(path.join(staging, 'CodeAnalysisLogs/apim-oauth-audit.sarif'), 'utf8'),
    ) as {
      version: string;
    };
    expect(sarif.version).toBe('2.1.0');
  });
});

describe('docs/ci GitHub workflows', () => {
  type Workflow = {
    jobs: Record<
      string,
      { strategy?: { matrix: Record<string, string[]> }; steps: Record<string, unknown>[] }
    >;
  };
  const ACTION_INPUTS = Object.keys(
    (parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> })
      .inputs,
  );

  it.each(['pr-gate.yml', 'nightly-audit.yml', 'multi-tenant.yml'])(
    '%s uses only inputs the action has',
    (file) => {
      const workflow = load<Workflow>(file);
      const uses = Object.values(workflow.jobs).flatMap((job) =>
        job.steps.filter((s) => String(s['uses'] ?? '').startsWith('apim-oauth-audit/apim-oauth-audit@')),
      );
      expect(uses.length).toBeGreaterThan(0);
      for (const step of uses) {
        for (const input of Object.keys((step['with'] as Record<string, unknown>) ?? {})) {
          expect(ACTION_INPUTS).toContain(input);
        }
      }
    },
  );

  it('the PR gate takes config and baseline from the base branch, outside the working tree', () => {
    const text = readFileSync(path.join(CI, 'pr-gate.yml'), 'utf8');
    expect(text).toContain('git show "origin/$BASE_REF:.auditrc.json" > "$RUNNER_TEMP/auditrc.json"');
    expect(text).toContain('config: ${{ runner.temp }}/auditrc.json');
    expect(text).not.toContain('pull_request_target');
  });

  it('the multi-tenant matrix gives every tenant its own SARIF category and environment', () => {
    const workflow = load<Workflow>('multi-tenant.yml');
    const job = workflow.jobs['audit'] as Workflow['jobs'][string] & { environment: string };
    expect(job?.strategy?.matrix['tenant']?.length).toBeGreaterThan(1);
    const upload = job?.steps.find((s) => String(s['uses']).startsWith('github/codeql-action/upload-sarif'));
    expect((upload?.['with'] as Record<string, string>)['category']).toContain('${{ matrix.tenant }}');
    expect(job.environment).toContain('${{ matrix.tenant }}');
  });
});
