/**
 * An authorization server used for signing users in offers the authorization code grant (with or without
 * PKCE), not the implicit or resource owner password grants, and accepts GET on its authorization endpoint.
 */
import { checked, defineRule, violation, type Violation, wantsEvidence } from './support/contract';
import { type Severity } from '../src/severity';
import { valuesOf } from './support/evidence';
import type { AuthServer } from '../src/model/types';
import { fit, fitList } from './support/message';

/** Grant type names compared case-insensitively (sources differ in casing). */
const AUTHORIZATION_CODE_GRANTS = ['authorizationcode', 'authorizationcodewithpkce'];

/** Grants that should not be enabled, with their natural severity and why they are discouraged (the detail). */
const DISCOURAGED_GRANTS: ReadonlyMap<string, { severity: Severity; why: string }> = new Map([
  [
    'resourceownerpassword',
    {
      severity: 'error',
      why:
        'With the resource owner password grant the user types the password into the portal, which bypasses MFA, ' +
        'Conditional Access and consent; accounts that need MFA fail with AADSTS50076 or AADSTS53003.',
    },
  ],
  [
    'implicit',
    {
      severity: 'warning',
      why:
        'With the implicit grant the access token is returned in the redirect URL, where browser history and logs ' +
        'can leak it (OAuth 2.0 Security Best Current Practice).',
    },
  ],
]);

const GRANTS = 'properties/grantTypes';

/** Whether the developer portal offers this server in its test console (`useInTestConsole` defaults to true). */
function usedByPortal(server: AuthServer): boolean {
  return server.props.useInTestConsole !== false;
}

function hasAuthorizationCode(grants: readonly string[]): boolean {
  return grants.some((g) => AUTHORIZATION_CODE_GRANTS.includes(g.toLowerCase()));
}

/** The server's grant list without the grant at `index`, with authorizationCode added when no code grant is left. */
function withoutGrant(server: AuthServer, index: number): string[] {
  const rest = server.grantTypes.filter((_, i) => i !== index);
  return hasAuthorizationCode(rest) ? rest : [...rest, 'authorizationCode'];
}

function* checkAuthorizationCode(server: AuthServer): Generator<Violation> {
  if (hasAuthorizationCode(server.grantTypes)) return;
  const actual = server.grantTypes.length > 0 ? fitList(server.grantTypes, 60) : 'none';
  yield violation(
    server,
    fit(
      (n) =>
        `Authorization server '${n(server.name)}' enables the grant types ${actual}; expected authorizationCode.`,
    ),
    {
      path: GRANTS,
      key: 'authorizationCode',
      detail:
        'Users sign in through the developer portal test console with the authorization code grant; without it the ' +
        'console cannot get a token for them and test calls fail with 401 (JWT not present).',
      fix: {
        text: 'Add authorizationCode to the grant types.',
        property: { path: GRANTS, value: [...server.grantTypes, 'authorizationCode'] },
      },
    },
  );
}

function* checkDiscouragedGrants(server: AuthServer): Generator<Violation> {
  for (const [index, grant] of server.grantTypes.entries()) {
    const path = `${GRANTS}/${index}`;
    const discouraged = DISCOURAGED_GRANTS.get(grant.toLowerCase());
    const remove = { path: GRANTS, value: withoutGrant(server, index) };
    if (discouraged) {
      yield violation(
        server,
        fit(
          (n) =>
            `Authorization server '${n(server.name)}' enables the ${grant} grant; expected authorizationCode instead.`,
        ),
        {
          path,
          key: grant,
          severity: discouraged.severity,
          detail: discouraged.why,
          fix: { text: `Remove the ${grant} grant and use authorizationCode.`, property: remove },
        },
      );
    } else if (grant.toLowerCase() === 'clientcredentials' && usedByPortal(server)) {
      yield violation(
        server,
        fit(
          (n) =>
            `Authorization server '${n(server.name)}' enables the clientCredentials grant in the developer portal test ` +
            'console; expected user grants only.',
        ),
        {
          path,
          key: grant,
          severity: 'note',
          evidence: valuesOf(server, 'properties/useInTestConsole'),
          detail:
            'The test console then calls APIs with an app-only token without user or scope (no scp claim), so a ' +
            "validate-jwt that requires a scope rejects it with 401 ('JWT token is missing the following claims').",
          fix: {
            text: 'Remove the clientCredentials grant unless app-only calls are intended.',
            property: remove,
          },
        },
      );
    }
  }
}

function* checkAuthorizationMethods(server: AuthServer): Generator<Violation> {
  const methods = server.props.authorizationMethods;
  // Absent: the property is optional in the ARM schema; only a list without GET is wrong.
  if (methods === undefined || methods.some((m) => m.toUpperCase() === 'GET')) return;
  const actual = methods.length > 0 ? fitList(methods, 60) : 'none';
  yield violation(
    server,
    fit(
      (n) =>
        `Authorization server '${n(server.name)}' allows the authorization methods ${actual}; expected GET among them.`,
    ),
    {
      path: 'properties/authorizationMethods',
      key: 'GET',
      detail:
        'The browser is redirected to the authorization endpoint with GET, so without it sign-in in the developer ' +
        'portal cannot start.',
      fix: {
        text: 'Add GET to the authorization methods.',
        property: { path: 'properties/authorizationMethods', value: ['GET', ...methods] },
      },
    },
  );
}

export default defineRule({
  id: 'auth-server-grant-types',
  meta: {
    title: 'Authorization servers use the authorization code grant',
    severity: 'error',
    tags: ['apim', 'authorization-server', 'security'],
    securitySeverity: 7.0,
    requires: ['apim'],
    declaresEvidence: true,
    cites: { authorizationServer: [''] },
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    for (const server of model.authorizationServers) {
      if (wanted)
        yield checked(
          server,
          valuesOf(
            server,
            'properties/grantTypes',
            'properties/authorizationMethods',
            'properties/useInTestConsole',
          ),
        );
      yield* checkAuthorizationCode(server);
      yield* checkDiscouragedGrants(server);
      yield* checkAuthorizationMethods(server);
    }
  },
});
