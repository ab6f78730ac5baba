import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSnapshot, readSnapshotFile, toSnapshotDocument } from '../../../src/sources/snapshot';
import { auditErrorOf } from '../../helpers/errors';
import { loadSampleDoc, REPO_ROOT } from '../../helpers/sample';

describe('snapshot source', () => {
  const file = path.join(REPO_ROOT, 'examples/contoso-fixed/snapshot.json');

  it('reads the fixed sample into an inventory with origins', () => {
    const inventory = readSnapshotFile(file);
    expect(inventory.applications.map((a) => a.displayName)).toEqual([
      'oauth-backend-app',
      'oauth-client-app',
    ]);
    expect(inventory.services).toHaveLength(1);
    expect(inventory.tenantId).toBe('4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00');
    expect(inventory.sources[0]?.provides).toEqual({ entra: true, apim: true });
    const server = inventory.services[0]?.authorizationServers?.[0];
    expect(server?.origin.pointer).toBe('/apim/0/authorizationServers/0');
    expect(server?.origin.resourceId).toMatch(/authorizationServers\/colors-oauth$/);
    expect(inventory.applications[1]?.origin.graphObjectId).toBe('7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a');
  });

  it('indexes positions of every value so findings land on the right line', () => {
    const inventory = readSnapshotFile(file);
    const index = Object.values(inventory.files)[0];
    const lines = readFileSync(file, 'utf8').split('\n');
    const position = index?.locate('/apim/0/authorizationServers/0/properties/tokenEndpoint');
    expect(position).toBeDefined();
    const line = lines[(position?.line ?? 0) - 1] ?? '';
    expect(line.slice((position?.column ?? 0) - 1)).toMatch(
      /^"https:\/\/login\.microsoftonline\.com\/.*\/oauth2\/v2\.0\/token"/,
    );
  });

  it('a side absent from the snapshot is not provided (rules needing it are not evaluated)', () => {
    const doc = loadSampleDoc();
    delete doc.applications;
    const inventory = parseSnapshot(JSON.stringify(doc), 'x.json');
    expect(inventory.sources[0]?.provides).toEqual({ entra: false, apim: true });
  });

  it('rejects malformed JSON with a located message', () => {
    const error = auditErrorOf(() =>
      parseSnapshot('{\n  "kind": "apim-oauth-audit/snapshot",\n  "version": 1,,\n}', 'bad.json'),
    );
    expect(error.code).toBe('source-invalid');
    expect(error.details[0]).toMatch(/^bad\.json:3:16: JSON syntax error/);
  });

  it('lists every schema problem at once, each with its JSON pointer and position', () => {
    const doc = loadSampleDoc();
    const apps = doc.applications as Record<string, unknown>[];
    (apps[0] as Record<string, unknown>)['signInAudience'] = 'Everyone';
    delete (apps[1] as Record<string, unknown>)['appId'];
    (doc as Record<string, unknown>)['version'] = 2;
    const error = auditErrorOf(() => parseSnapshot(JSON.stringify(doc, null, 2), 'snap.json'));
    expect(error.code).toBe('source-invalid');
    const text = error.details.join('\n');
    expect(text).toMatch(/snap\.json:\d+:\d+: \/version: must be 1/);
    expect(text).toMatch(
      /snap\.json:\d+:\d+: \/applications\/0\/signInAudience: must be one of "AzureADMyOrg"/,
    );
    expect(text).toMatch(/\/applications\/1: missing required property 'appId'/);
    expect(error.details.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses secret values so a snapshot can never store one', () => {
    const doc = loadSampleDoc();
    const server = ((doc.apim?.[0] as Record<string, unknown[]>)['authorizationServers']?.[0] ?? {}) as {
      properties: Record<string, unknown>;
    };
    server.properties['clientSecret'] = 'hunter2-do-not-store';
    const cred = ((doc.applications?.[1] as Record<string, unknown[]>)['passwordCredentials']?.[0] ??
      {}) as Record<string, unknown>;
    cred['secretText'] = 'also-secret';
    const error = auditErrorOf(() => parseSnapshot(JSON.stringify(doc), 's.json'));
    const text = error.render();
    expect(text).toMatch(/authorizationServers\/0\/properties: must not contain secret values/);
    expect(text).toMatch(/passwordCredentials\/0\/secretText: must be null/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('also-secret');
  });

  it('round-trips: toSnapshotDocument strips origins and validates again', () => {
    const inventory = readSnapshotFile(file);
    const doc = toSnapshotDocument(inventory);
    expect(JSON.stringify(doc)).not.toContain('"origin"');
    const again = parseSnapshot(JSON.stringify(doc), 'again.json');
    expect(again.applications).toHaveLength(2);
    expect(again.services[0]?.apis?.[0]?.operations).toHaveLength(2);
  });
});
