import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

interface Report {
  findings: { ruleId: string; message: string; resource: { id: string }; fingerprint: string }[];
}

describe('snapshot command', () => {
  it('writes a schema-valid snapshot from the sources; scanning it gives the same findings', async () => {
    const out = path.join(makeTempDir('snap'), 'tenant.json');
    const written = await cli([
      'snapshot',
      '--source',
      'snapshot:examples/contoso/snapshot.json',
      '--output',
      out,
    ]);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/Wrote snapshot \(2 applications, 1 APIM services\)/);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; collectedAt: string };
    expect(doc.kind).toBe('apim-oauth-audit/snapshot');
    expect(readFileSync(out, 'utf8')).not.toContain('"origin"');
    const scan = async (file: string) => {
      const run = await cli([
        'scan',
        file,
        '--format',
        'json',
        '--fail-on',
        'none',
        '--now',
        '2026-11-25T12:00:00Z',
      ]);
      return (JSON.parse(run.stdout) as Report).findings.map((f) => [
        f.ruleId,
        f.resource.id,
        f.message,
        f.fingerprint,
      ]);
    };
    expect(await scan(out)).toEqual(expect.arrayContaining(await scan('examples/contoso/snapshot.json')));
    expect((await scan(out)).length).toBe((await scan('examples/contoso/snapshot.json')).length);
  });

  it('requires --source and --output', async () => {
    expect((await cli(['snapshot', '--output', 'x.json'])).code).toBe(2);
    expect((await cli(['snapshot', '--source', 'graph'])).code).toBe(2);
  });
});

describe('incomplete collections stay incomplete in a snapshot', () => {
  it('gaps and unknown values written to a snapshot make its scan incomplete and not evaluated, never clean', async () => {
    const dir = makeTempDir('snap-gaps');
    const doc = JSON.parse(readFileSync('examples/contoso-fixed/snapshot.json', 'utf8')) as {
      gaps?: unknown[];
      apim: { authorizationServers: Record<string, unknown>[] }[];
    };
    doc.gaps = [
      { source: 'azure:/subscriptions/x', what: 'policy of API colors-api', reason: 'HTTP 403 Forbidden' },
    ];
    const server = doc.apim[0]?.authorizationServers[0] as {
      properties: Record<string, unknown>;
      $unknown?: unknown;
    };
    delete server.properties['tokenEndpoint'];
    server.$unknown = { 'properties/tokenEndpoint': "[parameters('tokenUrl')] has no value" };
    const file = path.join(dir, 'gapped.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const run = await cli(['scan', file, '--format', 'json', '--now', '2026-11-25T12:00:00Z']);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as {
      complete: boolean;
      findings: { ruleId: string }[];
      gaps: unknown[];
      notEvaluated: { ruleId: string; reason: string }[];
    };
    expect(report.complete).toBe(false);
    expect(report.gaps).toHaveLength(1);
    // The missing token endpoint is unknown, not absent: no "missing endpoint" finding, a not-evaluated record.
    expect(report.findings.filter((f) => f.ruleId === 'auth-server-v2-endpoints')).toEqual([]);
    expect(report.notEvaluated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleId: 'auth-server-v2-endpoints',
          reason: expect.stringContaining('tokenUrl'),
        }),
      ]),
    );
    const again = path.join(dir, 'again.json');
    expect((await cli(['snapshot', '--source', `snapshot:${file}`, '--output', again])).code).toBe(3);
    const rewritten = JSON.parse(readFileSync(again, 'utf8')) as typeof doc;
    expect(rewritten.gaps).toEqual(doc.gaps);
    expect((rewritten.apim[0]?.authorizationServers[0] as { $unknown?: unknown }).$unknown).toEqual(
      server.$unknown,
    );
  });
});
