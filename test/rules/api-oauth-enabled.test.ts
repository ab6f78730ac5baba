import rule from '../../rules/api-oauth-enabled';
import { newAjv } from '../../src/json/schema';
import {
  applyOverlay,
  buildModel,
  loadSampleDoc,
  runRule,
  runnerFor,
  violations,
  type Overlay,
} from '../helpers/sample';

const run = runnerFor(rule);

const NO_AUTH: Overlay = { api: { properties: { authenticationSettings: null } } };

/** The fixed sample with a second API (a copy of colors-api) patched by `patch`. */
function withSecondApi(patch: Record<string, unknown>, overlay: Overlay = {}) {
  const doc = applyOverlay(loadSampleDoc(), overlay);
  const service = doc.apim?.[0] as { apis: Record<string, unknown>[] };
  const copy = structuredClone(service.apis[0]!);
  delete copy['id'];
  service.apis.push({ ...copy, ...patch });
  return buildModel(doc);
}

describe('api-oauth-enabled', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  describe('no user authorization', () => {
    it.each([
      ['authenticationSettings removed', NO_AUTH],
      [
        'authenticationSettings empty',
        {
          api: {
            properties: { authenticationSettings: { oAuth2: null, oAuth2AuthenticationSettings: null } },
          },
        },
      ],
    ])('reports the API when %s', (_name, overlay) => {
      const found = violations(run(overlay));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.kind).toBe('api');
      expect(v?.entity.name).toBe('colors-api');
      expect(v?.path).toBe('properties/authenticationSettings');
      expect(v?.severity).toBeUndefined();
      expect(rule.meta.severity).toBe('error');
      expect(v?.message).toContain(
        "API 'colors-api' (revision 1) has no OAuth 2.0 or OpenID Connect user authorization",
      );
      expect(v?.message).toContain("(e.g. 'colors-oauth')");
    });

    it('does not check non-current revisions', () => {
      expect(run({ api: { properties: { isCurrent: false, authenticationSettings: null } } })).toEqual([]);
    });

    it('checks a current API that omits isCurrent', () => {
      expect(
        violations(run({ api: { properties: { isCurrent: null, authenticationSettings: null } } })),
      ).toHaveLength(1);
    });
  });

  describe('exclude option', () => {
    it.each([['colors-api'], ['colors-*'], ['COLORS-API'], ['*']])('skips APIs matching %s', (pattern) => {
      expect(run(NO_AUTH, { exclude: [pattern] })).toEqual([]);
    });

    it.each([['health-*'], ['colors.api'], ['colors'], ['colors-ap']])(
      'still checks APIs not matching %s',
      (pattern) => {
        expect(violations(run(NO_AUTH, { exclude: [pattern] }))).toHaveLength(1);
      },
    );

    it('only skips the matching API', () => {
      const found = violations(
        runRule(
          rule,
          withSecondApi(
            { name: 'health-api', properties: { displayName: 'Health', path: 'health' } },
            NO_AUTH,
          ),
          {
            exclude: ['health-*'],
          },
        ),
      );
      expect(found.map((v) => v.entity.name)).toEqual(['colors-api']);
    });

    it('has a schema that accepts names and rejects anything else', () => {
      const validate = newAjv().compile(rule.options!.schema);
      expect(validate(rule.options!.defaults)).toBe(true);
      expect(validate({ exclude: ['health-*'] })).toBe(true);
      expect(validate({ exclude: [1] })).toBe(false);
      expect(validate({ exclude: [''] })).toBe(false);
      expect(validate({ excludes: ['x'] })).toBe(false);
    });
  });

  describe('references to missing servers', () => {
    it('reports an authorization server that does not exist', () => {
      const found = violations(
        run({
          api: {
            properties: {
              authenticationSettings: {
                oAuth2: { authorizationServerId: 'entra-auth' },
                oAuth2AuthenticationSettings: [{ authorizationServerId: 'entra-auth' }],
              },
            },
          },
        }),
      );
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.name).toBe('colors-api');
      expect(v?.path).toBe('properties/authenticationSettings/oAuth2/authorizationServerId');
      expect(v?.key).toBe('oauth2:entra-auth');
      expect(v?.message).toContain("references authorization server 'entra-auth', which does not exist");
      expect(v?.message).toContain("service 'contoso-apim' (existing: 'colors-oauth')");
    });

    it('reports a missing server in the array form next to an existing one', () => {
      const found = violations(
        run({
          api: {
            properties: {
              authenticationSettings: {
                oAuth2AuthenticationSettings: [
                  { authorizationServerId: 'colors-oauth' },
                  { authorizationServerId: 'old-oauth' },
                ],
              },
            },
          },
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe(
        'properties/authenticationSettings/oAuth2AuthenticationSettings/1/authorizationServerId',
      );
      expect(found[0]?.key).toBe('oauth2:old-oauth');
    });

    it('reports an OpenID Connect provider that does not exist', () => {
      const found = violations(
        run({
          api: {
            properties: {
              authenticationSettings: {
                oAuth2: null,
                oAuth2AuthenticationSettings: null,
                openid: { openidProviderId: 'entra-oidc' },
              },
            },
          },
        }),
      );
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.path).toBe('properties/authenticationSettings/openid/openidProviderId');
      expect(v?.key).toBe('openid:entra-oidc');
      expect(v?.message).toContain("references OpenID Connect provider 'entra-oidc', which does not exist");
      expect(v?.message).toContain('(none exist)');
    });
  });

  describe('useInTestConsole', () => {
    it('notes an authorization server hidden from the test console, on the server', () => {
      const found = violations(run({ authorizationServer: { properties: { useInTestConsole: false } } }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.kind).toBe('authorizationServer');
      expect(v?.entity.name).toBe('colors-oauth');
      expect(v?.path).toBe('properties/useInTestConsole');
      expect(v?.severity).toBe('note');
      expect(v?.message).toContain("configured on API 'colors-api' but has useInTestConsole false");
    });

    it('reports the server once for several APIs', () => {
      const model = withSecondApi(
        {
          name: 'colors-v2-api',
          properties: {
            displayName: 'Colors v2',
            path: 'colors/v2',
            authenticationSettings: { oAuth2: { authorizationServerId: 'colors-oauth' } },
          },
        },
        { authorizationServer: { properties: { useInTestConsole: false } } },
      );
      const found = violations(runRule(rule, model));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("API 'colors-api', API 'colors-v2-api'");
    });

    it('ignores servers of excluded APIs', () => {
      expect(
        run(
          { authorizationServer: { properties: { useInTestConsole: false } } },
          { exclude: ['colors-api'] },
        ),
      ).toEqual([]);
    });
  });
});
