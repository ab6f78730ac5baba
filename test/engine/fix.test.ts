import { ARM_API_VERSION, hclLiteral, resolveFix } from '../../src/engine/fix';
import type { Entity } from '../../src/model/types';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import type { PositionIndex } from '../../src/json/types';
import { loadSampleDoc } from '../helpers/sample';

const model = normalize(parseSnapshot(JSON.stringify(loadSampleDoc(), null, 2), 'snapshot.json'));
const app = model.applications[0] as Entity;
const server = model.authorizationServers[0] as Entity;

function withOrigin(entity: Entity, origin: Entity['origin']): Entity {
  return { ...entity, origin } as Entity;
}

const noFiles: Record<string, PositionIndex> = {};

describe('resolveFix', () => {
  const hint = { text: 'Set api.requestedAccessTokenVersion to 2.' };
  const property = { path: 'api/requestedAccessTokenVersion', value: 2 };

  it('keeps a fix without an edit as words only', () => {
    expect(resolveFix(hint, app, noFiles)).toEqual({ text: hint.text });
  });

  it('names the JSON property of a file source and makes a JSON edit of it', () => {
    const fix = resolveFix(
      { ...hint, property },
      withOrigin(app, { file: 'entra/app.json', pointer: '' }),
      noFiles,
    );
    expect(fix).toEqual({
      text: `${hint.text} In entra/app.json, set "api.requestedAccessTokenVersion" to 2.`,
      edit: { kind: 'json', file: 'entra/app.json', path: ['api', 'requestedAccessTokenVersion'], value: 2 },
    });
  });

  it('follows Origin.paths (a manifest laid out differently) and array indexes', () => {
    const entity = withOrigin(app, {
      file: 'm.json',
      pointer: '/apps/3',
      paths: { 'api/requestedAccessTokenVersion': '/apps/3/accessTokenAcceptedVersion' },
    });
    expect(resolveFix({ ...hint, property }, entity, noFiles).edit).toEqual({
      kind: 'json',
      file: 'm.json',
      path: ['apps', 3, 'accessTokenAcceptedVersion'],
      value: 2,
    });
  });

  it('removes a property', () => {
    const fix = resolveFix(
      { text: 'Drop it.', property: { path: 'properties/x', remove: true } },
      withOrigin(server, { file: 'a.json', pointer: '/resources/1' }),
      noFiles,
    );
    expect(fix.text).toBe('Drop it. In a.json, remove "resources[1].properties.x".');
    expect(fix.edit).toEqual({
      kind: 'json',
      file: 'a.json',
      path: ['resources', 1, 'properties', 'x'],
      remove: true,
    });
  });

  it('names the Terraform attribute, and edits the .tf literal where the index spans it', () => {
    const pointer = '/planned_values/root_module/resources/0';
    const origin = {
      file: 'infra/app.tf',
      pointer,
      paths: { [property.path]: `${pointer}/values/api/0/requested_access_token_version` },
    };
    const span: PositionIndex = {
      locate: () => undefined,
      locateOffset: () => undefined,
      valueSpan: (p) => (p.endsWith('requested_access_token_version') ? { start: 10, end: 11 } : undefined),
    };
    const fix = resolveFix({ ...hint, property }, withOrigin(app, origin), { 'infra/app.tf': span });
    expect(fix.text).toBe(`${hint.text} In infra/app.tf, set api.requested_access_token_version = 2.`);
    expect(fix.edit).toEqual({
      kind: 'text',
      file: 'infra/app.tf',
      start: 10,
      end: 11,
      text: '2',
      literalOnly: true,
    });
    // Located only in the plan: the plan is generated, the step names the configuration.
    const inPlan = resolveFix(
      { ...hint, property },
      withOrigin(app, { ...origin, file: 'plan.json' }),
      noFiles,
    );
    expect(inPlan).toEqual({
      text: `${hint.text} In the Terraform configuration, set api.requested_access_token_version = 2.`,
    });
  });

  it('prints the command for live data, never an edit', () => {
    const graph = resolveFix({ ...hint, property }, withOrigin(app, { graphObjectId: 'obj-1' }), noFiles);
    expect(graph.edit).toBeUndefined();
    expect(graph.command).toBe(`az ad app update --id obj-1 --set api.requestedAccessTokenVersion='2'`);
    expect(graph.text).toContain('App registrations');
    const id =
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/a/authorizationServers/o';
    const arm = resolveFix(
      { text: 'Use v2.', property: { path: 'properties/grantTypes', value: ['authorizationCode'] } },
      withOrigin(server, { resourceId: id }),
      noFiles,
    );
    expect(arm.command).toBe(
      `az rest --method patch --uri 'https://management.azure.com${id}?api-version=${ARM_API_VERSION}' --headers If-Match=* --body '{"properties":{"grantTypes":["authorizationCode"]}}'`,
    );
  });

  it('quotes live values for a POSIX shell', () => {
    const fix = resolveFix(
      { text: 't', property: { path: 'web/redirectUris', value: ["https://x/it's"] } },
      withOrigin(app, { graphObjectId: 'o' }),
      noFiles,
    );
    expect(fix.command).toBe(`az ad app update --id o --set web.redirectUris='["https://x/it'\\''s"]'`);
  });

  it('edits policy text in an XML file or inside a JSON string, and only describes it in a .tf or a plan', () => {
    const replace = { start: 5, end: 5, text: '<base />' };
    const index: PositionIndex = { locate: () => undefined, locateOffset: () => ({ line: 3, column: 7 }) };
    const xml = resolveFix(
      { text: 'Insert <base />.', policy: { origin: { file: 'p/policy.xml', pointer: '' }, ...replace } },
      server,
      { 'p/policy.xml': index },
    );
    expect(xml).toEqual({
      text: 'Insert <base />. In p/policy.xml:3:7.',
      edit: { kind: 'text', file: 'p/policy.xml', ...replace },
    });
    const inJson = resolveFix(
      {
        text: 'Insert.',
        policy: { origin: { file: 't.json', pointer: '/resources/2/properties/value' }, ...replace },
      },
      server,
      noFiles,
    );
    expect(inJson.edit).toEqual({
      kind: 'jsonString',
      file: 't.json',
      path: ['resources', 2, 'properties', 'value'],
      ...replace,
    });
    const tf = resolveFix(
      { text: 'Insert.', policy: { origin: { file: 'a.tf', pointer: '/planned_values/x' }, ...replace } },
      server,
      noFiles,
    );
    expect(tf.edit).toBeUndefined();
    const live = resolveFix(
      { text: 'Insert.', policy: { origin: { resourceId: '/subscriptions/x' }, ...replace } },
      server,
      noFiles,
    );
    expect(live.edit).toBeUndefined();
    expect(live.text).toMatch(/policy code editor/);
  });

  it.each([
    ['https://${x}', '"https://$${x}"'],
    [2, '2'],
    [['a', true], '["a", true]'],
    [null, 'null'],
  ] as const)('writes %j as the HCL literal %s', (value, literal) => {
    expect(hclLiteral(value)).toBe(literal);
  });

  it('has no HCL literal for an object', () => {
    expect(hclLiteral({ a: 1 })).toBeUndefined();
  });
});

describe('Terraform nested blocks', () => {
  it('are removed or rewritten, not assigned', () => {
    const pointer = '/planned_values/root_module/resources/0';
    const origin = {
      file: 'main.tf',
      pointer,
      paths: { 'properties/tokenBodyParameters': `${pointer}/values/token_body_parameter` },
    };
    const fix = resolveFix(
      { text: 'Drop it.', property: { path: 'properties/tokenBodyParameters', value: [] } },
      { ...server, origin } as Entity,
      {},
    );
    expect(fix).toEqual({ text: 'Drop it. In main.tf, remove the token_body_parameter blocks.' });
  });
});

describe('live data located in the snapshot the run wrote', () => {
  it('keeps its fix a command for the tenant, never an edit of the snapshot', () => {
    const origin = {
      file: 'tenant.json',
      pointer: '/applications/0',
      graphObjectId: 'obj-9',
      live: true as const,
    };
    const fix = resolveFix(
      { text: 'Use v2.', property: { path: 'api/requestedAccessTokenVersion', value: 2 } },
      { ...app, origin } as Entity,
      {},
    );
    expect(fix.edit).toBeUndefined();
    expect(fix.command).toBe(`az ad app update --id obj-9 --set api.requestedAccessTokenVersion='2'`);
    const policy = resolveFix(
      {
        text: 'Insert.',
        policy: { origin: { ...origin, pointer: '/apim/0/policy/value' }, start: 1, end: 1, text: 'x' },
      },
      server,
      {},
    );
    expect(policy.edit).toBeUndefined();
  });
});
