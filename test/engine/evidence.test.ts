/**
 * Evidence-based abstention (issue 9 §2): a conclusion is not evaluated exactly when the evidence it declares
 * touches a value the sources could not determine; rules without declared evidence keep the conservative fallback.
 */
import { builtinRules } from '../../rules';
import { runAudit } from '../../src/engine/run';
import { checked, defineRule, violation, type AnyRule, type RuleMeta } from '../../rules/support/contract';
import { type Evidence } from '../../src/model/types';
import { type Finding } from '../../src/engine/types';
import type { Model } from '../../src/model/types';
import { applyOverlay, buildModel, loadSampleDoc, TEST_NOW, type Overlay } from '../helpers/sample';

const META: RuleMeta = { title: 't', severity: 'error', tags: [], requires: [] };

function audit(rule: AnyRule, overlay: Overlay) {
  const model = buildModel(applyOverlay(loadSampleDoc(), overlay));
  return runAudit(model, { rules: [rule], settings: {}, suppressions: [], now: TEST_NOW, files: {} });
}

const unknownOn = (part: keyof Overlay, path: string, why = 'not in the data'): Overlay => ({
  [part]: { $unknown: { [path]: why } },
});

/** A rule reporting one violation on the client app, resting on the given evidence of the model. */
function clientAppRule(evidence: (model: Model) => Evidence[] | undefined, declaresEvidence = true) {
  return defineRule({
    id: 'test-client-app',
    meta: { ...META, declaresEvidence },
    *check(model) {
      const app = model.authorizationServers[0]!.clientApp!;
      const given = evidence(model);
      yield violation(app, 'client app finding', {
        path: 'passwordCredentials',
        ...(given ? { evidence: given } : {}),
      });
    },
  });
}

const serverGrantTypes = (model: Model): Evidence[] => [
  { entity: model.authorizationServers[0]!, path: 'properties/grantTypes' },
];

describe('a violation with evidence', () => {
  it('is a finding when its evidence is known, whatever else is unknown', () => {
    const result = audit(clientAppRule(serverGrantTypes), unknownOn('service', 'name'));
    expect(result.findings.map((f) => f.message)).toEqual(['client app finding']);
    expect(result.notEvaluated).toEqual([]);
  });

  it('is not evaluated when a value of its evidence is unknown, naming that value', () => {
    const result = audit(
      clientAppRule(serverGrantTypes),
      unknownOn('authorizationServer', 'properties/grantTypes', "[parameters('grants')] has no value"),
    );
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([
      {
        ruleId: 'test-client-app',
        reason: expect.stringMatching(
          /^The finding would rest on properties\/grantTypes of authorizationServer 'colors-oauth'.*\[parameters\('grants'\)\] has no value/,
        ),
        kind: 'application',
        resources: [expect.objectContaining({ kind: 'application', name: 'oauth-client-app' })],
      },
    ]);
  });

  it('counts an unknown inside or around an evidence path (an element, or the whole entity)', () => {
    expect(
      audit(clientAppRule(serverGrantTypes), unknownOn('authorizationServer', 'properties/grantTypes/0'))
        .findings,
    ).toEqual([]);
    expect(audit(clientAppRule(serverGrantTypes), unknownOn('authorizationServer', '')).findings).toEqual([]);
    expect(
      audit(clientAppRule(serverGrantTypes), unknownOn('authorizationServer', 'properties/displayName'))
        .findings,
    ).toHaveLength(1);
  });

  it('always rests on its own entity and path, even with no evidence listed', () => {
    const result = audit(
      clientAppRule(() => []),
      unknownOn('clientApp', 'passwordCredentials'),
    );
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated[0]?.reason).toMatch(/passwordCredentials of application 'oauth-client-app'/);
  });

  it('rests on a collection: unknown when the parent marks that collection unknown', () => {
    const rule = clientAppRule((model) => [
      { collection: 'authorizationServers', parent: model.services[0]! },
    ]);
    const result = audit(rule, unknownOn('service', 'authorizationServers', 'APIOps extracts no servers'));
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated[0]?.reason).toMatch(
      /authorizationServers of apimService 'contoso-apim'.*APIOps extracts no servers/,
    );
    expect(audit(rule, unknownOn('service', 'products')).findings).toHaveLength(1);
  });
});

describe('a violation without evidence (a plugin written before evidence)', () => {
  it('keeps the conservative fallback: an unknown portal host of the service counts for an app finding', () => {
    const legacy = clientAppRule(() => undefined, false);
    const result = audit(legacy, unknownOn('service', 'name'));
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringMatching(/^The finding would rest on name of apimService 'contoso-apim'/),
    ]);
  });

  it('is compared with its evidence as soon as it gives some, even in a rule that does not declare it', () => {
    const plugin = clientAppRule(serverGrantTypes, false);
    expect(audit(plugin, unknownOn('service', 'name')).findings).toHaveLength(1);
  });
});

/** A rule that judges the client app clean on its secrets and the server's grant types. */
function passingRule(declaresEvidence: boolean) {
  return defineRule({
    id: 'test-pass',
    meta: { ...META, requires: ['entra'], declaresEvidence },
    *check(model) {
      const server = model.authorizationServers[0]!;
      yield checked(server.clientApp!, [
        { entity: server.clientApp!, path: 'passwordCredentials' },
        { entity: server, path: 'properties/grantTypes' },
      ]);
    },
  });
}

describe('a check that found nothing', () => {
  it('says the entity was not fully evaluated when its evidence touches an unknown', () => {
    const result = audit(passingRule(true), unknownOn('authorizationServer', 'properties/grantTypes'));
    expect(result.notEvaluated).toEqual([
      {
        ruleId: 'test-pass',
        reason: expect.stringMatching(
          /^Not fully evaluated: properties\/grantTypes of authorizationServer 'colors-oauth'/,
        ),
        kind: 'application',
        resources: [expect.objectContaining({ kind: 'application', name: 'oauth-client-app' })],
      },
    ]);
  });

  it('is silent when its evidence is known', () => {
    expect(audit(passingRule(true), unknownOn('backendApp', 'identifierUris')).notEvaluated).toEqual([]);
  });

  it('replaces the blanket "not fully evaluated" pass for rules that declare evidence', () => {
    // The backend app's identifierUris are read by the model, but this rule did not rest on them.
    const overlay = unknownOn('backendApp', 'identifierUris');
    expect(audit(passingRule(true), overlay).notEvaluated).toEqual([]);
    expect(
      audit(passingRule(false), overlay).notEvaluated.flatMap((n) => n.resources.map((r) => r.name)),
    ).toEqual(['oauth-backend-app']);
  });

  it('is not repeated next to a violation on the same entity that rests on the same unknown', () => {
    const rule = defineRule({
      id: 'test-both',
      meta: { ...META, declaresEvidence: true },
      *check(model) {
        const server = model.authorizationServers[0]!;
        const evidence = [{ entity: server, path: 'properties/grantTypes' }];
        yield checked(server.clientApp!, evidence);
        yield violation(server.clientApp!, 'finding', { path: 'web', evidence });
      },
    });
    const result = audit(rule, unknownOn('authorizationServer', 'properties/grantTypes'));
    expect(result.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringMatching(/^The finding would rest on properties\/grantTypes/),
    ]);
  });
});

describe('an abstention with evidence', () => {
  it('names the unknown value it rests on instead of its own reason (an app whose appId is a placeholder)', () => {
    const rule = builtinRules['client-secret-expiry'];
    const overlay: Overlay = {
      clientApp: {
        appId: '${{AAD_APP_CLIENT_ID}}',
        $unknown: { appId: 'placeholder ${{AAD_APP_CLIENT_ID}}' },
      },
    };
    const result = audit(rule, overlay);
    expect(result.notEvaluated).toEqual([
      {
        ruleId: 'client-secret-expiry',
        reason: expect.stringMatching(
          /^Not fully evaluated: appId of application 'oauth-client-app'.*placeholder/,
        ),
        kind: 'authorizationServer',
        resources: [expect.objectContaining({ kind: 'authorizationServer', name: 'colors-oauth' })],
      },
    ]);
    // Without an unknown value, the rule's own reason stands.
    expect(
      audit(rule, { clientApp: { appId: '00000000-0000-4000-8000-00000000abcd' } }).notEvaluated,
    ).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/matches none of the applications given/) }),
    ]);
  });
});

/**
 * Metamorphic check of every rule that declares its evidence: take a sample, make one value unknown (absent from
 * the record, listed in `$unknown`), and compare with the run where it is known. An unknown value may only take
 * findings away, never add one (a false finding resting on "not set"); and a finding it takes away must leave a
 * not-evaluated record of that rule behind (no silent pass on a value the rule needed).
 */
describe('rules that declare evidence, with one value made unknown', () => {
  // The rules migrated with the engine (issue 9 §2); add a rule here once it declares its evidence.
  const MIGRATED = [
    'client-secret-expiry',
    'app-access-token-version',
    'backend-scope-exposed',
    'client-api-permission',
    'implicit-grant-disabled',
    'sources-consistent',
    'policy-parse-error',
    'redirect-uri-safe',
    'client-redirect-uri-matches-portal',
    'auth-server-v2-endpoints',
    'auth-server-grant-types',
  ];
  const declared = Object.values(builtinRules).filter((rule) => MIGRATED.includes(rule.id));

  /** `a/b/c` -> `{ a: { b: { c: null } } }`, which deletes the value as a merge patch. */
  function deleting(path: string): Record<string, unknown> {
    return path
      .split('/')
      .reverse()
      .reduce<Record<string, unknown> | null>((inner, key) => ({ [key]: inner }), null) as Record<
      string,
      unknown
    >;
  }

  const APP_PATHS = [
    'identifierUris',
    'signInAudience',
    'api/requestedAccessTokenVersion',
    'api/oauth2PermissionScopes',
    'web/redirectUris',
    'web/implicitGrantSettings',
    'spa/redirectUris',
    'publicClient/redirectUris',
    'passwordCredentials',
    'requiredResourceAccess',
  ];
  const SERVER_PATHS = [
    'authorizationEndpoint',
    'tokenEndpoint',
    'grantTypes',
    'authorizationMethods',
    'defaultScope',
    'clientId',
    'tokenBodyParameters',
    'useInTestConsole',
  ].map((p) => `properties/${p}`);

  const variants: [string, Overlay][] = [
    ...(['backendApp', 'clientApp'] as const).flatMap((part) =>
      APP_PATHS.map((p): [string, Overlay] => [
        `${part} ${p}`,
        { [part]: { ...deleting(p), $unknown: { [p]: 'unknown' } } },
      ]),
    ),
    ...SERVER_PATHS.map((p): [string, Overlay] => [
      `authorizationServer ${p}`,
      { authorizationServer: { ...deleting(p), $unknown: { [p]: 'unknown' } } },
    ]),
    ['authorizationServer (deployed?)', unknownOn('authorizationServer', '')],
    ['service name (kept as a stand-in)', unknownOn('service', 'name')],
    [
      'service properties/hostnameConfigurations',
      {
        service: {
          ...deleting('properties/hostnameConfigurations'),
          $unknown: { 'properties/hostnameConfigurations': 'unknown' },
        },
      },
    ],
    ['service policy', { service: { policy: null, $unknown: { policy: 'unknown' } } }],
    ['api policy', { api: { policy: null, $unknown: { policy: 'unknown' } } }],
  ];

  function run(sample: 'contoso' | 'contoso-fixed', overlay: Overlay) {
    const model = buildModel(applyOverlay(loadSampleDoc(sample), overlay));
    return runAudit(model, { rules: declared, settings: {}, suppressions: [], now: TEST_NOW, files: {} });
  }

  it('covers rules that declare their evidence', () => {
    expect(declared.map((r) => [r.id, r.meta.declaresEvidence]).sort()).toEqual(
      [...MIGRATED].sort().map((id) => [id, true]),
    );
  });

  describe.each(['contoso', 'contoso-fixed'] as const)('%s', (sample) => {
    const known = run(sample, {});

    it.each(variants)('%s', (_name, overlay) => {
      const result = run(sample, overlay);
      // Without the service name the portal host is unknown: a missing callback is reported once, host-less.
      const claim = (f: Finding) =>
        `${f.ruleId} ${f.resource.id} ${f.message.replace(/https:\/\/(<[^>]+>|[^/\s]+)\//g, 'https://<host>/')}`;
      const before = new Set([...known.findings.map(claim), ...known.findings.map((f) => f.fingerprint)]);
      const added = result.findings
        .filter((f) => !before.has(claim(f)) && !before.has(f.fingerprint))
        .map((f) => f.message);
      expect(added).toEqual([]);
      const after = new Set(result.findings.map((f) => f.fingerprint));
      const silent = known.findings
        .filter((f) => !after.has(f.fingerprint))
        .filter((f) => !result.notEvaluated.some((n) => n.ruleId === f.ruleId))
        .map((f) => `${f.ruleId}: ${f.message}`);
      expect(silent).toEqual([]);
    });
  });
});

/**
 * Rules that say what their evidence may name (`meta.cites`) get evidence only when the model leaves something
 * they cite unknown. With only values they do not cite unknown, they run without it and report exactly what they
 * report when all is known; with a value they cite unknown, they run with it, and the value may only take findings
 * away, each leaving a not-evaluated record of the rule behind.
 */
describe('rules that declare what their evidence cites', () => {
  const citing = Object.values(builtinRules).filter((rule) => rule.meta.cites !== undefined);

  /** The rules, each recording whether the engine asked it for evidence. */
  function observed(): { rules: AnyRule[]; asked: Map<string, boolean | undefined> } {
    const asked = new Map<string, boolean | undefined>();
    const rules = citing.map((rule): AnyRule => ({
      ...rule,
      check: (model, context) => {
        asked.set(rule.id, context.evidence);
        return rule.check(model, context);
      },
    }));
    return { rules, asked };
  }

  function run(sample: 'contoso' | 'contoso-fixed', overlay: Overlay) {
    const { rules, asked } = observed();
    const model = buildModel(applyOverlay(loadSampleDoc(sample), overlay));
    const result = runAudit(model, { rules, settings: {}, suppressions: [], now: TEST_NOW, files: {} });
    return { result, asked };
  }

  const SAMPLE_NAMED_VALUES = loadSampleDoc().apim?.[0]?.['namedValues'] as Record<string, unknown>[];
  const tenantIdUnknown: Overlay = {
    service: {
      namedValues: SAMPLE_NAMED_VALUES.map((v) =>
        v['name'] === 'tenant-id'
          ? {
              name: 'tenant-id',
              properties: { displayName: 'tenant-id', secret: false },
              $unknown: { 'properties/value': 'a Key Vault secret' },
            }
          : v,
      ),
    },
  };

  it('are every built-in rule that declares evidence but five', () => {
    // client-redirect-uri-matches-portal (it cites the service name: the portal host) and api-oauth-enabled (the
    // service's server and provider lists, which an APIOps folder leaves unknown) would get evidence on most inputs
    // anyway; client-secret-expiry, client-api-permission and sources-consistent have few outputs. All five work their
    // evidence out whenever the model holds an unknown value.
    expect(
      Object.values(builtinRules)
        .filter((r) => r.meta.declaresEvidence && !r.meta.cites)
        .map((r) => r.id)
        .sort(),
    ).toEqual([
      'api-oauth-enabled',
      'client-api-permission',
      'client-redirect-uri-matches-portal',
      'client-secret-expiry',
      'sources-consistent',
    ]);
    expect(citing.filter((r) => !r.meta.declaresEvidence)).toEqual([]);
    expect(citing).toHaveLength(14);
  });

  const uncited: [string, Overlay][] = [
    ['the service name', unknownOn('service', 'name')],
    ['the service OpenID Connect providers (a collection)', unknownOn('service', 'openidConnectProviders')],
    [
      'the service host names',
      {
        service: {
          properties: { hostnameConfigurations: null },
          $unknown: { 'properties/hostnameConfigurations': 'unknown' },
        },
      },
    ],
  ];

  const cited: [string, Overlay][] = [
    ['the named value tenant-id', tenantIdUnknown],
    ['the API policy', { api: { policy: null, $unknown: { policy: 'unknown' } } }],
    [
      "the backend app's token version",
      {
        backendApp: {
          api: { requestedAccessTokenVersion: null },
          $unknown: { 'api/requestedAccessTokenVersion': 'unknown' },
        },
      },
    ],
    [
      "the server's default scope",
      {
        authorizationServer: {
          properties: { defaultScope: null },
          $unknown: { 'properties/defaultScope': 'unknown' },
        },
      },
    ],
  ];

  describe.each(['contoso', 'contoso-fixed'] as const)('%s', (sample) => {
    const known = run(sample, {});

    it('run without evidence when all is known', () => {
      expect([...known.asked.values()]).toEqual(citing.map(() => false));
    });

    it.each(uncited)(
      'run without evidence, and report the same, when only %s is unknown',
      (_name, overlay) => {
        const { result, asked } = run(sample, overlay);
        expect([...asked.values()]).toEqual(citing.map(() => false));
        expect(result.findings.map((f) => f.fingerprint)).toEqual(
          known.result.findings.map((f) => f.fingerprint),
        );
        expect(result.notEvaluated).toEqual(known.result.notEvaluated);
      },
    );

    it.each(cited)('run with evidence when %s is unknown, and pass nothing silently', (_name, overlay) => {
      const { result, asked } = run(sample, overlay);
      expect([...asked.values()]).toContain(true);
      const before = new Set(known.result.findings.map((f) => f.fingerprint));
      expect(result.findings.filter((f) => !before.has(f.fingerprint)).map((f) => f.message)).toEqual([]);
      const after = new Set(result.findings.map((f) => f.fingerprint));
      const silent = known.result.findings
        .filter((f) => !after.has(f.fingerprint))
        .filter((f) => !result.notEvaluated.some((n) => n.ruleId === f.ruleId))
        .map((f) => `${f.ruleId}: ${f.message}`);
      expect(silent).toEqual([]);
    });
  });
});
