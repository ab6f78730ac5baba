import * as library from '../../src/index';
import { REPO_ROOT } from '../helpers/sample';

describe('library entry point', () => {
  it('runs an audit programmatically and formats it with a bundled reporter', async () => {
    const { result } = await library.audit({
      cwd: REPO_ROOT,
      sources: ['examples/contoso-fixed/snapshot.json'],
      now: new Date('2026-11-25T12:00:00Z'),
    });
    expect(result.complete).toBe(true);
    expect(result.findings).toEqual([]);
    const json = JSON.parse(library.reporters.json(result, { color: false, toolVersion: '0.0.0' })) as {
      version: number;
    };
    expect(json.version).toBe(2);
    expect(library.BUILTIN_RULE_IDS).toContain('api-validate-jwt');
    expect(typeof library.defineRule).toBe('function');
  });

  it('records a baseline and audits against it (what `baseline` and `scan --baseline` do)', async () => {
    const request = {
      cwd: REPO_ROOT,
      sources: ['examples/contoso/snapshot.json'],
      now: new Date('2026-11-25T12:00:00Z'),
    };
    const { result } = await library.audit(request);
    const entries = library.recordBaseline(result.findings, [], request.now);
    const text = JSON.stringify(library.baselineDocument(entries));
    const baseline = {
      source: { file: 'baseline.json', inWorkingTree: false },
      entries: library.parseBaseline(text, 'baseline.json', request.now),
      maxAgeDays: 90,
    };
    const compared = (await library.audit({ ...request, baseline })).result;
    expect(compared.baseline?.unchanged).toBe(result.findings.length);
    expect(library.failsAt(compared, 'note')).toBe(false);
    expect(library.failsAt(result, 'note')).toBe(true);
  });

  it('diagnoses a token against the effective policy (what `token` does)', async () => {
    const request = {
      cwd: REPO_ROOT,
      sources: ['examples/contoso-fixed/snapshot.json'],
      now: new Date('2026-12-03T12:00:00Z'),
    };
    const prepared = library.prepareAudit(request);
    const inventory = await library.loadInventory(request, prepared);
    const claims = library.parseClaims(
      JSON.stringify({
        aud: 'api://6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
        ver: '1.0',
        exp: 1796301000,
        nbf: 1796297400,
      }),
    );
    if (!claims.ok) throw new Error(claims.problem);
    const outcome = library.diagnoseToken(inventory, [], {
      query: { api: 'colors-api', method: 'GET', url: '/colors/random' },
      token: claims.token,
      header: 'Authorization',
      now: request.now,
    });
    if (outcome.kind !== 'diagnosis') throw new Error(outcome.message);
    expect(outcome.diagnosis.verdict).toBe('reject');
    expect(library.formatDiagnosis(outcome.diagnosis, claims.token, [])).toContain('IDX10214');
  });
});
