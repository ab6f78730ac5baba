import rule from '../../rules/auth-server-grant-types';
import { onlyViolation, runnerFor, violations, type Overlay } from '../helpers/sample';

function server(properties: Record<string, unknown>): Overlay {
  return { authorizationServer: { properties } };
}

const run = runnerFor(rule);
const only = (overlay: Overlay) => onlyViolation(run(overlay));

describe('auth-server-grant-types', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['apim']);
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
  });

  it.each([
    ['authorization code with PKCE', { grantTypes: ['authorizationCodeWithPkce'] }],
    ['both code grants', { grantTypes: ['authorizationCode', 'authorizationCodeWithPkce'] }],
    ['different casing', { grantTypes: ['AuthorizationCode'], authorizationMethods: ['get'] }],
    ['GET only', { authorizationMethods: ['GET'] }],
    ['no authorizationMethods list', { authorizationMethods: null }],
    [
      'client credentials outside the test console',
      { grantTypes: ['authorizationCode', 'clientCredentials'], useInTestConsole: false },
    ],
  ])('accepts %s', (_name, properties) => {
    expect(run(server(properties))).toEqual([]);
  });

  it('reports a server without the authorization code grant', () => {
    const v = only(server({ grantTypes: [] }));
    expect(v.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
    expect(v.path).toBe('properties/grantTypes');
    expect(v.key).toBe('authorizationCode');
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe(
      "Authorization server 'colors-oauth' enables the grant types none; enable authorizationCode so that users sign in through the developer portal.",
    );
  });

  it('reports a misspelled authorization code grant', () => {
    expect(only(server({ grantTypes: ['authorization_code'] })).message).toContain(
      'enables the grant types authorization_code;',
    );
  });

  it('reports the implicit grant as a warning', () => {
    const v = only(server({ grantTypes: ['authorizationCode', 'implicit'] }));
    expect(v.path).toBe('properties/grantTypes/1');
    expect(v.key).toBe('implicit');
    expect(v.severity).toBe('warning');
    expect(v.message).toContain(
      'enables the implicit grant: the access token is returned in the redirect URL',
    );
  });

  it('reports the resource owner password grant as an error', () => {
    const v = only(server({ grantTypes: ['resourceOwnerPassword', 'authorizationCode'] }));
    expect(v.path).toBe('properties/grantTypes/0');
    expect(v.key).toBe('resourceOwnerPassword');
    expect(v.severity).toBe('error');
    expect(v.message).toContain('bypasses MFA');
  });

  it('reports client credentials in the test console as a note', () => {
    const v = only(server({ grantTypes: ['authorizationCode', 'clientCredentials'] }));
    expect(v.path).toBe('properties/grantTypes/1');
    expect(v.key).toBe('clientCredentials');
    expect(v.severity).toBe('note');
    expect(v.message).toContain('app-only token');
  });

  it('reports every problem of a server with only discouraged grants', () => {
    const found = violations(
      run(server({ grantTypes: ['implicit', 'resourceOwnerPassword', 'clientCredentials'] })),
    );
    expect(found.map((v) => [v.key, v.severity])).toEqual([
      ['authorizationCode', undefined],
      ['implicit', 'warning'],
      ['resourceOwnerPassword', 'error'],
      ['clientCredentials', 'note'],
    ]);
  });

  it.each([
    [['POST'], 'POST'],
    [[], 'none'],
  ])('reports authorization methods %j without GET', (methods, shown) => {
    const v = only(server({ authorizationMethods: methods }));
    expect(v.path).toBe('properties/authorizationMethods');
    expect(v.key).toBe('GET');
    expect(v.message).toContain(`allows the authorization methods ${shown}; GET must always be present`);
  });
});
