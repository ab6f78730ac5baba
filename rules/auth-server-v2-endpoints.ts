/**
 * An APIM authorization server that signs in with Microsoft Entra ID uses the v2 authorize and token endpoints,
 * over https, on one Entra login host and one tenant, without the v1 `resource` body parameter.
 */
import type { CloudName } from '../src/entra/clouds';
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
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

function* checkEndpoint(server: AuthServer, e: Endpoint, authority: string): Generator<RuleOutput> {
  const subject = `Authorization server '${server.name}'`;
  const expected = `${authority}/oauth2/v2.0/${e.kind}`;
  const at = (suffix: string) => ({ path: `properties/${e.prop}`, key: `${e.prop}/${suffix}` });
  const { info } = e;
  if (!info) {
    yield violation(server, `${subject} has no ${e.label}; set ${expected}.`, at('missing'));
    return;
  }
  if (!info.url) {
    yield violation(
      server,
      `${subject} has the ${e.label} '${info.raw}', which is not a URL; use ${expected}.`,
      at('invalid'),
    );
    return;
  }
  if (!isEntraLoginHost(info.url.hostname)) {
    yield violation(
      server,
      `${subject} has the ${e.label} ${info.raw}, which is not on a Microsoft Entra login host; use ${expected}.`,
      at('host'),
    );
    return;
  }
  if (info.url.protocol !== 'https:') {
    yield violation(
      server,
      `${subject} uses the ${e.label} ${info.raw} without https; use ${expected}.`,
      at('https'),
    );
  }
  if (info.version === 'v1') {
    const v2 = `https://${info.url.host}/${info.tenant ?? '<tenant-id>'}/oauth2/v2.0/${e.kind}`;
    // Said only when the body parameters are known: the finding itself does not rest on them.
    const missingResource =
      hasResourceParameter(server) || unknownAt(server, 'properties/tokenBodyParameters')
        ? ''
        : ' (v1 endpoints without a resource token body parameter fail with AADSTS500013)';
    yield violation(
      server,
      `${subject} uses the v1 ${e.label} ${info.raw}; use ${v2}${missingResource}.`,
      at('v1'),
    );
    return;
  }
  if (info.version !== 'v2' || !info.tenant || lastSegment(info.url) !== e.kind) {
    yield violation(
      server,
      `${subject} has the ${e.label} ${info.raw}, which is not an Entra v2 ${e.kind} endpoint; use ${expected}.`,
      at('shape'),
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
  const subject = `Authorization server '${server.name}'`;
  const authHost = auth.info.url.host.toLowerCase();
  const tokenHost = token.info.url.host.toLowerCase();
  if (authHost !== tokenHost) {
    yield violation(
      server,
      `${subject} has its token endpoint on ${tokenHost} but its authorization endpoint on ${authHost}; use the same Entra login host for both.`,
      {
        path: 'properties/tokenEndpoint',
        key: 'tokenEndpoint/host-mismatch',
        evidence: valuesOf(server, 'properties/authorizationEndpoint'),
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
      `${subject} names tenant '${tokenTenant}' in its token endpoint but '${authTenant}' in its authorization endpoint; use the same tenant in both.`,
      {
        path: 'properties/tokenEndpoint',
        key: 'tokenEndpoint/tenant-mismatch',
        evidence: valuesOf(server, 'properties/authorizationEndpoint'),
      },
    );
  }
}

function* checkTenant(server: AuthServer, endpoints: EntraEndpoint[], model: Model): Generator<RuleOutput> {
  const tenantId = model.tenantId;
  if (!isGuid(tenantId)) return;
  for (const e of endpoints) {
    const tenant = e.info.tenant;
    if (!isGuid(tenant) || tenant?.toLowerCase() === tenantId?.toLowerCase()) continue;
    yield violation(
      server,
      `Authorization server '${server.name}' names tenant ${tenant} in its ${e.label}, but the audited tenant is ${tenantId}; use ${tenantId} (AADSTS700016/AADSTS90002).`,
      { path: `properties/${e.prop}`, key: `${e.prop}/tenant` },
    );
  }
}

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
  if (single) {
    const link = single === server.clientApp ? clientLinkOf(server) : backendLinkOf(server);
    yield violation(
      server,
      `Authorization server '${server.name}' uses the multi-tenant segment '${segment}' in its ${multi.label}, but app '${single.name}' is single-tenant (AzureADMyOrg); use the tenant ID ${tenantId} (AADSTS50194).`,
      { ...at, evidence: [...valuesOf(single, 'signInAudience'), ...link] },
    );
  } else if (apps.length === 0) {
    const why = model.coverage.entra
      ? 'its app registrations are not among the applications given'
      : 'no Entra data was given';
    yield violation(
      server,
      `Authorization server '${server.name}' uses the multi-tenant segment '${segment}' in its ${multi.label} and the apps' sign-in audience could not be checked (${why}); use the tenant ID ${tenantId} unless the apps are multi-tenant (AADSTS50194).`,
      // Rests on the apps not being found: an unknown clientId or default scope may name them.
      {
        ...at,
        severity: 'warning',
        evidence: valuesOf(server, 'properties/clientId', 'properties/defaultScope'),
      },
    );
  }
}

function* checkResourceParameter(server: AuthServer, endpoints: Endpoint[]): Generator<RuleOutput> {
  const v2 = endpoints.filter((e) => e.info?.version === 'v2').map((e) => e.label);
  if (v2.length === 0) return;
  const params = server.props.tokenBodyParameters ?? [];
  const index = params.findIndex((p) => p.name.toLowerCase() === 'resource');
  const param = params[index];
  if (!param) return;
  yield violation(
    server,
    `Authorization server '${server.name}' sends the v1 token body parameter resource=${param.value} although its ${v2.join(' and ')} ${v2.length > 1 ? 'are' : 'is'} v2; remove it and name the API in the default scope (AADSTS901002).`,
    {
      path: `properties/tokenBodyParameters/${index}`,
      key: 'tokenBodyParameters/resource',
      evidence: valuesOf(server, ...ENDPOINT_PATHS),
    },
  );
}

export default defineRule({
  id: 'auth-server-v2-endpoints',
  meta: {
    title: 'Authorization servers use the Entra v2 endpoints of one tenant',
    severity: 'error',
    tags: ['apim', 'entra', 'authorization-server'],
    requires: ['apim'],
    declaresEvidence: true,
  },
  *check(model) {
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
      yield checked(server, checkedEvidence(server, endpoints));
      const authority = authorityOf(endpoints, model);
      for (const e of endpoints) yield* checkEndpoint(server, e, authority);
      const [auth, token] = endpoints;
      if (isEntraEndpoint(auth) && isEntraEndpoint(token))
        yield* checkConsistency(server, auth, token, model);
      const entra = endpoints.filter(isEntraEndpoint);
      yield* checkTenant(server, entra, model);
      yield* checkMultiTenant(server, entra, model);
      yield* checkResourceParameter(server, endpoints);
    }
  },
});
