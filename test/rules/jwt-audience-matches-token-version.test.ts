import rule from '../../rules/jwt-audience-matches-token-version';
import { BACKEND_APP_ID, notEvaluatedOutputs, violations, type Overlay } from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
  SAMPLE_OPENID_CONFIG,
  SAMPLE_SCOPE_CLAIM,
  withGlobalValidateJwt,
} from '../helpers/policies';

const URI = `api://${BACKEND_APP_ID}`;

function globalJwt(body: string, extra: Record<string, unknown> = {}): Overlay {
  return withGlobalValidateJwt(`${SAMPLE_OPENID_CONFIG}${body}${SAMPLE_SCOPE_CLAIM}`, '', extra);
}

const audiences = (...values: string[]) =>
  `<audiences>${values.map((v) => `<audience>${v}</audience>`).join('')}</audiences>`;

const run = loadedRunnerFor(rule);

describe('jwt-audience-matches-token-version', () => {
  it('accepts the fixed sample (v2.0 tokens, appId audience)', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports an App ID URI audience for v2.0 tokens, at the <audience>', () => {
    const { outputs, inventory, text } = run(globalJwt(audiences(URI)));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('apimService');
    expect(v?.key).toBe(`audience#0:aud:${BACKEND_APP_ID}`);
    expect(v?.message).toBe(
      `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') accepts audiences '${URI}', ` +
        `but backend app 'oauth-backend-app' issues v2.0 access tokens (api.requestedAccessTokenVersion 2), whose aud ` +
        `is always its appId '${BACKEND_APP_ID}'; tokens with aud '${BACKEND_APP_ID}' fail with IDX10214 (audience ` +
        `validation failed); add <audience>${BACKEND_APP_ID}</audience>.`,
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<audience>'));
  });

  it('compares GUIDs without regard to case', () => {
    expect(run(globalJwt(audiences(BACKEND_APP_ID.toUpperCase()))).outputs).toEqual([]);
  });

  it('reports a GUID-only audience for v1.0 tokens requested with the App ID URI', () => {
    const { outputs } = run({ backendApp: { api: { requestedAccessTokenVersion: null } } });
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.message).toContain(
      "backend app 'oauth-backend-app' issues v1.0 access tokens (api.requestedAccessTokenVersion null), whose aud is " +
        `the identifier the client requested: '${URI}' (default scope '${URI}/Colors.Read' of 'colors-oauth')`,
    );
    expect(v?.message).toContain(`tokens with aud '${URI}' fail with IDX10214`);
    expect(v?.message).toContain('or better set api.requestedAccessTokenVersion to 2 on the backend app');
  });

  it('requires both identifiers when the server mixes v2.0 and v1.0 endpoints (the broken sample)', () => {
    const { outputs } = run({
      backendApp: { api: { requestedAccessTokenVersion: null } },
      authorizationServer: {
        properties: {
          tokenEndpoint:
            'https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/oauth2/token',
          tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
        },
      },
    });
    expect(violations(outputs)[0]?.message).toContain(
      `'${URI}' (default scope '${URI}/Colors.Read' of 'colors-oauth'), '${BACKEND_APP_ID}' (resource parameter of 'colors-oauth')`,
    );
    expect(
      run({
        ...globalJwt(audiences(URI, BACKEND_APP_ID)),
        backendApp: { api: { requestedAccessTokenVersion: null } },
      }).outputs,
    ).toEqual([]);
  });

  it('takes the scope override of the API into account for v1.0 tokens', () => {
    /** v1.0 tokens, and an API that asks for a scope of a second App ID URI instead of the server's default. */
    const scopeOverride: Overlay = {
      backendApp: {
        api: { requestedAccessTokenVersion: 1 },
        identifierUris: [URI, 'https://contoso.com/colors'],
      },
      api: {
        properties: {
          authenticationSettings: {
            oAuth2: null,
            oAuth2AuthenticationSettings: [
              { authorizationServerId: 'colors-oauth', scope: 'https://contoso.com/colors/Colors.Read' },
            ],
          },
        },
      },
    };
    const { outputs } = run({ ...globalJwt(audiences('https://contoso.com/colors')), ...scopeOverride });
    expect(outputs).toEqual([]);
    const [v] = violations(run(scopeOverride).outputs);
    expect(v?.message).toContain(
      "'https://contoso.com/colors' (scope override of API 'colors-api' 'https://contoso.com/colors/Colors.Read' of 'colors-oauth')",
    );
  });

  it('reports a validation that checks no audience at all', () => {
    const { outputs } = run(globalJwt(''));
    const [v] = violations(outputs);
    expect(v?.message).toContain(
      'checks no audience, so it accepts a token issued by the same issuer for any other API',
    );
    expect(v?.key).toBe('validate-jwt#0:no-audience');
  });

  it('checks an aud required claim like the audiences', () => {
    const { outputs } = run(
      globalJwt(
        `${audiences(BACKEND_APP_ID)}<required-claims><claim name="aud"><value>${URI}</value></claim></required-claims>`,
      ),
    );
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain(`accepts aud claim values '${URI}'`);
  });

  describe('validate-azure-ad-token', () => {
    it('reports backend-application-ids and audiences that are not the backend app (fixture validate-azure-ad-token)', () => {
      const policy = fixturePolicy('validate-azure-ad-token.xml');
      const { outputs } = run({ service: { policy: rawxml(policy) } });
      const messages = violations(outputs).map((v) => v.message);
      expect(messages).toHaveLength(3);
      expect(messages[0]).toContain("accepts audiences 'https://api.example.com'");
      expect(messages[1]).toContain("accepts aud claim values 'https://api.example.com'");
      expect(messages[2]).toContain(
        `accepts backend-application-ids 'backend-app-id-1', but the backend app 'oauth-backend-app' has appId '${BACKEND_APP_ID}'`,
      );
    });

    it('accepts the backend appId in backend-application-ids', () => {
      const { outputs } = run({
        service: {
          policy: rawxml(
            policyXml({
              inbound:
                '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids>' +
                `<backend-application-ids><application-id>${BACKEND_APP_ID}</application-id></backend-application-ids></validate-azure-ad-token>`,
            }),
          ),
        },
      });
      expect(outputs).toEqual([]);
    });
  });

  describe('named values', () => {
    it('substitutes a known named value', () => {
      const { outputs } = run(
        globalJwt(audiences('{{backend-app-id}}'), {
          namedValues: [
            { name: 'backend-app-id', properties: { displayName: 'backend-app-id', value: BACKEND_APP_ID } },
          ],
        }),
      );
      expect(outputs).toEqual([]);
    });

    it('reports a secret audience as not evaluated', () => {
      const { outputs } = run(globalJwt(audiences('{{colors-backend-key}}')));
      expect(violations(outputs)).toEqual([]);
      expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
        'takes audiences from named value {{colors-backend-key}} (secret), which is not known offline',
      );
    });
  });

  it('reports a server whose backend app is not in the data as not evaluated', () => {
    const { outputs } = run({
      authorizationServer: { properties: { defaultScope: 'api://someone-else/Colors.Read' } },
    });
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-oauth');
    expect(n?.reason).toContain(
      "The backend app registration behind authorization server 'colors-oauth' is not in the data",
    );
  });

  it('reports a fragment that is missing as not evaluated', () => {
    const { outputs } = run({
      api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment fragment-id="jwt" />' })) },
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toBe(
      "Token audiences in this policy are not checked: the API policy of 'colors-api' includes policy fragment 'jwt', which is not in the data; see policy-parse-error.",
    );
  });
});
