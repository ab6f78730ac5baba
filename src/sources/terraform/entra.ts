/**
 * Terraform azuread resources -> Microsoft Graph-shaped applications (domain reference §8.2). A new app's
 * `client_id` is unknown until apply: its placeholder identity is what references to it resolve to.
 */
import type {
  GraphApplication,
  InventoryApplication,
  PasswordCredential,
  PermissionScope,
  RequiredResourceAccess,
} from '../../inventory/types';
import { PLACEHOLDER_PREFIX, type PathToken, type PlannedResource } from './plan';
import { put, Reader, type Translator } from './translate';

export function application(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const app: GraphApplication = {};
  // A new app's client_id is unknown until apply: its placeholder identity is what references resolve to.
  app.appId =
    reader.computed(['client_id'], 'appId') ??
    reader.computed(['application_id'], 'appId') ??
    `${PLACEHOLDER_PREFIX}${r.address}`;
  put(app, 'id', reader.computed(['object_id'], 'id'));
  put(app, 'displayName', reader.str(['display_name'], 'displayName'));
  put(app, 'identifierUris', reader.strings(['identifier_uris'], 'identifierUris'));
  const audience = reader.str(['sign_in_audience'], 'signInAudience');
  const legacyMulti =
    audience === undefined ? reader.bool(['available_to_other_tenants'], 'signInAudience') : undefined;
  put(
    app,
    'signInAudience',
    audience ??
      (legacyMulti === undefined ? undefined : legacyMulti ? 'AzureADMultipleOrgs' : 'AzureADMyOrg'),
  );
  put(
    app,
    'isFallbackPublicClient',
    reader.bool(['fallback_public_client_enabled'], 'isFallbackPublicClient'),
  );
  app.api = appApi(t, reader);
  app.web = appWeb(t, reader);
  for (const [platform, block] of [
    ['spa', 'single_page_application'],
    ['publicClient', 'public_client'],
  ] as const) {
    const [i] = reader.blocks([block]);
    if (i !== undefined)
      app[platform] = {
        redirectUris: reader.strings([block, i, 'redirect_uris'], `${platform}/redirectUris`) ?? [],
      };
  }
  app.requiredResourceAccess = requiredResourceAccessOf(reader);
  reader.map('requiredResourceAccess', ['required_resource_access']);
  app.passwordCredentials = reader
    .blocks(['password'])
    .map((i) => credentialOf(t, reader, ['password', i], `passwordCredentials/${i}`));
  reader.map('passwordCredentials', ['password']);
  const record: InventoryApplication = { ...app, origin: t.origin(reader, { graphObjectId: app.id }) };
  t.apps.set(r.address, record);
}

/** `required_resource_access` blocks -> `requiredResourceAccess`, each entry mapped to its block. */
function requiredResourceAccessOf(reader: Reader): RequiredResourceAccess[] {
  return reader.blocks(['required_resource_access']).map((i): RequiredResourceAccess => {
    const base = `requiredResourceAccess/${i}`;
    reader.map(base, ['required_resource_access', i]);
    const entry: RequiredResourceAccess = {};
    put(
      entry,
      'resourceAppId',
      reader.str(['required_resource_access', i, 'resource_app_id'], `${base}/resourceAppId`),
    );
    entry.resourceAccess = reader.blocks(['required_resource_access', i, 'resource_access']).map((j) => {
      const access: { id?: string; type?: string } = {};
      put(
        access,
        'id',
        reader.str(
          ['required_resource_access', i, 'resource_access', j, 'id'],
          `${base}/resourceAccess/${j}/id`,
        ),
      );
      put(
        access,
        'type',
        reader.str(
          ['required_resource_access', i, 'resource_access', j, 'type'],
          `${base}/resourceAccess/${j}/type`,
        ),
      );
      return access;
    });
    return entry;
  });
}

function appApi(t: Translator, reader: Reader): NonNullable<GraphApplication['api']> {
  const api: NonNullable<GraphApplication['api']> = {};
  const [i] = reader.blocks(['api']);
  const scopes = (block: PathToken[], canonical: string): PermissionScope[] =>
    reader.blocks(block).map((j) => {
      const at = (name: string) => [...block, j, name];
      const c = (name: string) => `${canonical}/${j}/${name}`;
      const scope: PermissionScope = {};
      const text = (key: Exclude<keyof PermissionScope, 'isEnabled'>, attribute: string) =>
        put(scope, key, reader.str(at(attribute), c(key)));
      text('id', 'id');
      text('value', 'value');
      text('type', 'type');
      put(
        scope,
        'isEnabled',
        reader.bool(at('enabled'), c('isEnabled')) ?? reader.bool(at('is_enabled'), c('isEnabled')),
      );
      text('adminConsentDisplayName', 'admin_consent_display_name');
      text('adminConsentDescription', 'admin_consent_description');
      text('userConsentDisplayName', 'user_consent_display_name');
      text('userConsentDescription', 'user_consent_description');
      reader.map(`${canonical}/${j}`, [...block, j]);
      return scope;
    });
  if (i !== undefined) {
    const version = reader.get(
      ['api', i, 'requested_access_token_version'],
      'api/requestedAccessTokenVersion',
    );
    if (typeof version === 'number') api.requestedAccessTokenVersion = version;
    api.oauth2PermissionScopes = scopes(['api', i, 'oauth2_permission_scope'], 'api/oauth2PermissionScopes');
    reader.map('api/oauth2PermissionScopes', ['api', i, 'oauth2_permission_scope']);
    put(
      api,
      'knownClientApplications',
      reader.strings(['api', i, 'known_client_applications'], 'api/knownClientApplications'),
    );
    put(
      api,
      'acceptMappedClaims',
      reader.bool(['api', i, 'mapped_claims_enabled'], 'api/acceptMappedClaims'),
    );
    reader.map('api', ['api', i]);
  } else if (reader.blocks(['oauth2_permissions']).length > 0) {
    // azuread 1.x: scopes were top-level `oauth2_permissions` blocks.
    api.oauth2PermissionScopes = scopes(['oauth2_permissions'], 'api/oauth2PermissionScopes');
  }
  return api;
}

function appWeb(t: Translator, reader: Reader): NonNullable<GraphApplication['web']> {
  const web: NonNullable<GraphApplication['web']> = {};
  const [i] = reader.blocks(['web']);
  if (i !== undefined) {
    put(web, 'redirectUris', reader.strings(['web', i, 'redirect_uris'], 'web/redirectUris'));
    put(web, 'homePageUrl', reader.str(['web', i, 'homepage_url'], 'web/homePageUrl'));
    put(web, 'logoutUrl', reader.str(['web', i, 'logout_url'], 'web/logoutUrl'));
    const [g] = reader.blocks(['web', i, 'implicit_grant']);
    if (g !== undefined) {
      const base = 'web/implicitGrantSettings';
      const settings: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } = {};
      put(
        settings,
        'enableAccessTokenIssuance',
        reader.bool(
          ['web', i, 'implicit_grant', g, 'access_token_issuance_enabled'],
          `${base}/enableAccessTokenIssuance`,
        ),
      );
      put(
        settings,
        'enableIdTokenIssuance',
        reader.bool(
          ['web', i, 'implicit_grant', g, 'id_token_issuance_enabled'],
          `${base}/enableIdTokenIssuance`,
        ),
      );
      reader.map(base, ['web', i, 'implicit_grant', g]);
      web.implicitGrantSettings = settings;
    }
    reader.map('web', ['web', i]);
    return web;
  }
  // azuread 1.x: `reply_urls`, `oauth2_allow_implicit_flow`, `homepage`, `logout_url` at the top level.
  put(web, 'redirectUris', reader.strings(['reply_urls'], 'web/redirectUris'));
  const implicit = reader.bool(
    ['oauth2_allow_implicit_flow'],
    'web/implicitGrantSettings/enableAccessTokenIssuance',
  );
  if (implicit !== undefined) web.implicitGrantSettings = { enableAccessTokenIssuance: implicit };
  put(web, 'homePageUrl', reader.str(['homepage'], 'web/homePageUrl'));
  put(web, 'logoutUrl', reader.str(['logout_url'], 'web/logoutUrl'));
  return web;
}

/**
 * A password credential (no value). Dates unknown until apply follow Graph's `addPassword` defaults: it starts
 * when created (taken as the plan time) and ends `end_date_relative` later, else two years later.
 */
function credentialOf(
  t: Translator,
  reader: Reader,
  base: PathToken[],
  canonical: string,
): PasswordCredential {
  const plan = t.plan;
  const credential: PasswordCredential = {};
  put(credential, 'keyId', plan.valueOf(reader.r, [...base, 'key_id'])?.value as string | undefined);
  reader.map(`${canonical}/keyId`, [...base, 'key_id']);
  put(credential, 'displayName', reader.str([...base, 'display_name'], `${canonical}/displayName`));
  reader.map(`${canonical}/startDateTime`, [...base, 'start_date']);
  reader.map(`${canonical}/endDateTime`, [...base, 'end_date']);
  reader.map(canonical, base);
  const known = (name: string) => {
    const v = plan.valueOf(reader.r, [...base, name])?.value;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const start = known('start_date');
  const startMs = start ? Date.parse(start) : t.ctx.planTime.getTime();
  credential.startDateTime = start ?? new Date(startMs).toISOString();
  const end = known('end_date');
  const relative = known('end_date_relative');
  const relativeMs = relative ? goDurationMs(relative) : undefined;
  if (end) credential.endDateTime = end;
  else if (relativeMs !== undefined) credential.endDateTime = new Date(startMs + relativeMs).toISOString();
  else {
    const twoYears = new Date(startMs);
    twoYears.setUTCFullYear(twoYears.getUTCFullYear() + 2);
    credential.endDateTime = twoYears.toISOString();
  }
  return credential;
}

/** The app a child resource (password, identifier URI, pre-authorization) names by reference or by id. */
function appOf(t: Translator, reader: Reader, attributes: string[]): InventoryApplication | undefined {
  for (const attribute of attributes) {
    const referenced = reader.referenced([attribute]);
    if (referenced?.type === 'azuread_application') {
      const app = t.apps.get(referenced.address);
      if (app) return app;
    }
    const value = reader.str([attribute]);
    if (!value) continue;
    const objectId = value.replace(/^\/applications\//, '');
    const found = [...t.apps.values()].find((a) => a.id === objectId || a.appId === value);
    if (found) return found;
  }
  t.gap(
    reader.r.address,
    'the application it belongs to is not in this plan (or is unknown until apply); it is left out',
  );
  return undefined;
}

export function password(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const app = appOf(t, reader, ['application_id', 'application_object_id']);
  if (!app) return;
  const list = (app.passwordCredentials ??= []);
  const index = list.length;
  const credential = credentialOf(t, reader, [], `passwordCredentials/${index}`);
  list.push(credential);
  // The credential's paths point into the password resource; that works when both are located in one file.
  const own = t.origin(reader);
  if (own.file === app.origin.file) app.origin.paths = { ...app.origin.paths, ...reader.paths };
}

export function identifierUri(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const app = appOf(t, reader, ['application_id']);
  const uri = reader.str(['identifier_uri'], 'identifierUris');
  if (!app) return;
  const unknown = reader.unknown['identifierUris'];
  if (unknown !== undefined) app.origin.unknown = { ...app.origin.unknown, identifierUris: unknown };
  else if (uri && !(app.identifierUris ?? []).includes(uri))
    app.identifierUris = [...(app.identifierUris ?? []), uri];
}

export function preAuthorized(t: Translator, r: PlannedResource): void {
  const reader = new Reader(t, r);
  const app = appOf(t, reader, ['application_id', 'application_object_id']);
  const client = reader.str(['authorized_client_id']) ?? reader.str(['authorized_app_id']);
  if (!app || !client) return;
  const api = (app.api ??= {});
  const entry: { appId: string; delegatedPermissionIds?: string[] } = { appId: client };
  put(entry, 'delegatedPermissionIds', reader.strings(['permission_ids']));
  api.preAuthorizedApplications = [...(api.preAuthorizedApplications ?? []), entry];
}

/** `240h`, `4320h30m`, `1.5h` (Go durations, as `end_date_relative` takes them) -> milliseconds. */
export function goDurationMs(value: string): number | undefined {
  const unit: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 0.000001,
  };
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
    total += Number(m[1]) * (unit[m[2] ?? ''] ?? 0);
  return total;
}
