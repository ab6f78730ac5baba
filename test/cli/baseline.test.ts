/**
 * `baseline` and `scan --baseline`: adopting the gate on a tenant that already has findings. Recorded findings are
 * `unchanged` and do not fail the gate, new ones do, entries no longer found are reported as fixed, and every report
 * format says that a baseline was used, where it lies, and how old its entries are.
 */
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const BASELINE = '.audit-baseline.json';

interface Entry {
  fingerprint: string;
  ruleId: string;
  resource: { kind: string; name: string; id: string };
  message: string;
  firstRecorded: string;
}
interface BaselineFile {
  kind: string;
  version: number;
  findings: Entry[];
}
interface JsonFinding {
  ruleId: string;
  severity: string;
  fingerprint: string;
  suppressed?: unknown;
  baselineState?: string;
}

/** A working directory with the misconfigured sample in it, and its baseline recorded at NOW. */
async function recorded(): Promise<{ dir: string; baseline: BaselineFile }> {
  const dir = makeTempDir('baseline');
  copyFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json'), path.join(dir, 'tenant.json'));
  const run = await cli(['baseline', 'tenant.json', '--no-config', ...NOW], { cwd: dir });
  expect(run.stderr).toMatch(/^Wrote baseline \(\d+ findings\) to \.audit-baseline\.json\n$/);
  expect(run.code).toBe(0);
  return { dir, baseline: readBaseline(dir) };
}

function readBaseline(dir: string, file = BASELINE): BaselineFile {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as BaselineFile;
}

function writeBaseline(dir: string, baseline: BaselineFile, file = BASELINE): void {
  writeFileSync(path.join(dir, file), JSON.stringify(baseline, null, 2));
}

async function jsonScan(dir: string, args: string[]) {
  const config = args.includes('--config') ? [] : ['--no-config'];
  const run = await cli(['scan', 'tenant.json', ...config, '--format', 'json', ...NOW, ...args], {
    cwd: dir,
  });
  return { ...run, report: JSON.parse(run.stdout) as Record<string, unknown> & { findings: JsonFinding[] } };
}

describe('baseline: recording', () => {
  it('records every finding by fingerprint with rule, resource, message and the day, sorted, valid by its schema', async () => {
    const { dir, baseline } = await recorded();
    const { report } = await jsonScan(dir, []);
    expect(baseline.kind).toBe('apim-oauth-audit/baseline');
    expect(baseline.version).toBe(1);
    expect(baseline.findings.map((e) => e.fingerprint).sort()).toEqual(
      report.findings.map((f) => f.fingerprint).sort(),
    );
    expect(baseline.findings.every((e) => e.firstRecorded === '2026-11-25')).toBe(true);
    const [first] = baseline.findings;
    expect(Object.keys(first!)).toEqual(['fingerprint', 'ruleId', 'resource', 'message', 'firstRecorded']);
    expect(Object.keys(first!.resource)).toEqual(['kind', 'name', 'id']);
    const rules = baseline.findings.map((e) => e.ruleId);
    expect(rules).toEqual([...rules].sort());
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/baseline.schema.json'), 'utf8'));
    expect(ajv.validate(schema, baseline)).toBe(true);
  });

  it('written again, keeps the first date of every finding still found and drops the fixed ones', async () => {
    const { dir, baseline } = await recorded();
    const [kept, ...rest] = baseline.findings;
    const fake = { ...kept!, fingerprint: '0'.repeat(32), firstRecorded: '2026-01-02' };
    writeBaseline(dir, { ...baseline, findings: [fake, { ...kept!, firstRecorded: '2026-03-04' }, ...rest] });
    const again = await cli(['baseline', 'tenant.json', '--no-config', '--now', '2026-11-27T08:00:00Z'], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      `: ${baseline.findings.length} kept with their first date, 0 new; 1 no longer found and dropped)`,
    );
    const rewritten = readBaseline(dir);
    expect(rewritten.findings.map((e) => e.fingerprint)).toEqual(baseline.findings.map((e) => e.fingerprint));
    expect(rewritten.findings.find((e) => e.fingerprint === kept!.fingerprint)!.firstRecorded).toBe(
      '2026-03-04',
    );
    expect(rewritten.findings.filter((e) => e.firstRecorded === '2026-11-25')).toHaveLength(rest.length);
  });

  it('does not record suppressed findings (the suppression accepts them, until it expires), and says so', async () => {
    const dir = makeTempDir('baseline-suppressed');
    copyFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json'), path.join(dir, 'tenant.json'));
    const suppression = {
      rule: 'client-secret-expiry',
      resource: 'application:oauth-client-app',
      justification: 'Secret rotation is scheduled in change CHG-42.',
      expires: '2027-06-30',
    };
    writeFileSync(path.join(dir, 'audit.json'), JSON.stringify({ suppressions: [suppression] }));
    const run = await cli(['baseline', 'tenant.json', '--config', 'audit.json', ...NOW], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/suppressed not recorded/);
    const { report } = await jsonScan(dir, ['--config', 'audit.json']);
    const suppressed = report.findings.filter((f) => f.suppressed).map((f) => f.fingerprint);
    expect(suppressed.length).toBeGreaterThan(0);
    const fingerprints = readBaseline(dir).findings.map((e) => e.fingerprint);
    expect(fingerprints.filter((f) => suppressed.includes(f))).toEqual([]);
    expect(fingerprints).toHaveLength(report.findings.length - suppressed.length);
  });

  it('an incomplete audit is still recorded, with exit 3 and what could not be read', async () => {
    const dir = makeTempDir('baseline-incomplete');
    const snapshot = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/contoso/snapshot.json'), 'utf8'));
    snapshot.gaps = [{ source: 'graph', what: 'application 1234', reason: '403 Forbidden' }];
    writeFileSync(path.join(dir, 'tenant.json'), JSON.stringify(snapshot));
    const run = await cli(['baseline', 'tenant.json', '--no-config', ...NOW], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Audit incomplete: what could not be read is not in the baseline');
    expect(run.stderr).toContain('incomplete: graph: application 1234: 403 Forbidden');
    expect(readBaseline(dir).findings.length).toBeGreaterThan(0);
  });

  it('refuses to replace an invalid baseline (exit 2, located), and writes only through the output checks', async () => {
    const { dir } = await recorded();
    writeFileSync(
      path.join(dir, BASELINE),
      '{ "kind": "apim-oauth-audit/baseline", "version": 2, "findings": [] }',
    );
    const run = await cli(['baseline', 'tenant.json', '--no-config', ...NOW], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Baseline .audit-baseline.json is invalid; it is not overwritten');
    expect(run.stderr).toContain('.audit-baseline.json:1:51: /version: must be 1');
    symlinkSync(path.join(dir, 'tenant.json'), path.join(dir, 'link.json'));
    const link = await cli(['baseline', 'tenant.json', '--no-config', '--output', 'link.json', ...NOW], {
      cwd: dir,
    });
    expect(link.code).toBe(2);
    expect(link.stderr).toMatch(/--output link\.json is a symbolic link/);
  });
});

describe('scan --baseline', () => {
  it('with nothing new: exit 0, every finding unchanged, and the text report lists none of them', async () => {
    const { dir, baseline } = await recorded();
    const plain = await cli(['scan', 'tenant.json', '--no-config', ...NOW], { cwd: dir });
    expect(plain.code).toBe(1);
    const text = await cli(['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, ...NOW], {
      cwd: dir,
    });
    expect(text.code).toBe(0);
    const count = baseline.findings.length;
    expect(text.stdout).toContain(
      `  baseline .audit-baseline.json (in the working tree, so a pull request can add its own findings to it; a pull-request gate takes it from the base branch): the ${count} findings it records do not fail the gate`,
    );
    expect(text.stdout).toContain(`Baseline .audit-baseline.json: ${count} unchanged (not listed), 0 fixed.`);
    expect(text.stdout).toContain('No new findings.');
    expect(text.stdout).not.toMatch(/tenant\.json:\d+:\d+/);
  });

  it('a finding the baseline does not record is new and fails the gate; an entry no longer found is fixed', async () => {
    const { dir, baseline } = await recorded();
    const errors = (await jsonScan(dir, [])).report.findings.filter((f) => f.severity === 'error');
    const dropped = baseline.findings.find((e) => e.fingerprint === errors[0]!.fingerprint)!;
    const fixed: Entry = {
      fingerprint: 'f'.repeat(32),
      ruleId: 'api-validate-jwt',
      resource: { kind: 'api', name: 'retired-api', id: '/apim/contoso/apis/retired-api' },
      message: 'The API retired-api validates no token.',
      firstRecorded: '2026-10-01',
    };
    writeBaseline(dir, { ...baseline, findings: [...baseline.findings.filter((e) => e !== dropped), fixed] });

    const { code, report } = await jsonScan(dir, ['--baseline', BASELINE]);
    expect(code).toBe(1);
    const states = report.findings.map((f) => f.baselineState);
    expect(states.filter((s) => s === 'new')).toHaveLength(1);
    expect(report.findings.find((f) => f.baselineState === 'new')!.fingerprint).toBe(dropped.fingerprint);
    expect(states.every((s) => s === 'new' || s === 'unchanged')).toBe(true);
    expect(report['baseline']).toEqual({
      file: BASELINE,
      inWorkingTree: true,
      entries: baseline.findings.length,
      counts: { new: 1, unchanged: baseline.findings.length - 1, absent: 1, notChecked: 0 },
      absent: [fixed],
      stale: { maxAgeDays: 90, count: 0, oldest: null },
    });
    expect((report['configuration'] as Record<string, unknown>)['baseline']).toEqual({
      file: BASELINE,
      inWorkingTree: true,
      entries: baseline.findings.length,
    });

    const text = await cli(['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, ...NOW], {
      cwd: dir,
    });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  fixed  api-validate-jwt on API 'retired-api' (recorded 2026-10-01)`);
    expect(text.stdout).toMatch(/^1 new finding: 1 error, 0 warnings, 0 notes\.$/m);
    expect(text.stdout.match(/tenant\.json:\d+:\d+ {2}error/g)).toHaveLength(1);
    const lenient = await cli(
      ['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, '--fail-on', 'none', ...NOW],
      { cwd: dir },
    );
    expect(lenient.code).toBe(0);
  });

  it('entries of a rule that did not run (--rule <id>=off, --tag) are not checked, not fixed', async () => {
    const { dir, baseline } = await recorded();
    const ruleId = baseline.findings[0]!.ruleId;
    const entries = baseline.findings.filter((e) => e.ruleId === ruleId).length;
    const { code, report } = await jsonScan(dir, ['--baseline', BASELINE, '--rule', `${ruleId}=off`]);
    expect(code).toBe(0);
    expect((report['baseline'] as { counts: unknown }).counts).toEqual({
      new: 0,
      unchanged: baseline.findings.length - entries,
      absent: 0,
      notChecked: entries,
    });
    const text = await cli(
      ['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, '--rule', `${ruleId}=off`, ...NOW],
      { cwd: dir },
    );
    expect(text.stdout).toContain(
      `Baseline .audit-baseline.json: ${baseline.findings.length - entries} unchanged (not listed), 0 fixed, ${entries} not checked (their rules did not run).`,
    );
  });

  it('SARIF: baselineState on every result, fixed entries as notes (never results), valid SARIF 2.1.0', async () => {
    const { dir, baseline } = await recorded();
    const [dropped, ...rest] = baseline.findings;
    const fixed = { ...dropped!, fingerprint: 'a'.repeat(32) };
    writeBaseline(dir, { ...baseline, findings: [...rest, fixed] });
    const run = await cli(
      ['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, '--format', 'sarif', ...NOW],
      { cwd: dir },
    );
    const sarif = JSON.parse(run.stdout);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'),
    );
    expect(ajv.validate(schema, sarif)).toBe(true);
    const [sarifRun] = sarif.runs;
    const results = sarifRun.results as {
      baselineState: string;
      partialFingerprints: Record<string, string>;
    }[];
    expect(results).toHaveLength(baseline.findings.length);
    expect(
      results.filter((r) => r.baselineState === 'new').map((r) => r.partialFingerprints['apimOauthAudit/v1']),
    ).toEqual([dropped!.fingerprint]);
    expect(results.every((r) => ['new', 'unchanged'].includes(r.baselineState))).toBe(true);
    const invocation = sarifRun.invocations[0];
    expect(
      invocation.toolConfigurationNotifications.map((n: { message: { text: string } }) => n.message.text),
    ).toContain(
      `baseline .audit-baseline.json (in the working tree, so a pull request can add its own findings to it; a pull-request gate takes it from the base branch): the ${baseline.findings.length} findings it records do not fail the gate`,
    );
    const notes = (
      invocation.toolExecutionNotifications as { level: string; message: { text: string } }[]
    ).filter((n) => n.message.text.startsWith('fixed since the baseline: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.level).toBe('note');
    expect(notes[0]!.message.text).toMatch(
      new RegExp(
        `^fixed since the baseline: ${dropped!.ruleId} on .* '${dropped!.resource.name}' \\(recorded 2026-11-25\\)$`,
      ),
    );
    expect(sarifRun.properties.baseline.counts).toEqual({
      new: 1,
      unchanged: rest.length,
      absent: 1,
      notChecked: 0,
    });
  });

  it('warns about accepted findings older than --baseline-max-age (default 90 days): stderr and every report', async () => {
    const { dir, baseline } = await recorded();
    const [a, b, ...rest] = baseline.findings;
    writeBaseline(dir, {
      ...baseline,
      findings: [{ ...a!, firstRecorded: '2026-01-05' }, { ...b!, firstRecorded: '2026-08-01' }, ...rest],
    });
    const expected =
      'baseline .audit-baseline.json: 2 of the findings it accepts were recorded more than 90 days ago (oldest: 2026-01-05, 324 days); fix them, or suppress them in the config with a justification and an expiry';
    const text = await cli(['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, ...NOW], {
      cwd: dir,
    });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain(`warning: ${expected}\n`);
    expect(text.stdout).toContain(`Warning: ${expected}.`);
    const { report } = await jsonScan(dir, ['--baseline', BASELINE]);
    expect((report['baseline'] as { stale: unknown }).stale).toEqual({
      maxAgeDays: 90,
      count: 2,
      oldest: { firstRecorded: '2026-01-05', days: 324 },
    });
    const longer = await cli(
      ['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, '--baseline-max-age', '200', ...NOW],
      { cwd: dir },
    );
    expect(longer.stderr).toContain('1 of the findings it accepts was recorded more than 200 days ago');
    const sarif = await cli(
      ['scan', 'tenant.json', '--no-config', '--baseline', BASELINE, '--format', 'sarif', ...NOW],
      { cwd: dir },
    );
    expect(JSON.parse(sarif.stdout).runs[0].invocations[0].toolExecutionNotifications).toContainEqual({
      level: 'warning',
      message: { text: expected },
    });
  });

  it('states a baseline from outside the working tree as such (the pull-request gate takes it from the base branch)', async () => {
    const { dir, baseline } = await recorded();
    const trusted = path.join(makeTempDir('baseline-base-branch'), 'base.json');
    writeBaseline(dir, baseline, path.relative(dir, trusted));
    const { report } = await jsonScan(dir, ['--baseline', trusted]);
    expect(report['baseline']).toMatchObject({ file: trusted, inWorkingTree: false });
    const text = await cli(['scan', 'tenant.json', '--no-config', '--baseline', trusted, ...NOW], {
      cwd: dir,
    });
    expect(text.stdout).toContain(
      `  baseline ${trusted} (outside the working tree): the ${baseline.findings.length} findings`,
    );
  });
});

describe('scan --baseline: a bad baseline is exit 2 before any source is read', () => {
  async function scanWith(dir: string, args: string[]) {
    return cli(['scan', 'missing-source.json', '--no-config', ...NOW, ...args], { cwd: dir });
  }

  it('names each problem at file:line:col: syntax, schema, a fingerprint listed twice, a date in the future', async () => {
    const { dir, baseline } = await recorded();
    writeFileSync(
      path.join(dir, 'syntax.json'),
      '{\n  "kind": "apim-oauth-audit/baseline",\n  "findings": [,]\n}',
    );
    const syntax = await scanWith(dir, ['--baseline', 'syntax.json']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/Baseline syntax\.json is not valid JSON:\n {2}syntax\.json:3:\d+: /);
    const [first] = baseline.findings;
    writeBaseline(
      dir,
      {
        ...baseline,
        findings: [
          first!,
          { ...first!, firstRecorded: '2027-01-01' },
          { ...first!, fingerprint: 'not-a-fingerprint' },
        ],
      },
      'bad.json',
    );
    const bad = await scanWith(dir, ['--baseline', 'bad.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Baseline bad.json is invalid:');
    expect(bad.stderr).toMatch(/bad\.json:\d+:\d+: \/findings\/2\/fingerprint: must match pattern/);
    writeBaseline(
      dir,
      { ...baseline, findings: [first!, { ...first!, firstRecorded: '2027-01-01' }] },
      'bad.json',
    );
    const semantic = await scanWith(dir, ['--baseline', 'bad.json']);
    expect(semantic.stderr).toMatch(
      /bad\.json:\d+:\d+: \/findings\/1\/fingerprint: [0-9a-f]{32} is already listed at \/findings\/0/,
    );
    expect(semantic.stderr).toMatch(
      /bad\.json:\d+:\d+: \/findings\/1\/firstRecorded: 2027-01-01 is after today \(2026-11-25\)/,
    );
    expect(semantic.stderr).not.toContain('missing-source.json');
  });

  it('reads it like every input: size limit, links leaving its folder, a missing file', async () => {
    const { dir } = await recorded();
    writeFileSync(path.join(dir, 'big.json'), `${' '.repeat(1024 * 1024 + 10)}{}`);
    const big = await scanWith(dir, ['--baseline', 'big.json', '--max-file-size', '1MB']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain(
      'Baseline big.json is 1 MB, over the 1 MB limit (raise it with --max-file-size)',
    );
    const outside = path.join(makeTempDir('baseline-elsewhere'), 'secret.json');
    writeFileSync(outside, '{}');
    symlinkSync(outside, path.join(dir, 'link.json'));
    const link = await scanWith(dir, ['--baseline', 'link.json']);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain(
      'Baseline link.json is a symbolic link that leads outside the source folder',
    );
    const missing = await scanWith(dir, ['--baseline', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "--baseline nope.json: no such file; write one with 'apim-oauth-audit baseline --output nope.json'.",
    );
  });

  it('--baseline-max-age: a whole number of days, and only with --baseline', async () => {
    const { dir } = await recorded();
    expect((await scanWith(dir, ['--baseline', BASELINE, '--baseline-max-age', '0'])).stderr).toContain(
      '--baseline-max-age 0: expected a whole number of days, 1 or more',
    );
    const alone = await scanWith(dir, ['--baseline-max-age', '30']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--baseline-max-age applies to a baseline: add --baseline <file>');
  });
});
