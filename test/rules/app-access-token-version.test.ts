import rule from '../../rules/app-access-token-version';
import {
  BACKEND_APP_ID,
  TENANT_ID,
  buildModel,
  loadSampleDoc,
  modelWithSecondServer,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  UNKNOWN_CLIENT,
  violations,
} from '../helpers/sample';

const run = runnerFor(rule);

describe('app-access-token-version', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  it('reports a backend app without requestedAccessTokenVersion (null means v1)', () => {
    const found = violations(run({ backendApp: { api: { requestedAccessTokenVersion: null } } }));
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('application');
    expect(v?.entity.name).toBe('oauth-backend-app');
    expect(v?.path).toBe('api/requestedAccessTokenVersion');
    expect(v?.severity).toBeUndefined();
    expect(rule.meta.severity).toBe('error');
    expect(v?.key).toBe('backend');
    expect(v?.message).toContain("authorization server 'colors-oauth'");
    expect(v?.message).toContain('unset (null, meaning 1)');
    expect(v?.message).toContain(`https://sts.windows.net/${TENANT_ID}/`);
    expect(v?.message).toContain(`audience api://${BACKEND_APP_ID}`);
    expect(v?.message).toMatch(/IDX10205.*IDX10214/);
  });

  it('reports a backend app that declares version 1', () => {
    const [v] = violations(run({ backendApp: { api: { requestedAccessTokenVersion: 1 } } }));
    expect(v?.message).toContain('declares api.requestedAccessTokenVersion 1');
  });

  it('names the tenant from the endpoints when the snapshot has no tenantId', () => {
    const [v] = violations(
      run({ snapshot: { tenantId: null }, backendApp: { api: { requestedAccessTokenVersion: null } } }),
    );
    expect(v?.message).toContain(`https://sts.windows.net/${TENANT_ID}/`);
  });

  it('names the v1 resource parameter as the audience when the backend is found through it', () => {
    const [v] = violations(
      run({
        backendApp: { api: { requestedAccessTokenVersion: null } },
        authorizationServer: {
          properties: {
            defaultScope: null,
            tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
          },
        },
      }),
    );
    expect(v?.message).toContain(`audience ${BACKEND_APP_ID} `);
  });

  it('warns about a client app that is not on version 2', () => {
    const found = violations(run({ clientApp: { api: { requestedAccessTokenVersion: null } } }));
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('application');
    expect(v?.entity.name).toBe('oauth-client-app');
    expect(v?.path).toBe('api/requestedAccessTokenVersion');
    expect(v?.severity).toBe('warning');
    expect(v?.key).toBe('client');
    expect(v?.message).toContain("only the backend app's value decides the access-token format");
  });

  it('reports an app used as client and backend once, as the backend', () => {
    const found = violations(
      run({
        backendApp: { api: { requestedAccessTokenVersion: null } },
        authorizationServer: { properties: { clientId: BACKEND_APP_ID } },
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.key).toBe('backend');
  });

  it('reports each app once when several authorization servers use it', () => {
    const model = modelWithSecondServer({
      backendApp: { api: { requestedAccessTokenVersion: null } },
      clientApp: { api: { requestedAccessTokenVersion: null } },
    });
    const found = violations(runRule(rule, model));
    expect(found.map((v) => `${v.entity.name}:${v.key}`).sort()).toEqual([
      'oauth-backend-app:backend',
      'oauth-client-app:client',
    ]);
    expect(found.find((v) => v.key === 'backend')?.message).toContain("'colors-oauth', 'colors-oauth-2'");
  });

  describe('signInAudience with personal Microsoft accounts', () => {
    it.each(['AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'])(
      'requires version 2 for %s (error, not the client warning)',
      (audience) => {
        const found = violations(
          run({ clientApp: { signInAudience: audience, api: { requestedAccessTokenVersion: null } } }),
        );
        expect(found).toHaveLength(1);
        const [v] = found;
        expect(v?.entity.name).toBe('oauth-client-app');
        expect(v?.key).toBe('signInAudience');
        expect(v?.severity).toBeUndefined();
        expect(v?.path).toBe('api/requestedAccessTokenVersion');
        expect(v?.message).toContain(`signInAudience ${audience}`);
        expect(v?.message).toContain('Entra requires api.requestedAccessTokenVersion 2');
      },
    );

    it('accepts personal-account audiences with version 2', () => {
      expect(run({ clientApp: { signInAudience: 'AzureADandPersonalMicrosoftAccount' } })).toEqual([]);
    });

    it('checks apps that no authorization server uses', () => {
      const doc = loadSampleDoc();
      doc.applications?.push({
        id: '11111111-2222-4333-8444-555555555555',
        appId: '99999999-8888-4777-8666-555555555555',
        displayName: 'consumer-app',
        signInAudience: 'PersonalMicrosoftAccount',
      });
      const found = violations(runRule(rule, buildModel(doc)));
      expect(found).toHaveLength(1);
      expect(found[0]?.entity.name).toBe('consumer-app');
      expect(found[0]?.key).toBe('signInAudience');
    });
  });

  describe('not evaluated', () => {
    it('when the default scope names no known app', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: { properties: { defaultScope: 'api://unknown-api/Colors.Read' } },
        }),
      );
      expect(ne?.entity?.kind).toBe('authorizationServer');
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain('no identifiable backend app registration');
    });

    it('when the clientId names no known app', () => {
      const ne = onlyNotEvaluated(run(UNKNOWN_CLIENT));
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain("clientId '00000000-0000-4000-8000-000000000000'");
    });
  });
});
