/**
 * An authorization server used for signing users in offers the authorization code grant (with or without
 * PKCE), not the implicit or resource owner password grants, and accepts GET on its authorization endpoint.
 */
import { checked, defineRule, violation, type Violation } from './support/contract';
import { type Severity } from '../src/severity';
import { valuesOf } from './support/evidence';
import type { AuthServer } from '../src/model/types';

/** Grant type names compared case-insensitively (sources differ in casing). */
const AUTHORIZATION_CODE_GRANTS = ['authorizationcode', 'authorizationcodewithpkce'];

/** Grants that should not be enabled, with their natural severity and the reason given in the message. */
const DISCOURAGED_GRANTS: ReadonlyMap<string, { severity: Severity; why: string }> = new Map([
  [
    'resourceownerpassword',
    {
      severity: 'error',
      why: 'the user types the password into the portal, which bypasses MFA, Conditional Access and consent',
    },
  ],
  [
    'implicit',
    {
      severity: 'warning',
      why: 'the access token is returned in the redirect URL, where browser history and logs can leak it',
    },
  ],
]);

/** Whether the developer portal offers this server in its test console (`useInTestConsole` defaults to true). */
function usedByPortal(server: AuthServer): boolean {
  return server.props.useInTestConsole !== false;
}

function* checkAuthorizationCode(server: AuthServer): Generator<Violation> {
  if (server.grantTypes.some((g) => AUTHORIZATION_CODE_GRANTS.includes(g.toLowerCase()))) return;
  const actual = server.grantTypes.length > 0 ? server.grantTypes.join(', ') : 'none';
  yield violation(
    server,
    `Authorization server '${server.name}' enables the grant types ${actual}; enable authorizationCode so that users sign in through the developer portal.`,
    { path: 'properties/grantTypes', key: 'authorizationCode' },
  );
}

function* checkDiscouragedGrants(server: AuthServer): Generator<Violation> {
  for (const [index, grant] of server.grantTypes.entries()) {
    const path = `properties/grantTypes/${index}`;
    const discouraged = DISCOURAGED_GRANTS.get(grant.toLowerCase());
    if (discouraged) {
      yield violation(
        server,
        `Authorization server '${server.name}' enables the ${grant} grant: ${discouraged.why}; remove it and use authorizationCode.`,
        { path, key: grant, severity: discouraged.severity },
      );
    } else if (grant.toLowerCase() === 'clientcredentials' && usedByPortal(server)) {
      yield violation(
        server,
        `Authorization server '${server.name}' enables the clientCredentials grant in the developer portal test console, which then calls APIs with an app-only token without user or scope; remove it unless app-only calls are intended.`,
        { path, key: grant, severity: 'note', evidence: valuesOf(server, 'properties/useInTestConsole') },
      );
    }
  }
}

function* checkAuthorizationMethods(server: AuthServer): Generator<Violation> {
  const methods = server.props.authorizationMethods;
  // Absent: the property is optional in the ARM schema; only a list without GET is wrong.
  if (methods === undefined || methods.some((m) => m.toUpperCase() === 'GET')) return;
  const actual = methods.length > 0 ? methods.join(', ') : 'none';
  yield violation(
    server,
    `Authorization server '${server.name}' allows the authorization methods ${actual}; GET must always be present, because the browser is redirected to the authorization endpoint with GET.`,
    { path: 'properties/authorizationMethods', key: 'GET' },
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
  },
  *check(model) {
    for (const server of model.authorizationServers) {
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
