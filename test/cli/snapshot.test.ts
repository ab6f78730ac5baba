import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from '../helpers/cli';

interface Report {
  findings: { ruleId: string; message: string; resource: { id: string }; fingerprint: string }[];
}

describe('snapshot command', () => {
  it('writes a schema-valid snapshot from the sources; scanning it gives the same findings', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'snap-')), 'tenant.json');
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
