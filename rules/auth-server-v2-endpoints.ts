/**
 * An APIM authorization server that signs in with Microsoft Entra ID uses the v2 authorize and token endpoints,
 * over https, on one Entra login host and one tenant, without the v1 `resource` body parameter.
 */
import type { CloudName } from '../src/entra/clouds';
import {
  checked,
  defineRule,
  notEvaluated,
  violation,
  type FixHint,
  type RuleOutput,
  wantsEvidence,
} from './support/contract';
import { checkResourceParameter } from './support/resource-parameter';
import { afterTenant, clip, fit } from './support/message';
import { MULTI_TENANT_SEGMENTS, isEntraLoginHost, isGuid } from '../src/entra/endpoints';
import { backendLinkOf, clientLinkOf, valuesOf } from './support/evidence';
import { foreignLoginHosts } from './support/queries';
import type { App, AuthServer, Evidence, Model } from '../src/model/types';
import type { EndpointInfo } from '../src/entra/endpoints';
import { unknownAt } from '../src/model/unknown';

type EndpointKind = 'authorize' | 'token';

interface Endpoint {
  kind: EndpointKind;
  prop: 'authorizationEndpoint' | 'tokenEndpoint';
  label: string;
  info: EndpointInfo | undefined;
}

/** An endpoint that parsed as a URL on an Entra login host. */
type EntraEndpoint = Endpoint & { info: EndpointInfo & { url: URL } };

const LOGIN_HOST_BY_CLOUD: Readonly<Record<CloudName, string>> = {
  AzurePublic: 'login.microsoftonline.com',
  AzureUSGovernment: 'login.microsoftonline.us',
  AzureChina: 'login.partner.microsoftonline.cn',
  Custom: 'login.microsoftonline.com',
};

const ENDPOINT_PATHS = ['properties/authorizationEndpoint', 'properties/tokenEndpoint'];

/** What a server judged clean rests on: its endpoints and body parameters, and the apps' audience when multi-tenant. */
function checkedEvidence(server: AuthServer, endpoints: Endpoint[]): Evidence[] {
  const evidence = valuesOf(server, ...ENDPOINT_PATHS, 'properties/tokenBodyParameters');
  if (!endpoints.some((e) => isMultiTenant(e.info?.tenant))) return evidence;
  const apps = [server.clientApp, server.backendApp].filter((a): a is App => a !== undefined);
  return [
    ...evidence,
    ...valuesOf(server, 'properties/clientId', 'properties/defaultScope'),
    ...apps.flatMap((app) => valuesOf(app, 'signInAudience')),
  ];
}

function endpointsOf(server: AuthServer): [Endpoint, Endpoint] {
  return [
    {
      kind: 'authorize',
      prop: 'authorizationEndpoint',
      label: 'authorization endpoint',
      info: server.authorizationEndpoint,
    },
    { kind: 'token', prop: 'tokenEndpoint', label: 'token endpoint', info: server.tokenEndpoint },
  ];
}

function isEntraEndpoint(e: Endpoint): e is EntraEndpoint {
  return e.info?.url !== undefined && isEntraLoginHost(e.info.url.hostname);
}

/** `https://<entra host>/<tenant>`, taken from the server's own Entra endpoints when it has one. */
function authorityOf(endpoints: Endpoint[], model: Model): string {
  const entra = endpoints.find(isEntraEndpoint);
  const host = entra?.info.url.host ?? LOGIN_HOST_BY_CLOUD[model.cloud];
  const named = endpoints.map((e) => e.info?.tenant).find((t) => t && !isMultiTenant(t));
  const tenant = model.tenantId ?? named ?? '<tenant-id>';
  return `https://${host}/${tenant}`;
}

function isMultiTenant(tenant: string | undefined): boolean {
  return (MULTI_TENANT_SEGMENTS as readonly string[]).includes(tenant?.toLowerCase() ?? '');
}

function hasResourceParameter(server: AuthServer): boolean {
  return (server.props.tokenBodyParameters ?? []).some((p) => p.name.toLowerCase() === 'resource');
}

function lastSegment(url: URL): string {
  return url.pathname.toLowerCase().replace(/\/+$/, '').split('/').pop() ?? '';
}

/** A fix that sets the endpoint to `value`, or says so in words only when `value` still holds a placeholder. */
function setEndpoint(e: Endpoint, value: string, text = `Set the ${e.label} to ${value}.`): FixHint {
  return value.includes('<') ? { text } : { text, property: { path: `properties/${e.prop}`, value } };
}

/** The endpoint URL with its tenant segment (the first path segment) replaced by `tenant`. */
function withTenant(url: URL, tenant: string): string {
  const copy = new URL(url.href);
  const segments = copy.pathname.split('/');
  segments[1] = tenant;
  copy.pathname = segments.join('/');
  return copy.href;
}

const V2_DETAIL = {
  authorize:
    'The developer portal sends the browser to the authorization endpoint to sign in; without a v2 Entra endpoint ' +
    'there the sign-in in the test console fails before a code is issued.',
  token:
    'APIM redeems the authorization code at the token endpoint; without a v2 Entra endpoint there the code ' +
    'cannot be redeemed and the test console gets no token.',
};

function* checkEndpoint(server: AuthServer, e: Endpoint, authority: string): Generator<RuleOutput> {
  const subject = (n: (value: string) => string) => `Authorization server '${n(server.name)}'`;
  const expected = `${authority}/oauth2/v2.0/${e.kind}`;
  const short = afterTenant(expected);
  const at = (suffix: string, detail: string, fix: FixHint) => ({
    path: `properties/${e.prop}`,
    key: `${e.prop}/${suffix}`,
    detail,
    fix,
  });
  const { info } = e;
  if (!info) {
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} has no ${e.label}; expected ${expected}.`,
        `${subject(n)} has no ${e.label}; expected ${short}.`,
      ]),
      at('missing', V2_DETAIL[e.kind], setEndpoint(e, expected)),
    );
    return;
  }
  if (!info.url) {
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} has the ${e.label} '${info.raw}', which is not a URL; expected ${expected}.`,
        `${subject(n)} has the ${e.label} '${clip(info.raw, 60)}', which is not a URL; expected ${short}.`,
      ]),
      at('invalid', V2_DETAIL[e.kind], setEndpoint(e, expected)),
    );
    return;
  }
  if (!isEntraLoginHost(info.url.hostname)) {
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} has the ${e.label} ${info.raw}, not on a Microsoft Entra login host; expected ${expected}.`,
        `${subject(n)} has the ${e.label} ${clip(info.raw, 80)}, not on a Microsoft Entra login host; expected ${short}.`,
      ]),
      at(
        'host',
        `${V2_DETAIL[e.kind]} The other endpoint is on Entra ID, and a code is redeemed only where it was issued.`,
        setEndpoint(e, expected),
      ),
    );
    return;
  }
  if (info.url.protocol !== 'https:') {
    const https = info.raw.trim().replace(/^[a-z][a-z0-9+.-]*:/i, 'https:');
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} uses the ${e.label} ${info.raw} without https; expected ${https}.`,
        `${subject(n)} uses the ${e.label} ${clip(info.raw, 100)} without https; expected https.`,
      ]),
      at(
        'https',
        'Entra ID serves its endpoints over https only, so the sign-in or the code redemption fails.',
        setEndpoint(e, https),
      ),
    );
  }
  if (info.version === 'v1') {
    const v2 = `https://${info.url.host}/${info.tenant ?? '<tenant-id>'}/oauth2/v2.0/${e.kind}`;
    // Said only when the body parameters are known: the finding itself does not rest on them.
    const missingResource =
      hasResourceParameter(server) || unknownAt(server, 'properties/tokenBodyParameters')
        ? ''
        : ' Without a resource token body parameter the v1 endpoints fail at once with AADSTS500013 (Resource ' +
          'identifier is not provided).';
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} uses the v1 ${e.label} ${info.raw}; expected ${v2}.`,
        `${subject(n)} uses the v1 ${e.label} ${info.raw}; expected ${afterTenant(v2)}.`,
        `${subject(n)} uses the v1 ${e.label} ${clip(info.raw, 90)}; expected ${afterTenant(v2)}.`,
      ]),
      at(
        'v1',
        'v1 endpoints name the API in a resource parameter and ignore the scopes, and tokens requested there ' +
          'follow v1 instructions that do not match a v2 setup (validate-jwt then fails with IDX10205 or ' +
          `IDX10214).${missingResource}`,
        setEndpoint(
          e,
          v2,
          `Set the ${e.label} to ${v2}, and name the API in the default scope (api://<backend-appId>/<scope>) ` +
            'instead of a resource parameter.',
        ),
      ),
    );
    return;
  }
  if (info.version !== 'v2' || !info.tenant || lastSegment(info.url) !== e.kind) {
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} has the ${e.label} ${info.raw}, not an Entra v2 ${e.kind} endpoint; expected ${expected}.`,
        `${subject(n)} has the ${e.label} ${clip(info.raw, 90)}, not an Entra v2 ${e.kind} endpoint; expected ${short}.`,
      ]),
      at('shape', V2_DETAIL[e.kind], setEndpoint(e, expected)),
    );
  }
}

/** Both endpoints must name the same host and tenant: a code is redeemed where it was issued. */
function* checkConsistency(
  server: AuthServer,
  auth: EntraEndpoint,
  token: EntraEndpoint,
  model: Model,
): Generator<RuleOutput> {
  const subject = (n: (value: string) => string) => `Authorization server '${n(server.name)}'`;
  const authHost = auth.info.url.host.toLowerCase();
  const tokenHost = token.info.url.host.toLowerCase();
  const redeemed =
    'A code is redeemed only where it was issued: the token endpoint rejects the code issued by the ' +
    'authorization endpoint (invalid_grant), or does not know the client app (AADSTS700016).';
  // Which of the two the user meant is not known: the fix is described, not applied.
  if (authHost !== tokenHost) {
    yield violation(
      server,
      fit(
        (n) =>
          `${subject(n)} has its token endpoint on ${tokenHost} but its authorization endpoint on ${authHost}; expected one host.`,
      ),
      {
        path: 'properties/tokenEndpoint',
        key: 'tokenEndpoint/host-mismatch',
        evidence: valuesOf(server, 'properties/authorizationEndpoint'),
        detail: redeemed,
        fix: { text: 'Use the same Entra login host (the cloud of the tenant) in both endpoints.' },
      },
    );
  }
  const authTenant = auth.info.tenant;
  const tokenTenant = token.info.tenant;
  // Two GUIDs that differ: at least one differs from a known tenant ID, which checkTenant reports.
  const reportedByTenantCheck = isGuid(model.tenantId) && isGuid(authTenant) && isGuid(tokenTenant);
  if (
    authTenant &&
    tokenTenant &&
    authTenant.toLowerCase() !== tokenTenant.toLowerCase() &&
    !reportedByTenantCheck
  ) {
    yield violation(
      server,
      fit((n) => [
        `${subject(n)} names tenant '${tokenTenant}' in its token endpoint but '${authTenant}' in its authorization endpoint; expected one tenant.`,
        `${subject(n)} names tenant '${clip(tokenTenant, 50)}' in its token endpoint but '${clip(authTenant, 50)}' in its authorization endpoint; expected one tenant.`,
      ]),
      {
        path: 'properties/tokenEndpoint',
        key: 'tokenEndpoint/tenant-mismatch',
        evidence: valuesOf(server, 'properties/authorizationEndpoint'),
        detail: redeemed,
        fix: { text: 'Use the tenant that holds the app registrations in both endpoints.' },
      },
    );
  }
}

function* checkTenant(server: AuthServer, endpoints: EntraEndpoint[], model: Model): Generator<RuleOutput> {
  const tenantId = model.tenantId;
  if (!isGuid(tenantId) || tenantId === undefined) return;
  for (const e of endpoints) {
    const tenant = e.info.tenant;
    if (!isGuid(tenant) || tenant?.toLowerCase() === tenantId.toLowerCase()) continue;
    yield violation(
      server,
      fit(
        (n) =>
          `Authorization server '${n(server.name)}' names tenant ${tenant} in its ${e.label}; expected the audited tenant ${tenantId}.`,
      ),
      {
        path: `properties/${e.prop}`,
        key: `${e.prop}/tenant`,
        detail:
          'The app registrations live in the audited tenant, so the other tenant does not know the client app ' +
          '(AADSTS700016: Application with identifier was not found in the directory) or does not exist (AADSTS90002).',
        fix: setEndpoint(
          e,
          withTenant(e.info.url, tenantId),
          `Use the tenant ID ${tenantId} in the ${e.label}.`,
        ),
      },
    );
  }
}

const AADSTS50194 =
  "Entra rejects the sign-in of a single-tenant app at a multi-tenant endpoint with AADSTS50194 (Application is not configured as a multi-tenant application; usage of the /common endpoint isn't supported).";

function* checkMultiTenant(
  server: AuthServer,
  endpoints: EntraEndpoint[],
  model: Model,
): Generator<RuleOutput> {
  const multi = endpoints.find((e) => isMultiTenant(e.info.tenant));
  if (!multi) return;
  const segment = multi.info.tenant ?? '';
  const tenantId = model.tenantId ?? '<tenant-id>';
  const at = { path: `properties/${multi.prop}`, key: 'multi-tenant' };
  const apps = [...new Set([server.clientApp, server.backendApp].filter((a): a is App => a !== undefined))];
  const single = apps.find((a) => a.signInAudience === 'AzureADMyOrg');
  // Both endpoints multi-tenant: the edit is on the first; the finding then moves to the other, fixed next.
  const both = endpoints.filter((e) => isMultiTenant(e.info.tenant)).length > 1;
  const useTenant = `Use the tenant ID ${tenantId} in the ${both ? 'authorization and token endpoints' : multi.label}`;
  if (single) {
    const link = single === server.clientApp ? clientLinkOf(server) : backendLinkOf(server);
    yield violation(
      server,
      fit(
        (n) =>
          `Authorization server '${n(server.name)}' uses '${segment}' in its ${multi.label}, but app '${n(single.name)}' is single-tenant (AzureADMyOrg); expected tenant ID ${tenantId}.`,
      ),
      {
        ...at,
        evidence: [...valuesOf(single, 'signInAudience'), ...link],
        detail: AADSTS50194,
        fix: isGuid(model.tenantId)
          ? setEndpoint(multi, withTenant(multi.info.url, tenantId), `${useTenant}.`)
          : { text: `${useTenant}.` },
      },
    );
  } else if (apps.length === 0) {
    const why = model.coverage.entra
      ? 'its app registrations are not among the applications given'
      : 'no Entra data was given';
    yield violation(
      server,
      fit(
        (n) =>
          `Authorization server '${n(server.name)}' uses '${segment}' in its ${multi.label}; expected tenant ID ${tenantId} unless its apps are multi-tenant.`,
      ),
      // Rests on the apps not being found: an unknown clientId or default scope may name them.
      {
        ...at,
        severity: 'warning',
        evidence: valuesOf(server, 'properties/clientId', 'properties/defaultScope'),
        detail: `The apps' sign-in audience could not be checked (${why}). If they are single-tenant, ${AADSTS50194}`,
        fix: { text: `${useTenant} unless the client and backend apps are multi-tenant.` },
      },
    );
  }
}

export default defineRule({
  id: 'auth-server-v2-endpoints',
  meta: {
    title: 'Authorization servers use the Entra v2 endpoints of one tenant',
    severity: 'error',
    tags: ['apim', 'entra', 'authorization-server'],
    requires: ['apim'],
    declaresEvidence: true,
    // The servers' values, and the sign-in audience of their apps.
    cites: { authorizationServer: [''], application: [''] },
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    for (const server of model.authorizationServers) {
      const foreign = foreignLoginHosts(server);
      if (foreign) {
        yield notEvaluated(
          `Authorization server '${server.name}' does not sign in with Microsoft Entra ID (${foreign.join(', ')}); this rule checks Entra endpoints only.`,
          server,
        );
        continue;
      }
      const endpoints = endpointsOf(server);
      if (wanted) yield checked(server, checkedEvidence(server, endpoints));
      const authority = authorityOf(endpoints, model);
      for (const e of endpoints) yield* checkEndpoint(server, e, authority);
      const [auth, token] = endpoints;
      if (isEntraEndpoint(auth) && isEntraEndpoint(token))
        yield* checkConsistency(server, auth, token, model);
      const entra = endpoints.filter(isEntraEndpoint);
      yield* checkTenant(server, entra, model);
      yield* checkMultiTenant(server, entra, model);
      yield* checkResourceParameter(
        server,
        endpoints.filter((e) => e.info?.version === 'v2').map((e) => e.label),
      );
    }
  },
});
