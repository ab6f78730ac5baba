/**
 * Evidence-based abstention (issue 9 §2): a conclusion is not evaluated exactly when the evidence it declares
 * touches a value the sources could not determine; rules without declared evidence keep the conservative fallback.
 */
import { runAudit } from '../../src/engine/run';
import {
  checked,
  defineRule,
  violation,
  type AnyRule,
  type Evidence,
  type RuleMeta,
} from '../../src/engine/types';
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
        resource: expect.objectContaining({ kind: 'application', name: 'oauth-client-app' }),
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
        resource: expect.objectContaining({ kind: 'application', name: 'oauth-client-app' }),
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
    expect(audit(passingRule(false), overlay).notEvaluated.map((n) => n.resource?.name)).toEqual([
      'oauth-backend-app',
    ]);
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
