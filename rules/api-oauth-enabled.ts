/**
 * Every current API revision declares OAuth 2.0 or OpenID Connect user authorization, and every reference
 * names an authorization server / OpenID provider that exists in the service.
 */
import { defineRule, violation, type RuleOutput } from '../src/engine/types';
import type { Api, AuthReference, AuthServer } from '../src/model/types';

export interface ApiOauthEnabledOptions {
  /** API names (glob `*`) that are intentionally public. */
  exclude: string[];
}

/** Case-insensitive glob where `*` matches any run of characters (API names are case-insensitive in ARM). */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

function isExcluded(api: Api, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(api.name));
}

function listNames(names: string[]): string {
  return names.length === 0 ? 'none exist' : `existing: ${names.map((n) => `'${n}'`).join(', ')}`;
}

function describeApi(api: Api): string {
  return `API '${api.name}' (revision ${api.revision})`;
}

function* missingTargets(api: Api): Generator<RuleOutput> {
  for (const ref of api.oauth2.filter((r) => !r.target)) {
    yield violation(
      api,
      `${describeApi(api)} references authorization server '${ref.ref}', which does not exist in service ` +
        `'${api.service.name}' (${listNames(api.service.authorizationServers.map((s) => s.name))}); ` +
        'reference an existing authorization server.',
      { path: ref.path, key: `oauth2:${ref.ref}` },
    );
  }
  for (const ref of api.openid.filter((r) => !r.target)) {
    yield violation(
      api,
      `${describeApi(api)} references OpenID Connect provider '${ref.ref}', which does not exist in service ` +
        `'${api.service.name}' (${listNames(api.service.openidProviders.map((p) => p.name))}); ` +
        'reference an existing OpenID Connect provider.',
      { path: ref.path, key: `openid:${ref.ref}` },
    );
  }
}

function noUserAuthorization(api: Api): RuleOutput {
  const servers = api.service.authorizationServers.map((s) => `'${s.name}'`);
  const hint = servers.length > 0 ? ` (e.g. ${servers.join(', ')})` : '';
  return violation(
    api,
    `${describeApi(api)} has no OAuth 2.0 or OpenID Connect user authorization; set ` +
      `authenticationSettings.oAuth2AuthenticationSettings to an authorization server${hint}, or list the API in ` +
      'the rule option exclude if it is intentionally public.',
    { path: 'properties/authenticationSettings' },
  );
}

/** Servers on the API that the developer portal hides from the test console (`useInTestConsole: false`). */
function hiddenServers(refs: AuthReference<AuthServer>[]): AuthServer[] {
  return refs.flatMap((r) => (r.target && r.target.props.useInTestConsole === false ? [r.target] : []));
}

export default defineRule<ApiOauthEnabledOptions>({
  id: 'api-oauth-enabled',
  meta: {
    title: 'APIs declare OAuth 2.0 or OpenID Connect user authorization with an existing server',
    severity: 'error',
    tags: ['apim', 'portal', 'security'],
    securitySeverity: 5.0,
    requires: ['apim'],
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        exclude: {
          type: 'array',
          description: 'API names (glob `*` allowed) that are intentionally public, e.g. health endpoints.',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
        },
      },
    },
    defaults: { exclude: [] },
  },
  *check(model, ctx) {
    const patterns = ctx.options.exclude.map(globToRegExp);
    const hidden = new Map<AuthServer, Api[]>();
    for (const api of model.apis) {
      // Non-current revisions are not served by default and the portal documents only the current one.
      if (!api.isCurrent || isExcluded(api, patterns)) continue;
      if (api.oauth2.length === 0 && api.openid.length === 0) {
        yield noUserAuthorization(api);
        continue;
      }
      yield* missingTargets(api);
      for (const server of hiddenServers(api.oauth2))
        hidden.set(server, [...(hidden.get(server) ?? []), api]);
    }
    for (const [server, apis] of hidden) {
      yield violation(
        server,
        `Authorization server '${server.name}' is configured on ${apis.map((a) => `API '${a.name}'`).join(', ')} ` +
          'but has useInTestConsole false, so the developer portal test console does not offer it; set it to true ' +
          'unless the server is meant for API documentation only.',
        { path: 'properties/useInTestConsole', severity: 'note' },
      );
    }
  },
});
