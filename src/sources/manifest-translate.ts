/**
 * One application object of a manifest -> the Microsoft Graph shape: from the Graph format (trimmed to what audits
 * read), from the legacy Azure AD Graph format (with `paths` back to the legacy keys), and PascalCase keys of
 * PowerShell output -> camelCase. Apart from manifest.ts, which finds and parses the files, because translating
 * is pure and long.
 */
import type {
  GraphApplication,
  KeyCredential,
  PasswordCredential,
  PermissionScope,
  PreAuthorizedApplication,
  RequiredResourceAccess,
} from '../inventory/types';
import { joinPointer } from '../json/positions';
import { isRecord as isObject } from '../util/json';
import { put } from '../util/json';

type Json = Record<string, unknown>;

/**
 * PascalCase keys (PowerShell SDK) -> camelCase, recording for every converted node which pointer it came from
 * so that findings still land on the right key.
 */
export function camelCaseKeys(
  value: unknown,
  pointer: string,
  canonical: string,
  paths: Record<string, string>,
): Json {
  const convert = (v: unknown, p: string, c: string): unknown => {
    if (c !== '') paths[c] = p;
    if (Array.isArray(v)) return v.map((item, i) => convert(item, joinPointer(p, i), `${c}/${i}`));
    if (!isObject(v)) return v;
    const out: Json = {};
    for (const [key, item] of Object.entries(v)) {
      const camel = key.charAt(0).toLowerCase() + key.slice(1);
      out[camel] = convert(item, joinPointer(p, key), c === '' ? camel : `${c}/${camel}`);
    }
    return out;
  };
  return convert(value, pointer, canonical) as Json;
}

// ----- value readers -----------------------------------------------------------------------------------------

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strOrNull = (v: unknown): string | null | undefined => (v === null ? null : str(v));
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** `/Date(1733343742000)/` (PowerShell's JSON dates) -> ISO 8601; other strings unchanged. */
function dateOf(v: unknown): string | null | undefined {
  if (v === null) return null;
  const s = str(v);
  const ms = s ? /^\\?\/Date\((-?\d+)\)\\?\/$/.exec(s)?.[1] : undefined;
  return ms ? new Date(Number(ms)).toISOString() : s;
}

function scopeOf(s: Json): PermissionScope {
  const scope: PermissionScope = {};
  put(scope, 'id', str(s['id']));
  put(scope, 'value', str(s['value']));
  put(scope, 'type', str(s['type']));
  put(scope, 'isEnabled', bool(s['isEnabled']));
  put(scope, 'adminConsentDisplayName', str(s['adminConsentDisplayName']));
  put(scope, 'adminConsentDescription', str(s['adminConsentDescription']));
  put(scope, 'userConsentDisplayName', str(s['userConsentDisplayName']));
  put(scope, 'userConsentDescription', str(s['userConsentDescription']));
  return scope;
}

/** A password credential without `secretText` / `value`; legacy `startDate`/`endDate` accepted. */
function passwordOf(c: Json): PasswordCredential {
  const credential: PasswordCredential = {};
  put(credential, 'keyId', str(c['keyId']));
  put(credential, 'displayName', strOrNull(c['displayName']));
  put(credential, 'startDateTime', dateOf(c['startDateTime'] ?? c['startDate']));
  put(credential, 'endDateTime', dateOf(c['endDateTime'] ?? c['endDate']));
  put(credential, 'hint', strOrNull(c['hint']));
  put(credential, 'customKeyIdentifier', strOrNull(c['customKeyIdentifier']));
  return credential;
}

/** A key credential without the key material. */
function keyOf(c: Json): KeyCredential {
  const credential: KeyCredential = {};
  put(credential, 'keyId', str(c['keyId']));
  put(credential, 'displayName', strOrNull(c['displayName']));
  put(credential, 'type', str(c['type']));
  put(credential, 'usage', str(c['usage']));
  put(credential, 'startDateTime', dateOf(c['startDateTime'] ?? c['startDate']));
  put(credential, 'endDateTime', dateOf(c['endDateTime'] ?? c['endDate']));
  put(credential, 'customKeyIdentifier', strOrNull(c['customKeyIdentifier']));
  return credential;
}

function requiredAccessOf(list: unknown): RequiredResourceAccess[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return objects(list).map((r) => {
    const entry: RequiredResourceAccess = {};
    put(entry, 'resourceAppId', str(r['resourceAppId']));
    entry.resourceAccess = objects(r['resourceAccess']).map((a) => {
      const access: { id?: string; type?: string } = {};
      put(access, 'id', str(a['id']));
      put(access, 'type', str(a['type']));
      return access;
    });
    return entry;
  });
}

function preAuthorizedOf(
  list: unknown,
  idsKey: 'delegatedPermissionIds' | 'permissionIds',
): PreAuthorizedApplication[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return objects(list).map((p) => {
    const entry: PreAuthorizedApplication = {};
    put(entry, 'appId', str(p['appId']));
    put(entry, 'delegatedPermissionIds', strings(p[idsKey]));
    return entry;
  });
}

/** Fields common to both formats (same names, same shapes). */
function commonFields(raw: Json): GraphApplication {
  const app: GraphApplication = {};
  put(app, 'id', str(raw['id']) ?? str(raw['objectId']));
  put(app, 'appId', str(raw['appId']));
  put(app, 'displayName', str(raw['displayName']));
  put(app, 'identifierUris', strings(raw['identifierUris']));
  put(app, 'signInAudience', str(raw['signInAudience']));
  put(app, 'requiredResourceAccess', requiredAccessOf(raw['requiredResourceAccess']));
  if (Array.isArray(raw['passwordCredentials']))
    app.passwordCredentials = objects(raw['passwordCredentials']).map(passwordOf);
  if (Array.isArray(raw['keyCredentials'])) app.keyCredentials = objects(raw['keyCredentials']).map(keyOf);
  return app;
}

/** The Microsoft Graph format: the canonical shape already, trimmed to what audits read. */
export function fromGraph(raw: Json): { app: GraphApplication; paths: Record<string, string> } {
  const app = commonFields(raw);
  if ('isFallbackPublicClient' in raw)
    app.isFallbackPublicClient =
      raw['isFallbackPublicClient'] === true ? true : (bool(raw['isFallbackPublicClient']) ?? null);
  const api = raw['api'];
  if (isObject(api)) {
    const out: NonNullable<GraphApplication['api']> = {};
    const version = api['requestedAccessTokenVersion'];
    if (version === null || typeof version === 'number') out.requestedAccessTokenVersion = version;
    if (Array.isArray(api['oauth2PermissionScopes']))
      out.oauth2PermissionScopes = objects(api['oauth2PermissionScopes']).map(scopeOf);
    put(
      out,
      'preAuthorizedApplications',
      preAuthorizedOf(api['preAuthorizedApplications'], 'delegatedPermissionIds'),
    );
    put(out, 'knownClientApplications', strings(api['knownClientApplications']));
    if ('acceptMappedClaims' in api) out.acceptMappedClaims = bool(api['acceptMappedClaims']) ?? null;
    app.api = out;
  } else if (api === null) {
    app.api = null;
  }
  const web = raw['web'];
  if (isObject(web)) {
    const out: NonNullable<GraphApplication['web']> = {};
    put(out, 'redirectUris', strings(web['redirectUris']));
    const implicit = web['implicitGrantSettings'];
    if (isObject(implicit)) {
      const settings: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } = {};
      put(settings, 'enableAccessTokenIssuance', bool(implicit['enableAccessTokenIssuance']));
      put(settings, 'enableIdTokenIssuance', bool(implicit['enableIdTokenIssuance']));
      out.implicitGrantSettings = settings;
    }
    put(out, 'homePageUrl', strOrNull(web['homePageUrl']));
    put(out, 'logoutUrl', strOrNull(web['logoutUrl']));
    app.web = out;
  }
  for (const platform of ['spa', 'publicClient'] as const) {
    const value = raw[platform];
    if (isObject(value)) {
      const out: { redirectUris?: string[] } = {};
      put(out, 'redirectUris', strings(value['redirectUris']));
      app[platform] = out;
    }
  }
  return { app, paths: {} };
}

const PLATFORM_OF_TYPE: Readonly<Record<string, 'web' | 'spa' | 'publicClient'>> = {
  web: 'web',
  spa: 'spa',
  installedclient: 'publicClient',
};

/**
 * The legacy Azure AD Graph format -> the Graph shape (mapping table of the deprecation notice, domain reference
 * §2.2), with `paths` from each canonical path to the legacy key.
 */
export function fromLegacy(
  raw: Json,
  base: string,
): { app: GraphApplication; paths: Record<string, string> } {
  const app = commonFields(raw);
  const paths: Record<string, string> = {};
  const at = (...tokens: (string | number)[]) => joinPointer(base, ...tokens);
  if (!('id' in raw) && 'objectId' in raw) paths['id'] = at('objectId');
  if (app.displayName === undefined && typeof raw['name'] === 'string') {
    app.displayName = raw['name'];
    paths['displayName'] = at('name');
  }
  if (app.signInAudience === undefined && typeof raw['availableToOtherTenants'] === 'boolean') {
    app.signInAudience = raw['availableToOtherTenants'] ? 'AzureADMultipleOrgs' : 'AzureADMyOrg';
    paths['signInAudience'] = at('availableToOtherTenants');
  }
  const publicClient = 'allowPublicClient' in raw ? raw['allowPublicClient'] : raw['publicClient'];
  if (publicClient === null || typeof publicClient === 'boolean') {
    app.isFallbackPublicClient = publicClient;
    paths['isFallbackPublicClient'] = at('allowPublicClient' in raw ? 'allowPublicClient' : 'publicClient');
  }
  const passwordKeys = (list: unknown, key: string) =>
    objects(list).forEach((c, i) => {
      if (!('endDateTime' in c) && 'endDate' in c) paths[`${key}/${i}/endDateTime`] = at(key, i, 'endDate');
      if (!('startDateTime' in c) && 'startDate' in c)
        paths[`${key}/${i}/startDateTime`] = at(key, i, 'startDate');
    });
  passwordKeys(raw['passwordCredentials'], 'passwordCredentials');
  passwordKeys(raw['keyCredentials'], 'keyCredentials');
  app.api = legacyApi(raw, at, paths);
  Object.assign(app, legacyPlatforms(raw, at, paths));
  return { app, paths };
}

function legacyApi(
  raw: Json,
  at: (...tokens: (string | number)[]) => string,
  paths: Record<string, string>,
): NonNullable<GraphApplication['api']> {
  const api: NonNullable<GraphApplication['api']> = {};
  const version = raw['accessTokenAcceptedVersion'];
  if (version === null || typeof version === 'number') {
    api.requestedAccessTokenVersion = version;
    paths['api/requestedAccessTokenVersion'] = at('accessTokenAcceptedVersion');
  }
  if (Array.isArray(raw['oauth2Permissions'])) {
    api.oauth2PermissionScopes = objects(raw['oauth2Permissions']).map(scopeOf);
    paths['api/oauth2PermissionScopes'] = at('oauth2Permissions');
    api.oauth2PermissionScopes.forEach((scope, i) => {
      paths[`api/oauth2PermissionScopes/${i}`] = at('oauth2Permissions', i);
      for (const key of Object.keys(scope))
        paths[`api/oauth2PermissionScopes/${i}/${key}`] = at('oauth2Permissions', i, key);
    });
  }
  const preAuthorized = preAuthorizedOf(raw['preAuthorizedApplications'], 'permissionIds');
  if (preAuthorized) {
    api.preAuthorizedApplications = preAuthorized;
    paths['api/preAuthorizedApplications'] = at('preAuthorizedApplications');
    preAuthorized.forEach((_p, i) => {
      paths[`api/preAuthorizedApplications/${i}`] = at('preAuthorizedApplications', i);
      paths[`api/preAuthorizedApplications/${i}/appId`] = at('preAuthorizedApplications', i, 'appId');
      paths[`api/preAuthorizedApplications/${i}/delegatedPermissionIds`] = at(
        'preAuthorizedApplications',
        i,
        'permissionIds',
      );
    });
  }
  const known = strings(raw['knownClientApplications']);
  if (known) {
    api.knownClientApplications = known;
    paths['api/knownClientApplications'] = at('knownClientApplications');
  }
  if ('acceptMappedClaims' in raw) {
    api.acceptMappedClaims = bool(raw['acceptMappedClaims']) ?? null;
    paths['api/acceptMappedClaims'] = at('acceptMappedClaims');
  }
  return api;
}

/** `replyUrlsWithType` (or the older `replyUrls`), implicit-flow flags and URLs -> web / spa / publicClient. */
function legacyPlatforms(
  raw: Json,
  at: (...tokens: (string | number)[]) => string,
  paths: Record<string, string>,
): Pick<GraphApplication, 'web' | 'spa' | 'publicClient'> {
  const web: NonNullable<GraphApplication['web']> = {};
  const uris = { web: [] as string[], spa: [] as string[], publicClient: [] as string[] };
  let listed = false;
  if (Array.isArray(raw['replyUrlsWithType'])) {
    listed = true;
    raw['replyUrlsWithType'].forEach((entry, j) => {
      if (!isObject(entry) || typeof entry['url'] !== 'string') return;
      const platform = PLATFORM_OF_TYPE[String(entry['type'] ?? 'Web').toLowerCase()] ?? 'web';
      paths[`${platform}/redirectUris/${uris[platform].length}`] = at('replyUrlsWithType', j, 'url');
      uris[platform].push(entry['url']);
    });
    for (const platform of ['web', 'spa', 'publicClient'] as const)
      paths[`${platform}/redirectUris`] = at('replyUrlsWithType');
  } else if (Array.isArray(raw['replyUrls'])) {
    listed = true;
    raw['replyUrls'].forEach((url, j) => {
      if (typeof url !== 'string') return;
      paths[`web/redirectUris/${uris.web.length}`] = at('replyUrls', j);
      uris.web.push(url);
    });
    paths['web/redirectUris'] = at('replyUrls');
  }
  // Without a reply-URL list the manifest says nothing about redirect URIs (not: "none").
  if (listed) web.redirectUris = uris.web;
  const accessTokens = bool(raw['oauth2AllowImplicitFlow']);
  const idTokens = bool(raw['oauth2AllowIdTokenImplicitFlow']);
  if (accessTokens !== undefined || idTokens !== undefined) {
    const settings: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } = {};
    put(settings, 'enableAccessTokenIssuance', accessTokens);
    put(settings, 'enableIdTokenIssuance', idTokens);
    web.implicitGrantSettings = settings;
    const implicit = 'web/implicitGrantSettings';
    if (accessTokens !== undefined)
      paths[`${implicit}/enableAccessTokenIssuance`] = at('oauth2AllowImplicitFlow');
    if (idTokens !== undefined)
      paths[`${implicit}/enableIdTokenIssuance`] = at('oauth2AllowIdTokenImplicitFlow');
    paths[implicit] = at(
      accessTokens !== undefined ? 'oauth2AllowImplicitFlow' : 'oauth2AllowIdTokenImplicitFlow',
    );
  }
  const home = strOrNull('signInUrl' in raw ? raw['signInUrl'] : raw['homepage']);
  if (home !== undefined) {
    web.homePageUrl = home;
    paths['web/homePageUrl'] = at('signInUrl' in raw ? 'signInUrl' : 'homepage');
  }
  const logout = strOrNull(raw['logoutUrl']);
  if (logout !== undefined) {
    web.logoutUrl = logout;
    paths['web/logoutUrl'] = at('logoutUrl');
  }
  if (!listed) return { web };
  return { web, spa: { redirectUris: uris.spa }, publicClient: { redirectUris: uris.publicClient } };
}
