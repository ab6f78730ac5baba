import rule from '../../rules/sources-consistent';
import { runAudit } from '../../src/engine/run';
import type { Inventory, InventoryApplication, SourceConflict } from '../../src/inventory/types';
import { parseJsonWithPositions } from '../../src/json/positions';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot, SNAPSHOT_KIND } from '../../src/sources/snapshot';
import { RuleTester } from '../../src';
import {
  AT,
  applyOverlay,
  sampleInput,
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

/** `line:column` of a pointer in a document as `buildModel` writes it. */
function positionIn(doc: unknown, pointer: string): string {
  const parsed = parseJsonWithPositions(JSON.stringify(doc, null, 2));
  const position = 'problems' in parsed ? undefined : parsed.index.locate(pointer);
  if (!position) throw new Error(`no ${pointer}`);
  return `${position.line}:${position.column}`;
}

/** `line:column` of a pointer in a RuleTester input as the tester writes it (`kind` and `version` first). */
function positionInInput(input: Record<string, unknown>, pointer: string): string {
  return positionIn({ kind: SNAPSHOT_KIND, version: 1, ...input }, pointer);
}

const sample = sampleInput();
const withClientCredentials = (change: Record<string, unknown>) => {
  const client = (sample.applications ?? [])[1] as { passwordCredentials: Record<string, unknown>[] };
  return client.passwordCredentials.map((c) => ({ ...c, ...change }));
};
/** The fixed sample as the first source, and the fixed sample with `second` applied as the second. */
const sources = (second: Overlay, first: Overlay = {}) => [sampleInput(first), sampleInput(second)];
const POLICY_AT = positionInInput(sample, `${AT.api}/policy/value`).split(':').map(Number) as [
  number,
  number,
];
const KEPT_REDIRECTS = JSON.stringify([CODE_DEFAULT, CODE_CUSTOM]).slice(0, 119);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'one source has nothing to disagree with', input: sample },
    { name: 'two sources that agree', input: sources({}) },
    {
      name: 'two sources with lists in another order',
      input: sources({ clientApp: { web: { redirectUris: [CODE_CUSTOM, CODE_DEFAULT] } } }),
    },
    {
      name: 'two sources, one of them silent on a property',
      input: sources({ clientApp: { passwordCredentials: null, api: null } }),
    },
    {
      name: 'a null token version agrees with 1',
      input: sources(
        { backendApp: { api: { requestedAccessTokenVersion: 1 } } },
        { backendApp: { api: { requestedAccessTokenVersion: null } } },
      ),
    },
    {
      name: 'the secret hint is never compared',
      input: sources({ clientApp: { passwordCredentials: withClientCredentials({ hint: 'Zz9' }) } }),
    },
    {
      name: 'policies that differ only in line endings or entity encoding',
      input: (() => {
        const api = ((sample.apim ?? [])[0] as { apis: { policy: { value: string } }[] }).apis[0]!;
        const encoded = api.policy.value
          .replace(/\n/g, '\r\n')
          .replace(/"anonymous"/g, '&quot;anonymous&quot;');
        return sources({ api: { policy: { format: 'xml', value: encoded } } });
      })(),
    },
  ],
  invalid: [
    {
      name: 'a differing app property, on the kept app, with both sources and positions',
      input: sources({ clientApp: { web: { redirectUris: [CODE_DEFAULT] } } }),
      errors: [
        {
          path: `${AT.clientApp}/web/redirectUris`,
          source: 0,
          severity: 'warning',
          resource: 'oauth-client-app',
          message:
            "Sources disagree on web/redirectUris of application 'oauth-client-app': " +
            `snapshot:snapshot.json has ${KEPT_REDIRECTS.slice(0, 32)}…, ` +
            `but snapshot:snapshot-2.json has ${`["${CODE_DEFAULT}"]`.slice(0, 32)}…`,
        },
      ],
    },
    {
      name: 'credentials compared by keyId, field by field',
      input: sources({
        clientApp: { passwordCredentials: withClientCredentials({ endDateTime: '2027-06-30T00:00:00Z' }) },
      }),
      errors: [
        {
          path: `${AT.clientApp}/passwordCredentials/0/endDateTime`,
          message:
            /^(?!.*Xk7).*snapshot:snapshot\.json has "2027-04-30T00:00:00Z".*but snapshot:snapshot-2\.json has "2027-06-30T00:00:00Z"/,
        },
      ],
    },
    {
      name: 'APIM resources by service and resource name, and policies at their first character',
      input: sources({
        authorizationServer: {
          properties: { defaultScope: 'api://6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/.default' },
        },
        api: { policy: { format: 'rawxml', value: '<policies><inbound><base /></inbound></policies>' } },
      }),
      errors: [
        {
          path: `${AT.authorizationServer}/properties/defaultScope`,
          resource: 'colors-oauth',
          message:
            /^Sources disagree on properties\/defaultScope of authorization server 'contoso-apim\/colors-oauth'/,
        },
        {
          path: `${AT.api}/policy/value`,
          // The first character of the policy text: one after the opening quote of the JSON string.
          line: POLICY_AT[0],
          column: POLICY_AT[1] + 1,
          resource: 'colors-api',
        },
      ],
    },
    {
      name: 'located in the first source',
      input: sources({ clientApp: { signInAudience: 'AzureADMultipleOrgs' } }),
      errors: [
        {
          path: `${AT.clientApp}/signInAudience`,
          source: 0,
          severity: 'warning',
          message:
            "Sources disagree on signInAudience of application 'oauth-client-app': snapshot:snapshot.json has " +
            '"AzureADMyOrg", but snapshot:snapshot-2.json has "AzureADMultipleOrgs"',
        },
      ],
    },
  ],
});

describe('sources-consistent', () => {
  it('declares its metadata: a warning that needs no particular side', () => {
    expect(rule.id).toBe('sources-consistent');
    expect(rule.meta.severity).toBe('warning');
    expect(rule.meta.requires).toEqual([]);
    expect(rule.meta.tags).toEqual(['sources', 'drift']);
  });

  // The rule's paths and the policy's text offset are the model's; the RuleTester sees where the engine put them.
  it('reports APIM resources by service and resource name, and policies at their first character', () => {
    const outputs = run({
      secondSource: {
        authorizationServer: {
          properties: { defaultScope: 'api://6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d/.default' },
        },
        api: { policy: { format: 'rawxml', value: '<policies><inbound><base /></inbound></policies>' } },
      },
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

  it('names the sources and their places in the detail, and asks to make them match', () => {
    const found = onlyViolation(
      run({ secondSource: { clientApp: { web: { redirectUris: [CODE_DEFAULT] } } } }),
    );
    expect(found.entity.kind).toBe('application');
    expect(found.path).toBe('web/redirectUris');
    const at = positionIn(applyOverlay(loadSampleDoc(), {}), '/applications/1/web/redirectUris');
    expect(found.message).toMatch(/, but snapshot:second-source\.json has \["https:/);
    expect(found.detail).toMatch(
      /^The application \(appId 1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6\) is described by several sources: /,
    );
    expect(found.detail).toContain(`(snapshot.json:${at}), but snapshot:second-source.json has`);
    expect(found.detail).toContain(`(second-source.json:${at}). The audit used the first source's value`);
    expect(found.fix).toEqual({ text: 'Check which source is current and make the other one match it.' });
  });

  it('the engine locates the finding in the first source and keeps both places in the message', () => {
    const model = buildModel(
      applyOverlay(loadSampleDoc(), {
        secondSource: { clientApp: { signInAudience: 'AzureADMultipleOrgs' } },
      }),
    );
    const first = parseSnapshot(JSON.stringify(applyOverlay(loadSampleDoc(), {}), null, 2), 'snapshot.json');
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
    expect(found.message).toBe(
      'Sources disagree on properties/value of named value \'contoso-apim/ws-a/tenant-id\': apiops:a has "x", but snapshot:b has "y"',
    );
    expect(found.detail).toMatch(
      /^apiops:a has "x" \(a\.json:3:14\), but snapshot:b has "y" \(b\.json:9:2\)\. /,
    );
  });
});
