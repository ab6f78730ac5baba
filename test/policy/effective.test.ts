import {
  allStatements,
  alwaysRuns,
  effectivePolicies,
  type CallPath,
  type EffectiveStatement,
  type OperationPolicy,
} from '../../src/policy/effective';
import { describeUnreadable } from '../../rules/support/policy-texts';
import { isTokenValidation, resolvedAttribute, resolvedText } from '../../rules/support/jwt';
import { findElements } from '../../src/policy/parser';
import { buildModel, loadSampleDoc } from '../helpers/sample';
import {
  fixturePolicy,
  load,
  loadWith,
  policyXml,
  positionInJson,
  rawxml,
  VALIDATE_JWT,
} from '../helpers/policies';
import { locateTextOffset } from '../../src/engine/locate';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';

const GLOBAL = policyXml({ inbound: '<cors allow-credentials="false" />', backend: '<forward-request />' });

const OPERATIONS = [
  { name: 'get-colors', properties: { displayName: 'Get colors', method: 'GET', urlTemplate: '/colors' } },
  { name: 'get-random-color', properties: { displayName: 'Random', method: 'GET', urlTemplate: '/random' } },
];

function operation(index: OperationPolicy[], label: string): OperationPolicy {
  const op = index.find((o) => o.label === label);
  if (!op) throw new Error(`no operation ${label}: ${index.map((o) => o.label).join(', ')}`);
  return op;
}

/** `name@scope` of every statement (nested ones included) of a section, in order. */
function trace(
  path: CallPath | undefined,
  section: 'inbound' | 'backend' | 'outbound' | 'on-error' = 'inbound',
) {
  if (!path) throw new Error('no call path');
  return allStatements(path.sections[section].statements).map(
    (s) =>
      `${s.element.name}@${s.source.fragment ? `fragment:${s.source.fragment.fragment.name}` : s.source.document.scope}`,
  );
}

function withOperationPolicy(inbound: string, extra: Record<string, unknown> = {}) {
  return loadWith({
    service: { policy: rawxml(GLOBAL), ...extra },
    api: {
      policy: rawxml(policyXml({ inbound: '<base />' })),
      operations: [OPERATIONS[0], { ...OPERATIONS[1], policy: rawxml(policyXml({ inbound })) }],
    },
  });
}

describe('effective policies', () => {
  it('is computed once per model', () => {
    const model = buildModel(loadSampleDoc());
    expect(effectivePolicies(model)).toBe(effectivePolicies(model));
  });

  it('composes the fixed sample: global validate-jwt reaches every operation', () => {
    const index = effectivePolicies(buildModel(loadSampleDoc()));
    expect(index.operations.map((o) => o.label)).toEqual([
      'colors-api/get-colors',
      'colors-api/get-random-color',
    ]);
    for (const op of index.operations) {
      expect(op.paths).toHaveLength(1);
      expect(trace(op.paths[0])).toContain('validate-jwt@global');
      expect(op.paths[0]?.sections.inbound.dropped).toEqual([]);
    }
    expect(trace(operation(index.operations, 'colors-api/get-random-color').paths[0])).toEqual([
      'cors@global',
      'validate-jwt@global',
      'set-header@api',
      'rate-limit-by-key@operation',
    ]);
  });

  describe('<base />', () => {
    it('inserts the broader scope where it stands', () => {
      const { model } = loadWith({
        service: { policy: rawxml(GLOBAL) },
        api: {
          policy: rawxml(policyXml({ inbound: '<set-header name="A" /><base /><set-header name="B" />' })),
          operations: [
            {
              ...OPERATIONS[0],
              policy: rawxml(policyXml({ inbound: '<set-query-parameter name="q" /><base />' })),
            },
          ],
        },
      });
      const op = operation(effectivePolicies(model).operations, 'colors-api/get-colors');
      expect(trace(op.paths[0])).toEqual([
        'set-query-parameter@operation',
        'set-header@api',
        'cors@global',
        'set-header@api',
      ]);
    });

    it('drops the broader scopes of that section only when it is missing, and records what was dropped', () => {
      const { model, inventory, text } = withOperationPolicy('<rate-limit calls="5" renewal-period="60" />');
      const op = operation(effectivePolicies(model).operations, 'colors-api/get-random-color');
      const path = op.paths[0]!;
      expect(trace(path)).toEqual(['rate-limit@operation']);
      expect(trace(path, 'backend')).toEqual(['forward-request@global']);
      const [drop] = path.sections.inbound.dropped;
      expect(drop?.document.label).toBe("the operation policy of 'colors-api/get-random-color'");
      expect(allStatements(drop!.statements).map((s) => s.element.name)).toEqual(['cors']);
      expect(drop?.own.map((s) => s.element.name)).toEqual(['rate-limit']);
      expect(path.sections.backend.dropped).toEqual([]);
      // The section element is where a finding about the missing <base /> points: inside the JSON string.
      const at = locateTextOffset(
        { origin: drop!.document.origin!, offset: drop!.section.offset },
        inventory.files,
      );
      expect(at).toEqual(positionInJson(text, '<inbound>\\n    <rate-limit'));
    });

    it('treats a section element without <base /> in each section separately', () => {
      const { model } = loadWith({
        service: { policy: rawxml(GLOBAL) },
        api: {
          policy: rawxml(policyXml({ inbound: '<base />', backend: '<forward-request timeout="10" />' })),
        },
      });
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      expect(path.sections.inbound.dropped).toEqual([]);
      expect(path.sections.backend.dropped.map((d) => d.document.scope)).toEqual(['api']);
      expect(trace(path, 'backend')).toEqual(['forward-request@api']);
    });

    it('keeps the broader scope when a policy omits the section element', () => {
      const { model } = loadWith({
        service: { policy: rawxml(GLOBAL) },
        api: { policy: rawxml(policyXml({ inbound: '<set-header name="A" />' }, ['backend'])) },
      });
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      expect(trace(path, 'backend')).toEqual(['forward-request@global']);
      expect(path.sections.backend.dropped).toEqual([]);
    });

    it('records nested drops: API and operation both without <base />', () => {
      const { model } = loadWith({
        service: { policy: rawxml(policyXml({ inbound: VALIDATE_JWT })) },
        api: {
          policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })),
          operations: [
            { ...OPERATIONS[0], policy: rawxml(policyXml({ inbound: '<set-header name="B" />' })) },
          ],
        },
      });
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      const [outer] = path.sections.inbound.dropped;
      expect(outer?.document.scope).toBe('operation');
      expect(allStatements(outer!.statements).map((s) => s.element.name)).toEqual(['set-header']);
      expect(outer?.nested.map((d) => d.document.scope)).toEqual(['api']);
      expect(allStatements(outer!.nested[0]!.statements).map((s) => s.element.name)).toEqual([
        'validate-jwt',
      ]);
    });

    it('has nothing to drop at global scope or when no broader policy exists', () => {
      const { model } = loadWith({
        service: { policy: null },
        api: { policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })) },
      });
      expect(effectivePolicies(model).operations[0]!.paths[0]!.sections.inbound.dropped).toEqual([]);
    });
  });

  describe('fragments', () => {
    const fragment = (name: string, body: string) => ({
      name,
      properties: { format: 'rawxml', value: `<fragment>\n  ${body}\n</fragment>` },
    });

    it('inlines an included fragment with its own text origin', () => {
      const { model, inventory, text } = loadWith({
        service: {
          policy: rawxml(
            policyXml({ inbound: '<include-fragment fragment-id="jwt" />', backend: '<forward-request />' }),
          ),
          policyFragments: [fragment('jwt', VALIDATE_JWT)],
        },
      });
      const index = effectivePolicies(model);
      const path = index.operations[0]!.paths[0]!;
      expect(trace(path)).toEqual(['validate-jwt@fragment:jwt', 'set-header@api']);
      const jwt = allStatements(path.sections.inbound.statements).find(isTokenValidation)!;
      expect(jwt.source.document.scope).toBe('global');
      expect(jwt.source.origin?.pointer).toBe('/apim/0/policyFragments/0/properties/value');
      expect(
        locateTextOffset({ origin: jwt.source.origin!, offset: jwt.element.offset }, inventory.files),
      ).toEqual(positionInJson(text, '<validate-jwt'));
      expect(index.missingFragments).toEqual([]);
    });

    it('reports a missing fragment as an unreadable part of the section and in the index', () => {
      const { model } = loadWith({
        api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment fragment-id="gone" />' })) },
      });
      const index = effectivePolicies(model);
      const inbound = index.operations[0]!.paths[0]!.sections.inbound;
      expect(inbound.unreadable.map((u) => u.kind)).toEqual(['missing-fragment']);
      expect(describeUnreadable(inbound.unreadable[0]!)).toBe(
        "the API policy of 'colors-api' includes policy fragment 'gone', which is not in the data; see policy-parse-error",
      );
      expect(index.missingFragments.map((m) => [m.fragmentId, m.text.label])).toEqual([
        ['gone', "the API policy of 'colors-api'"],
      ]);
      // The rest of the section is still composed.
      expect(trace(index.operations[0]!.paths[0])).toContain('validate-jwt@global');
    });

    it('marks a fragment that cannot be parsed as unreadable where it is included', () => {
      const { model } = loadWith({
        service: {
          policyFragments: [
            { name: 'broken', properties: { format: 'rawxml', value: '<fragment><a></b></fragment>' } },
          ],
        },
        api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment fragment-id="broken" />' })) },
      });
      const index = effectivePolicies(model);
      const [u] = index.operations[0]!.paths[0]!.sections.inbound.unreadable;
      expect(u?.kind).toBe('fragment');
      expect(describeUnreadable(u!)).toContain("policy fragment 'broken' could not be parsed");
    });

    it("resolves a workspace policy's include in the workspace first, a service fragment's in the service", () => {
      const { model } = loadWith({
        service: {
          policyFragments: [
            fragment('shared', '<set-header name="service" />'),
            fragment('outer', '<include-fragment fragment-id="shared" />'),
          ],
          workspaces: [
            {
              name: 'ws',
              properties: { displayName: 'WS' },
              policy: rawxml(
                policyXml({
                  inbound:
                    '<base /><include-fragment fragment-id="shared" /><include-fragment fragment-id="outer" />',
                }),
              ),
              policyFragments: [fragment('shared', '<set-header name="workspace" />')],
              apis: [{ name: 'ws-api', properties: { path: 'ws' }, policy: rawxml(policyXml({})) }],
            },
          ],
        },
      });
      const op = operation(effectivePolicies(model).operations, 'ws-api (all operations)');
      const headers = allStatements(op.paths[0]!.sections.inbound.statements).filter(
        (s) => s.element.name === 'set-header',
      );
      expect(trace(op.paths[0])).toEqual([
        'cors@global',
        'validate-jwt@global',
        'set-header@fragment:shared',
        'set-header@fragment:shared',
      ]);
      expect(headers.map((h) => h.source.fragment?.fragment.workspace?.name ?? 'service')).toEqual([
        'ws',
        'service',
      ]);
      expect(headers.every((h) => h.source.document.scope === 'workspace')).toBe(true);
    });
  });

  describe('unreadable policies', () => {
    it('does not look past a policy given as a link', () => {
      const linked = loadWith({
        api: {
          operations: [
            { ...OPERATIONS[0], policy: { format: 'rawxml-link', value: 'https://example.com/p.xml' } },
          ],
        },
      }).model;
      const inbound = effectivePolicies(linked).operations[0]!.paths[0]!.sections.inbound;
      expect(inbound.statements).toEqual([]);
      expect(inbound.unreadable.map((u) => describeUnreadable(u))).toEqual([
        "the operation policy of 'colors-api/get-colors' is given only as a link (https://example.com/p.xml), which cannot be read offline",
      ]);
    });

    it('marks a policy that cannot be parsed, with the offset of the problem', () => {
      const { model } = loadWith({
        api: { policy: rawxml('<policies><inbound><base /></outbound></policies>') },
      });
      const index = effectivePolicies(model);
      const document = index.documentOf(model.apis[0]!);
      expect(document?.state).toMatchObject({
        kind: 'parse-error',
        offset: '<policies><inbound><base />'.length,
      });
      const [u] = index.operations[0]!.paths[0]!.sections.inbound.unreadable;
      expect(u?.kind).toBe('document');
    });

    it('rejects a root other than <policies>', () => {
      const { model } = loadWith({ api: { policy: rawxml('<fragment><base /></fragment>') } });
      const state = effectivePolicies(model).documentOf(model.apis[0]!)?.state;
      expect(state).toMatchObject({
        kind: 'parse-error',
        message: expect.stringContaining('root element is <fragment>'),
      });
    });
  });

  describe('named values', () => {
    it('substitutes plain values and keeps secret, unknown and expression values opaque', () => {
      const { model } = loadWith({
        service: {
          namedValues: [
            { name: 'tenant-id', properties: { displayName: 'tenant-id', secret: false, value: 'tid-1' } },
            { name: 'nv-secret', properties: { displayName: 'SigningKey', secret: true } },
            { name: 'nv-expr', properties: { displayName: 'now', value: '@(DateTime.Now.ToString())' } },
          ],
          policy: rawxml(
            policyXml({
              inbound:
                '<set-header name="a"><value>{{tenant-id}}</value></set-header>' +
                '<set-header name="b"><value>{{signingkey}}</value></set-header>' +
                '<set-header name="c"><value>{{missing}}</value></set-header>' +
                '<set-header name="d" value="{{now}}" />',
            }),
          ),
        },
      });
      const statements = allStatements(
        effectivePolicies(model).operations[0]!.paths[0]!.sections.inbound.statements,
      );
      const value = (s: EffectiveStatement) => resolvedText(s.source, findElements(s.element, 'value')[0]!);
      const [a, b, c, d] = statements.filter((s) => s.element.name === 'set-header');
      expect(value(a!)).toMatchObject({ value: 'tid-1', opaque: false });
      expect(value(b!)).toMatchObject({
        value: '{{signingkey}}',
        opaque: true,
        references: [{ status: 'secret' }],
      });
      expect(value(c!)).toMatchObject({ opaque: true, references: [{ status: 'unknown' }] });
      expect(resolvedAttribute(d!.source, d!.element, 'value')).toMatchObject({
        opaque: true,
        references: [{ status: 'expression' }],
      });
    });

    it('prefers the workspace named value for a workspace policy', () => {
      const { model } = loadWith({
        service: {
          namedValues: [{ name: 'aud', properties: { displayName: 'aud', value: 'service' } }],
          workspaces: [
            {
              name: 'ws',
              properties: { displayName: 'WS' },
              namedValues: [{ name: 'aud', properties: { displayName: 'aud', value: 'workspace' } }],
              apis: [
                {
                  name: 'ws-api',
                  properties: { path: 'ws' },
                  policy: rawxml(
                    policyXml({
                      inbound: '<base /><set-header name="x"><value>{{aud}}</value></set-header>',
                    }),
                  ),
                },
              ],
            },
          ],
        },
      });
      const op = operation(effectivePolicies(model).operations, 'ws-api (all operations)');
      const header = allStatements(op.paths[0]!.sections.inbound.statements).find(
        (s) => s.element.name === 'set-header',
      )!;
      expect(resolvedText(header.source, findElements(header.element, 'value')[0]!).value).toBe('workspace');
    });
  });

  describe('conditions', () => {
    it('marks statements under <choose> with their branch conditions', () => {
      const { model } = loadWith({
        service: {
          policy: rawxml(
            policyXml({
              inbound: `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)">${VALIDATE_JWT}</when></choose>`,
            }),
          ),
        },
      });
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      const jwt = allStatements(path.sections.inbound.statements).find(isTokenValidation)!;
      expect(jwt.conditions.map((c) => c.condition)).toEqual(['@(context.Request.Method == "POST")']);
      expect(alwaysRuns(path.sections.inbound.statements, isTokenValidation)).toBe(false);
    });

    it('counts a <choose> whose every branch, <otherwise> included, validates (fixture method-authorization)', () => {
      const policy = fixturePolicy('method-authorization.xml');
      const { model } = loadWith({ service: { policy: null }, api: { policy: rawxml(policy) } });
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      const validations = allStatements(path.sections.inbound.statements).filter(isTokenValidation);
      expect(validations).toHaveLength(3);
      expect(validations.every((v) => v.conditions.length === 1)).toBe(true);
      expect(validations[2]?.conditions[0]?.condition).toBeUndefined(); // <otherwise>
      expect(alwaysRuns(path.sections.inbound.statements, isTokenValidation)).toBe(true);
    });
  });

  describe('call paths and scopes', () => {
    it('adds a call path per product with a policy; the path without product policies always exists', () => {
      const { model } = loadWith({
        service: {
          products: [
            {
              name: 'gold',
              properties: { displayName: 'Gold' },
              apis: ['colors-api'],
              policy: rawxml(policyXml({ inbound: '<base /><quota calls="10" renewal-period="60" />' })),
            },
            { name: 'free', properties: { displayName: 'Free' }, apis: ['colors-api'] },
          ],
        },
        api: { properties: { subscriptionRequired: false } },
      });
      const op = effectivePolicies(model).operations[0]!;
      expect(op.paths.map((p) => p.product?.name)).toEqual([undefined, 'gold']);
      expect(op.paths[0]?.description).toBe(
        "calls with an API-scoped, all-APIs or the built-in all-access subscription, calls without a subscription key, calls with a subscription to product 'free'",
      );
      expect(op.paths[1]?.description).toBe("calls with a subscription to product 'gold'");
      expect(trace(op.paths[1])).toContain('quota@product');
      expect(trace(op.paths[0])).not.toContain('quota@product');
      expect(op.paths[1]?.chain.map((d) => d.scope)).toEqual(['global', 'product', 'api']);
    });

    it("shares an operation's own statements between its call paths, each with its own broader chain", () => {
      const fragment = (name: string, body: string) => ({
        name,
        properties: { format: 'rawxml', value: `<fragment>${body}</fragment>` },
      });
      const own = '<set-header name="a" exists-action="override"><value>1</value></set-header>';
      const { model } = loadWith({
        service: {
          policy: rawxml(GLOBAL),
          policyFragments: [fragment('common', '<set-header name="f" exists-action="skip" />')],
          products: [
            {
              name: 'gold',
              properties: { displayName: 'Gold' },
              apis: ['colors-api'],
              policy: rawxml(policyXml({ inbound: '<base /><quota calls="10" renewal-period="60" />' })),
            },
          ],
        },
        api: {
          policy: rawxml(policyXml({ inbound: '<base />' })),
          operations: [
            {
              ...OPERATIONS[0],
              policy: rawxml(
                policyXml({
                  inbound: `${own}<base /><include-fragment fragment-id="common" /><include-fragment fragment-id="gone" />`,
                }),
              ),
            },
          ],
        },
      });
      const [plain, gold] = effectivePolicies(model).operations[0]!.paths as [CallPath, CallPath];
      expect(trace(plain)).toEqual(['set-header@operation', 'cors@global', 'set-header@fragment:common']);
      expect(trace(gold)).toEqual([
        'set-header@operation',
        'cors@global',
        'quota@product',
        'set-header@fragment:common',
      ]);
      const [first, ...rest] = [plain.sections.inbound, gold.sections.inbound];
      expect(rest[0]!.statements[0]).toBe(first!.statements[0]);
      expect(rest[0]!.statements.at(-1)).toBe(first!.statements.at(-1));
      // The missing fragment is unreadable on both paths.
      for (const section of [plain.sections.inbound, gold.sections.inbound]) {
        expect(section.unreadable.map((u) => u.kind)).toEqual(['missing-fragment']);
      }
    });

    it('composes an operation in place where its call path goes past the section limit, and only there', () => {
      // 9,000 elements a fragment (under the limit of one fragment), six includes in the product policy and six in
      // the operation's: 54,000 elements alone, 108,000 on the product's path (limit 100,000).
      const big = Array.from({ length: 9000 }, (_, i) => `<set-variable name="v${i}" value="1" />`).join('');
      const includes = '<include-fragment fragment-id="big" />'.repeat(6);
      const { model } = loadWith({
        service: {
          policy: rawxml(GLOBAL),
          policyFragments: [
            { name: 'big', properties: { format: 'rawxml', value: `<fragment>${big}</fragment>` } },
          ],
          products: [
            {
              name: 'gold',
              properties: { displayName: 'Gold' },
              apis: ['colors-api'],
              policy: rawxml(policyXml({ inbound: `<base />${includes}` })),
            },
          ],
        },
        api: {
          policy: rawxml(policyXml({ inbound: '<base />' })),
          operations: [{ ...OPERATIONS[0], policy: rawxml(policyXml({ inbound: `<base />${includes}` })) }],
        },
      });
      const [plain, gold] = effectivePolicies(model).operations[0]!.paths as [CallPath, CallPath];
      expect(plain.sections.inbound.unreadable).toEqual([]);
      expect(plain.sections.inbound.statements).toHaveLength(1 + 6 * 9000);
      // On the product's path the product inlines its six (54,000), then the operation five more (99,000) before the
      // sixth goes past the limit: composed in place, as without any sharing.
      const limited = gold.sections.inbound;
      expect(limited.unreadable.map((u) => describeUnreadable(u))).toEqual([
        expect.stringContaining('inlines more than 100000 policy elements'),
      ]);
      expect(limited.statements).toHaveLength(1 + 11 * 9000);
    });

    it('composes global -> workspace -> product -> API -> operation for a workspace API', () => {
      const { model } = loadWith({
        service: {
          workspaces: [
            {
              name: 'ws',
              properties: { displayName: 'WS' },
              policy: rawxml(
                policyXml({
                  inbound: '<base /><ip-filter action="allow"><address>10.0.0.1</address></ip-filter>',
                }),
              ),
              products: [
                {
                  name: 'ws-product',
                  properties: {},
                  apis: ['ws-api'],
                  policy: rawxml(policyXml({ inbound: '<base /><quota calls="1" renewal-period="1" />' })),
                },
              ],
              apis: [
                {
                  name: 'ws-api',
                  properties: { path: 'ws' },
                  policy: rawxml(policyXml({ inbound: '<base /><set-header name="api" />' })),
                  operations: [
                    {
                      name: 'op',
                      properties: {},
                      policy: rawxml(policyXml({ inbound: '<base /><set-header name="op" />' })),
                    },
                  ],
                },
              ],
            },
          ],
        },
      });
      const op = operation(effectivePolicies(model).operations, 'ws-api/op');
      expect(trace(op.paths[1])).toEqual([
        'cors@global',
        'validate-jwt@global',
        'ip-filter@workspace',
        'quota@product',
        'set-header@api',
        'set-header@operation',
      ]);
    });

    it('gives an API without operations an "all operations" view', () => {
      const { model } = loadWith({ api: { operations: null } });
      const [op] = effectivePolicies(model).operations;
      expect(op?.label).toBe('colors-api (all operations)');
      expect(op?.operation).toBeUndefined();
      expect(op?.entity.kind).toBe('api');
    });
  });

  it('reads every fixture policy used by the rule tests as a document', () => {
    const files = ['validate-jwt-tabs.xml', 'validate-azure-ad-token.xml', 'mcp-token.xml'];
    for (const file of files) {
      const { model } = load(
        (() => {
          const doc = loadSampleDoc();
          (doc.apim![0] as { policy: unknown }).policy = rawxml(fixturePolicy(file));
          return doc;
        })(),
      );
      const path = effectivePolicies(model).operations[0]!.paths[0]!;
      expect({
        file,
        validates: allStatements(path.sections.inbound.statements).some(isTokenValidation),
      }).toEqual({
        file,
        validates: true,
      });
    }
  });

  describe('end to end: findings land on the element inside the JSON string of the sample', () => {
    const file = 'examples/contoso/snapshot.json';
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const expected: Record<string, string> = {
      'api-validate-jwt': '<inbound>\\n    <rate-limit-by-key',
      'policy-parse-error': '<include-fragment fragment-id=',
      'jwt-validation-strict': '<validate-jwt header-name=',
      'jwt-audience-matches-token-version': '<audience>',
      'jwt-issuer-matches-token-version': '<issuer>',
      'jwt-required-scope': '<value>api://',
    };

    it.each(Object.keys(expected))('%s', async (ruleId) => {
      const run = await cli([
        'scan',
        file,
        '--format',
        'json',
        '--fail-on',
        'none',
        '--rule',
        `${ruleId}=error`,
        '--tag',
        'policy',
      ]);
      const report = JSON.parse(run.stdout) as { findings: { ruleId: string; location: unknown }[] };
      const locations = report.findings.filter((f) => f.ruleId === ruleId).map((f) => f.location);
      expect(locations).toEqual([{ ...positionInJson(text, expected[ruleId]!), file }]);
    });

    it('policy-base-inherited leaves the dropped validate-jwt to api-validate-jwt (one defect, one finding)', async () => {
      const run = await cli(['scan', file, '--format', 'json', '--fail-on', 'none', '--tag', 'policy']);
      const report = JSON.parse(run.stdout) as { findings: { ruleId: string }[] };
      expect(report.findings.filter((f) => f.ruleId === 'policy-base-inherited')).toEqual([]);
    });
  });

  it.each([
    'api-validate-jwt',
    'jwt-audience-matches-token-version',
    'jwt-issuer-matches-token-version',
    'jwt-required-scope',
    'jwt-validation-strict',
    'policy-base-inherited',
    'policy-parse-error',
  ])('explain shows %s', async (ruleId) => {
    const run = await cli(['explain', ruleId]);
    expect(run.code).toBe(0);
    const doc = readFileSync(path.join(REPO_ROOT, 'rules', `${ruleId}.md`), 'utf8');
    expect(run.stdout).toContain(doc.split('\n')[0]!);
    expect(run.stdout).toContain('## Remediation');
  });
});
