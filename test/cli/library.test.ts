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
});
