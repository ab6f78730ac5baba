import rule from '../../rules/implicit-grant-disabled';
import { BACKEND_APP_ID, onlyNotEvaluated, runnerFor, violations } from '../helpers/sample';

const ACCESS = 'web/implicitGrantSettings/enableAccessTokenIssuance';
const ID = 'web/implicitGrantSettings/enableIdTokenIssuance';
const SCOPE = `api://${BACKEND_APP_ID}/Colors.Read`;

const run = runnerFor(rule);

function implicitSettings(enableAccessTokenIssuance: boolean, enableIdTokenIssuance: boolean) {
  return { web: { implicitGrantSettings: { enableAccessTokenIssuance, enableIdTokenIssuance } } };
}

function server(grantTypes: string[], defaultScope = SCOPE) {
  return { properties: { grantTypes, defaultScope } };
}

describe('implicit-grant-disabled', () => {
  it('declares its metadata as a security rule', () => {
    expect(rule.id).toBe('implicit-grant-disabled');
    expect(rule.meta.severity).toBe('warning');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
    expect(rule.meta.requires).toEqual(['entra']);
  });

  describe('valid', () => {
    it('accepts the fixed sample', () => {
      expect(run({})).toEqual([]);
    });

    it('tolerates access-token issuance on the client app of an implicit server', () => {
      expect(
        run({ authorizationServer: server(['implicit']), clientApp: implicitSettings(true, false) }),
      ).toEqual([]);
    });

    it('reports no ID-token note when a server uses the implicit grant', () => {
      expect(
        run({ authorizationServer: server(['implicit']), clientApp: implicitSettings(true, true) }),
      ).toEqual([]);
    });

    it('accepts ID-token issuance for an implicit server that asks for openid', () => {
      const overlay = {
        authorizationServer: server(['implicit'], `openid ${SCOPE}`),
        clientApp: implicitSettings(false, true),
      };
      expect(run(overlay)).toEqual([]);
    });
  });

  describe('issuance that nothing needs', () => {
    it('warns about access-token issuance on the client app of an authorization-code server', () => {
      const found = violations(run({ clientApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe(ACCESS);
      expect(v?.severity).toBeUndefined();
      expect(v?.key).toBe('enableAccessTokenIssuance');
      expect(v?.message).toContain('enableAccessTokenIssuance on');
      expect(v?.message).toContain('no APIM authorization server uses this app with the implicit grant');
    });

    it('checks apps no authorization server references', () => {
      const found = violations(run({ backendApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.entity).toMatchObject({ kind: 'application', name: 'oauth-backend-app' });
    });

    it('reports ID-token issuance as a note', () => {
      const found = violations(run({ clientApp: implicitSettings(false, true) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('note');
      expect(found[0]?.path).toBe(ID);
      expect(found[0]?.message).toContain('hybrid');
    });

    it('reports both settings separately', () => {
      const found = violations(run({ clientApp: implicitSettings(true, true) }));
      expect(found.map((v) => v.key)).toEqual(['enableAccessTokenIssuance', 'enableIdTokenIssuance']);
    });

    it('still reports issuance without APIM data, saying so', () => {
      const found = violations(run({ snapshot: { apim: null }, clientApp: implicitSettings(true, false) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain('no APIM data was given');
    });
  });

  describe('issuance an implicit server needs', () => {
    it('reports access-token issuance off for an implicit server (AADSTS700051)', () => {
      const found = violations(run({ authorizationServer: server(['implicit']) }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity).toMatchObject({ kind: 'application', name: 'oauth-client-app' });
      expect(v?.path).toBe(ACCESS);
      expect(v?.severity).toBe('error');
      expect(v?.key).toBe('contoso-apim/colors-oauth');
      expect(v?.message).toContain(`Authorization server 'colors-oauth' uses the implicit grant`);
      expect(v?.message).toContain('AADSTS700051');
    });

    it('reports ID-token issuance off for an implicit server that asks for openid (AADSTS700054)', () => {
      const found = violations(
        run({
          authorizationServer: server(['authorizationCode', 'implicit'], `openid ${SCOPE}`),
          clientApp: implicitSettings(true, false),
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe(ID);
      expect(found[0]?.severity).toBe('error');
      expect(found[0]?.message).toContain('AADSTS700054');
    });
  });

  describe('not evaluated', () => {
    it('reports an implicit server whose client app is not in the data', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: {
            properties: { grantTypes: ['implicit'], clientId: '99999999-9999-4999-8999-999999999999' },
          },
        }),
      );
      expect(ne?.entity).toMatchObject({ kind: 'authorizationServer', name: 'colors-oauth' });
      expect(ne?.reason).toContain('99999999-9999-4999-8999-999999999999');
    });

    it('ignores servers without the implicit grant whose client app is unknown', () => {
      expect(
        run({ authorizationServer: { properties: { clientId: '99999999-9999-4999-8999-999999999999' } } }),
      ).toEqual([]);
    });
  });
});
