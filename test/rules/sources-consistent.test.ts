import rule from '../../rules/sources-consistent';
import { runAudit } from '../../src/engine/run';
import type { Inventory, InventoryApplication, SourceConflict } from '../../src/inventory/types';
import { parseJsonWithPositions } from '../../src/json/positions';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import {
  applyOverlay,
  buildModel,
  loadSampleDoc,
  onlyViolation,
  runnerFor,
  TEST_NOW,
  type Overlay,
} from '../helpers/sample';

const run = runnerFor(rule);
const CODE_DEFAULT = 'https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/colors-oauth';
const CODE_CUSTOM = 'https://developer.contoso.com/signin-oauth/code/callback/colors-oauth';

/** The fixed sample as the first source, and the fixed sample with `second` applied as the second. */
const twoSources = (second: Overlay, first: Overlay = {}) => run({ ...first, secondSource: second });

/** `line:column` of a pointer in a document as `buildModel` writes it. */
function positionIn(doc: unknown, pointer: string): string {
  const parsed = parseJsonWithPositions(JSON.stringify(doc, null, 2));
  const position = 'problems' in parsed ? undefined : parsed.index.locate(pointer);
  if (!position) throw new Error(`no ${pointer}`);
  return `${position.line}:${position.column}`;
}

describe('sources-consistent', () => {
  it('declares its metadata: a warning that needs no particular side', () => {
    expect(rule.id).toBe('sources-consistent');
    expect(rule.meta.severity).toBe('warning');
    expect(rule.meta.requires).toEqual([]);
    expect(rule.meta.tags).toEqual(['sources', 'drift']);
  });

  describe('valid', () => {
    it('one source has nothing to disagree with', () => {
      expect(run({})).toEqual([]);
    });

    it('two sources that agree, lists in another order, or one of them silent on a property', () => {
      expect(twoSources({})).toEqual([]);
      expect(twoSources({ clientApp: { web: { redirectUris: [CODE_CUSTOM, CODE_DEFAULT] } } })).toEqual([]);
      expect(twoSources({ clientApp: { passwordCredentials: null, api: null } })).toEqual([]);
    });

    it('a null token version agrees with 1, and the secret hint is never compared', () => {
      expect(
        twoSources(
          { backendApp: { api: { requestedAccessTokenVersion: 1 } } },
          { backendApp: { api: { requestedAccessTokenVersion: null } } },
        ),
      ).toEqual([]);
      const doc = loadSampleDoc();
      const client = (doc.applications ?? [])[1] as { passwordCredentials: Record<string, unknown>[] };
      const credentials = client.passwordCredentials.map((c) => ({ ...c, hint: 'Zz9' }));
      expect(twoSources({ clientApp: { passwordCredentials: credentials } })).toEqual([]);
    });
  });

  describe('invalid', () => {
    it('reports a differing app property on the kept app, with both sources and positions', () => {
      const found = onlyViolation(twoSources({ clientApp: { web: { redirectUris: [CODE_DEFAULT] } } }));
      expect(found.entity.kind).toBe('application');
      expect(found.entity.name).toBe('oauth-client-app');
      expect(found.path).toBe('web/redirectUris');
      const at = positionIn(applyOverlay(loadSampleDoc(), {}), '/applications/1/web/redirectUris');
      const kept = JSON.stringify([CODE_DEFAULT, CODE_CUSTOM]).slice(0, 119);
      expect(found.message).toBe(
        "Sources disagree on web/redirectUris of application 'oauth-client-app' (appId 1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6): " +
          `snapshot:snapshot.json has ${kept}… (snapshot.json:${at}), ` +
          `but snapshot:second-source.json has ["${CODE_DEFAULT}"] (second-source.json:${at}); ` +
          "the audit used the first source's value, so check which one is current and make the other match.",
      );
    });

    it('compares credentials by keyId, field by field', () => {
      const doc = loadSampleDoc();
      const client = (doc.applications ?? [])[1] as { passwordCredentials: Record<string, unknown>[] };
      const moved = client.passwordCredentials.map((c) => ({ ...c, endDateTime: '2027-06-30T00:00:00Z' }));
      const found = onlyViolation(twoSources({ clientApp: { passwordCredentials: moved } }));
      expect(found.path).toBe('passwordCredentials/0/endDateTime');
      expect(found.message).toContain('snapshot:snapshot.json has "2027-04-30T00:00:00Z"');
      expect(found.message).toContain('but snapshot:second-source.json has "2027-06-30T00:00:00Z"');
      expect(found.message).not.toContain('Xk7');
    });

    it('reports APIM resources by service and resource name, and policies at their first character', () => {
      const outputs = twoSources({
        authorizationServer: {
          properties: { defaultScope: 'api://6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/.default' },
        },
        api: { policy: { format: 'rawxml', value: '<policies><inbound><base /></inbound></policies>' } },
      });
      expect(
        outputs.map((o) =>
          o.type === 'violation' ? `${o.entity.kind} ${o.entity.name} ${o.path ?? ''}` : o.reason,
        ),
      ).toEqual(['authorizationServer colors-oauth properties/defaultScope', 'api colors-api policy']);
      const policy = outputs[1];
      if (policy?.type !== 'violation') throw new Error('expected a violation');
      expect(policy.textOffset).toEqual({
        origin: expect.objectContaining({ file: 'snapshot.json' }),
        offset: 0,
      });
    });

    it('does not report policies that differ only in line endings or entity encoding', () => {
      const doc = loadSampleDoc();
      const api = ((doc.apim ?? [])[0] as { apis: { policy: { value: string } }[] }).apis[0]!;
      const encoded = api.policy.value
        .replace(/\n/g, '\r\n')
        .replace(/"anonymous"/g, '&quot;anonymous&quot;');
      expect(twoSources({ api: { policy: { format: 'xml', value: encoded } } })).toEqual([]);
    });

    it('the engine locates the finding in the first source and keeps both places in the message', () => {
      const model = buildModel(
        applyOverlay(loadSampleDoc(), {
          secondSource: { clientApp: { signInAudience: 'AzureADMultipleOrgs' } },
        }),
      );
      const first = parseSnapshot(
        JSON.stringify(applyOverlay(loadSampleDoc(), {}), null, 2),
        'snapshot.json',
      );
      const result = runAudit(model, {
        rules: [rule],
        settings: {},
        suppressions: [],
        now: TEST_NOW,
        files: first.files,
      });
      expect(result.findings).toHaveLength(1);
      const [line, column] = positionIn(applyOverlay(loadSampleDoc(), {}), '/applications/1/signInAudience')
        .split(':')
        .map(Number);
      expect(result.findings[0]?.location).toEqual({ file: 'snapshot.json', line, column });
      expect(result.findings[0]?.severity).toBe('warning');
    });

    it('reports a conflict about an entity the model does not name that way where the kept value is', () => {
      const conflict: SourceConflict = {
        kind: 'namedValue',
        name: 'contoso-apim/ws-a/tenant-id',
        path: 'properties/value',
        values: [
          {
            source: 'apiops:a',
            value: '"x"',
            origin: { file: 'a.json', pointer: '/properties/value', line: 3, column: 14 },
          },
          {
            source: 'snapshot:b',
            value: '"y"',
            origin: { file: 'b.json', pointer: '/x', line: 9, column: 2 },
          },
        ],
      };
      const inventory: Inventory = {
        sources: [],
        applications: [] as InventoryApplication[],
        services: [],
        gaps: [],
        files: {},
        conflicts: [conflict],
      };
      const found = onlyViolation([...rule.check(normalize(inventory), { now: TEST_NOW, options: {} })]);
      expect(found.entity).toEqual(
        expect.objectContaining({ kind: 'namedValue', name: 'contoso-apim/ws-a/tenant-id' }),
      );
      expect(found.entity.origin.file).toBe('a.json');
      expect(found.message).toContain(
        'named value \'contoso-apim/ws-a/tenant-id\': apiops:a has "x" (a.json:3:14), but snapshot:b has "y" (b.json:9:2)',
      );
    });
  });
});
