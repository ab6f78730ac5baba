/**
 * One application object of a manifest -> the Microsoft Graph shape, key by key: the keys both formats share, the
 * keys of the legacy Azure AD Graph format (mapping table of the deprecation notice, domain reference §2.2) and the
 * keys of the Microsoft Graph format are read by three functions, so that a manifest mixing the two formats (Teams
 * Toolkit `aad.manifest.json` files do) is read by the format each key belongs to; mixed.ts combines the
 * two readings. Also PascalCase keys of PowerShell output -> camelCase. Apart from index.ts, which finds and
 * parses the files, because translating is pure and long.
 */
import type {
  GraphApplication,
  KeyCredential,
  PasswordCredential,
  PermissionScope,
  PreAuthorizedApplication,
  RequiredResourceAccess,
} from '../../inventory/types';
import { joinPointer } from '../../json/positions';
import { definedOnly, isRecord, put } from '../../util/json';
import { fitted, none } from '../../util/lists';
import type { ManifestReader, Node } from './reader';

type Json = Record<string, unknown>;

/**
 * PascalCase keys (PowerShell SDK) -> camelCase, with the pointer in the file of every pointer in the converted
 * object, so that findings still land on the right key.
 */
export function camelCaseKeys(value: Json, pointer: string): { value: Json; pointers: Map<string, string> } {
  const pointers = new Map<string, string>();
  const convert = (v: unknown, real: string, converted: string): unknown => {
    pointers.set(converted, real);
    if (Array.isArray(v))
      return v.map((item, i) => convert(item, joinPointer(real, i), joinPointer(converted, i)));
    if (!isRecord(v)) return v;
    const out: Json = {};
    for (const [key, item] of Object.entries(v)) {
      const camel = key.charAt(0).toLowerCase() + key.slice(1);
      out[camel] = convert(item, joinPointer(real, key), joinPointer(converted, camel));
    }
    return out;
  };
  return { value: convert(value, pointer, pointer) as Json, pointers };
}

/** Keys of the legacy format (at the top level of an application), read by `fromLegacy`. */
export const LEGACY_OWNED = [
  'name',
  'objectId',
  'accessTokenAcceptedVersion',
  'acceptMappedClaims',
  'allowPublicClient',
  'availableToOtherTenants',
  'oauth2Permissions',
  'preAuthorizedApplications',
  'knownClientApplications',
  'oauth2AllowImplicitFlow',
  'oauth2AllowIdTokenImplicitFlow',
  'replyUrlsWithType',
  'replyUrls',
  'signInUrl',
  'homepage',
  'logoutUrl',
];

/** Keys of the Microsoft Graph format, read by `fromGraph` (`publicClient` only as an object: legacy has a boolean). */
export const GRAPH_OWNED = ['displayName', 'api', 'web', 'spa', 'publicClient', 'isFallbackPublicClient'];

/** Whether `key` of `raw` belongs to the legacy format. */
export function isLegacyKey(raw: Json, key: string): boolean {
  return key === 'publicClient' ? typeof raw[key] === 'boolean' : LEGACY_OWNED_KEYS.has(key);
}

/** `LEGACY_OWNED` for look-ups: every key of every application is asked. */
const LEGACY_OWNED_KEYS: ReadonlySet<string> = new Set(LEGACY_OWNED);

// ----- values both formats share --------------------------------------------------------------------------------

/** PowerShell's JSON dates: `/Date(1733343742000)/`. */
const POWERSHELL_DATE = /^\\?\/Date\((-?\d+)\)\\?\/$/;

/** `/Date(1733343742000)/` (PowerShell's JSON dates) -> ISO 8601; other strings unchanged. */
function dateOf(r: ManifestReader, node: Node): string | null | undefined {
  const s = r.nullableString(node);
  // Only a text starting with `/` or `\` can be one (an ISO date, the usual value, is not tried).
  const first = s ? s.charCodeAt(0) : 0;
  const ms = first === 0x2f || first === 0x5c ? POWERSHELL_DATE.exec(s ?? '')?.[1] : undefined;
  return ms ? new Date(Number(ms)).toISOString() : s;
}

/** `key`, or the older `legacy` key when only that one is present, filling the canonical path of `key`. */
function either(r: ManifestReader, parent: Node, key: string, legacy: string): Node {
  const node = r.child(parent, key);
  return node.value === undefined && isRecord(parent.value) && legacy in parent.value
    ? r.child(parent, legacy, node.path)
    : node;
}

/*
 * The records below are read value by value (in the order of their keys: the order `Origin.paths` notes them in),
 * then made in one literal when every value is there, as it usually is: one object shape for all of them, with the
 * properties in the object itself, where adding them one by one to `{}` grows a separate property store.
 */

function scopeOf(r: ManifestReader, s: Node): PermissionScope {
  return definedOnly<PermissionScope>({
    id: r.stringAt(s, 'id'),
    value: r.stringAt(s, 'value'),
    type: r.stringAt(s, 'type'),
    isEnabled: r.booleanAt(s, 'isEnabled'),
    adminConsentDisplayName: r.stringAt(s, 'adminConsentDisplayName'),
    adminConsentDescription: r.stringAt(s, 'adminConsentDescription'),
    userConsentDisplayName: r.stringAt(s, 'userConsentDisplayName'),
    userConsentDescription: r.stringAt(s, 'userConsentDescription'),
  });
}

/** A password credential without `secretText` / `value`; legacy `startDate`/`endDate` accepted. */
function passwordOf(r: ManifestReader, c: Node): PasswordCredential {
  return definedOnly<PasswordCredential>({
    keyId: r.stringAt(c, 'keyId'),
    displayName: r.nullableStringAt(c, 'displayName'),
    startDateTime: dateOf(r, either(r, c, 'startDateTime', 'startDate')),
    endDateTime: dateOf(r, either(r, c, 'endDateTime', 'endDate')),
    hint: r.nullableStringAt(c, 'hint'),
    customKeyIdentifier: r.nullableStringAt(c, 'customKeyIdentifier'),
  });
}

/** A key credential without the key material. */
function keyOf(r: ManifestReader, c: Node): KeyCredential {
  const credential: KeyCredential = {};
  put(credential, 'keyId', r.stringAt(c, 'keyId'));
  put(credential, 'displayName', r.nullableStringAt(c, 'displayName'));
  put(credential, 'type', r.stringAt(c, 'type'));
  put(credential, 'usage', r.stringAt(c, 'usage'));
  put(credential, 'startDateTime', dateOf(r, either(r, c, 'startDateTime', 'startDate')));
  put(credential, 'endDateTime', dateOf(r, either(r, c, 'endDateTime', 'endDate')));
  put(credential, 'customKeyIdentifier', r.nullableStringAt(c, 'customKeyIdentifier'));
  return credential;
}

function requiredAccessOf(r: ManifestReader, node: Node): RequiredResourceAccess[] | undefined {
  return r.records(node, (e) => {
    const entry: RequiredResourceAccess = {};
    put(entry, 'resourceAppId', r.stringAt(e, 'resourceAppId'));
    const list = r.child(e, 'resourceAccess');
    const access = r.records(list, (a) => {
      const item: { id?: string; type?: string } = {};
      put(item, 'id', r.stringAt(a, 'id'));
      put(item, 'type', r.stringAt(a, 'type'));
      return item;
    });
    // Absent means none; unknown (a placeholder) stays absent.
    put(entry, 'resourceAccess', access ?? (r.unknownAt(list) === undefined ? none() : undefined));
    return entry;
  });
}

function preAuthorizedOf(
  r: ManifestReader,
  node: Node,
  idsKey: string,
): PreAuthorizedApplication[] | undefined {
  return r.records(node, (p) => {
    const entry: PreAuthorizedApplication = {};
    put(entry, 'appId', r.stringAt(p, 'appId'));
    const ids =
      idsKey === 'delegatedPermissionIds'
        ? r.child(p, idsKey)
        : r.child(p, idsKey, `${p.path}/delegatedPermissionIds`);
    put(entry, 'delegatedPermissionIds', r.strings(ids));
    return entry;
  });
}

/** The keys both formats share (same names, same shapes). */
export function commonFields(r: ManifestReader, root: Node): GraphApplication {
  const app: GraphApplication = {};
  // appId first: an unknown appId is the first thing a "not evaluated" reason should name.
  put(app, 'appId', r.stringAt(root, 'appId'));
  put(app, 'id', r.string(either(r, root, 'id', 'objectId')));
  put(app, 'identifierUris', r.strings(r.child(root, 'identifierUris'), 'keep'));
  put(app, 'signInAudience', r.stringAt(root, 'signInAudience'));
  put(app, 'requiredResourceAccess', requiredAccessOf(r, r.child(root, 'requiredResourceAccess')));
  put(
    app,
    'passwordCredentials',
    r.records(r.child(root, 'passwordCredentials'), (c) => passwordOf(r, c)),
  );
  put(
    app,
    'keyCredentials',
    r.records(r.child(root, 'keyCredentials'), (c) => keyOf(r, c)),
  );
  return app;
}

// ----- the Microsoft Graph format -------------------------------------------------------------------------------

/** The platforms that are objects holding only `redirectUris` in the Graph format. */
const OBJECT_PLATFORMS = ['spa', 'publicClient'] as const;

function graphApi(r: ManifestReader, api: Node): NonNullable<GraphApplication['api']> {
  return definedOnly<NonNullable<GraphApplication['api']>>({
    requestedAccessTokenVersion: r.tokenVersion(r.child(api, 'requestedAccessTokenVersion')),
    oauth2PermissionScopes: r.records(r.child(api, 'oauth2PermissionScopes'), (s) => scopeOf(r, s)),
    preAuthorizedApplications: preAuthorizedOf(
      r,
      r.child(api, 'preAuthorizedApplications'),
      'delegatedPermissionIds',
    ),
    knownClientApplications: r.strings(r.child(api, 'knownClientApplications')),
    acceptMappedClaims: r.nullableBooleanAt(api, 'acceptMappedClaims'),
  });
}

function implicitSettings(
  r: ManifestReader,
  node: Node,
): { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } | null | undefined {
  const implicit = r.object(node);
  if (!implicit) return implicit;
  const settings: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } = {};
  put(settings, 'enableAccessTokenIssuance', r.booleanAt(implicit, 'enableAccessTokenIssuance'));
  put(settings, 'enableIdTokenIssuance', r.booleanAt(implicit, 'enableIdTokenIssuance'));
  return settings;
}

/**
 * The Microsoft Graph format keys: the canonical shape already, trimmed to what audits read. Into `app` when given
 * (the record of the keys both formats share), instead of a record of their own copied into it.
 */
export function fromGraph(r: ManifestReader, root: Node, app: GraphApplication = {}): GraphApplication {
  put(app, 'displayName', r.stringAt(root, 'displayName'));
  const fallback = r.nullableBooleanAt(root, 'isFallbackPublicClient');
  put(app, 'isFallbackPublicClient', fallback);
  const api = r.object(r.child(root, 'api'));
  if (api !== undefined) app.api = api && graphApi(r, api);
  const web = r.object(r.child(root, 'web'));
  if (web) {
    const out: NonNullable<GraphApplication['web']> = {};
    put(out, 'redirectUris', r.strings(r.child(web, 'redirectUris'), 'keep'));
    put(out, 'implicitGrantSettings', implicitSettings(r, r.child(web, 'implicitGrantSettings')));
    put(out, 'homePageUrl', r.nullableStringAt(web, 'homePageUrl'));
    put(out, 'logoutUrl', r.nullableStringAt(web, 'logoutUrl'));
    app.web = out;
  }
  for (const platform of OBJECT_PLATFORMS) {
    if (isLegacyKey(root.value as Json, platform)) continue;
    const value = r.object(r.child(root, platform));
    if (value) {
      const out: { redirectUris?: string[] } = {};
      put(out, 'redirectUris', r.strings(r.child(value, 'redirectUris'), 'keep'));
      app[platform] = out;
    }
  }
  return app;
}

// ----- the legacy Azure AD Graph format -------------------------------------------------------------------------

/**
 * The legacy keys -> the Graph shape. `statesAllPlatforms`: whether `replyUrlsWithType` speaks for every platform
 * (a legacy manifest: a platform without entries has none) or only for the platforms it has entries of (a manifest
 * that also has Graph platform keys, whose `spa` / `web` lists say the rest). Into `app` when given (as `fromGraph`).
 */
export function fromLegacy(
  r: ManifestReader,
  root: Node,
  statesAllPlatforms: boolean,
  app: GraphApplication = {},
): GraphApplication {
  const raw = root.value as Json;
  put(app, 'displayName', r.stringAt(root, 'name', 'displayName'));
  if (!('signInAudience' in raw)) {
    const multi = r.booleanAt(root, 'availableToOtherTenants', 'signInAudience');
    if (multi !== undefined) app.signInAudience = multi ? 'AzureADMultipleOrgs' : 'AzureADMyOrg';
  }
  const publicKey = 'allowPublicClient' in raw ? 'allowPublicClient' : 'publicClient';
  if (isLegacyKey(raw, publicKey))
    put(app, 'isFallbackPublicClient', r.nullableBooleanAt(root, publicKey, 'isFallbackPublicClient'));
  app.api = legacyApi(r, root);
  Object.assign(app, legacyPlatforms(r, root, statesAllPlatforms));
  return app;
}

function legacyApi(r: ManifestReader, root: Node): NonNullable<GraphApplication['api']> {
  // The canonical paths are written out: one string for every application, not one made per read.
  const at = (key: string, path: string) => r.child(root, key, path);
  return definedOnly<NonNullable<GraphApplication['api']>>({
    requestedAccessTokenVersion: r.tokenVersion(
      at('accessTokenAcceptedVersion', 'api/requestedAccessTokenVersion'),
    ),
    oauth2PermissionScopes: r.records(at('oauth2Permissions', 'api/oauth2PermissionScopes'), (s) =>
      scopeOf(r, s),
    ),
    preAuthorizedApplications: preAuthorizedOf(
      r,
      at('preAuthorizedApplications', 'api/preAuthorizedApplications'),
      'permissionIds',
    ),
    knownClientApplications: r.strings(at('knownClientApplications', 'api/knownClientApplications')),
    acceptMappedClaims: r.nullableBooleanAt(root, 'acceptMappedClaims', 'api/acceptMappedClaims'),
  });
}

type Platform = 'web' | 'spa' | 'publicClient';
const PLATFORMS: readonly Platform[] = ['web', 'spa', 'publicClient'];
/** `<platform>/redirectUris`, written out: one string for all applications. */
const REDIRECT_URIS: Readonly<Record<Platform, string>> = {
  web: 'web/redirectUris',
  spa: 'spa/redirectUris',
  publicClient: 'publicClient/redirectUris',
};
const PLATFORM_OF_TYPE: Readonly<Record<string, Platform>> = {
  web: 'web',
  spa: 'spa',
  installedclient: 'publicClient',
};

/**
 * Redirect URIs per platform from `replyUrlsWithType`; a URL holding a placeholder is kept as written (and marked),
 * a platform with a placeholder type, or an entry that is a placeholder as a whole, is unknown.
 */
function replyUrlsWithType(
  r: ManifestReader,
  list: Node,
): { uris: Record<Platform, string[]>; unknown: Partial<Record<Platform, string>> } | undefined {
  const uris: Record<Platform, string[]> = { web: [], spa: [], publicClient: [] };
  const unknown: Partial<Record<Platform, string>> = {};
  const entries = r.objects(list);
  const whole = r.takeUnknown(list);
  if (whole !== undefined) {
    // The list itself is a placeholder: no platform is known.
    for (const platform of PLATFORMS) unknown[platform] = whole;
    return { uris, unknown };
  }
  if (!entries) return undefined;
  for (const entry of entries) {
    const typeNode = r.child(entry, 'type');
    const type = typeNode.value === undefined ? 'Web' : r.string(typeNode);
    const typeUnknown = r.takeUnknown(typeNode);
    if (typeUnknown !== undefined) {
      for (const platform of PLATFORMS) unknown[platform] ??= typeUnknown;
      continue;
    }
    const platform = PLATFORM_OF_TYPE[(type ?? 'Web').toLowerCase()] ?? 'web';
    const urlNode = r.child(entry, 'url', `${platform}/redirectUris/${uris[platform].length}`);
    const url = r.keptString(urlNode);
    if (url !== undefined) uris[platform].push(url);
    else {
      const reason = r.takeUnknown(urlNode);
      if (reason !== undefined) unknown[platform] ??= reason;
      else if (urlNode.value === undefined) r.problem(entry, 'a reply URL entry needs a "url"');
    }
  }
  return { uris, unknown };
}

/** `replyUrlsWithType` (or the older `replyUrls`), implicit-flow flags and URLs -> web / spa / publicClient. */
function legacyPlatforms(
  r: ManifestReader,
  root: Node,
  statesAllPlatforms: boolean,
): Pick<GraphApplication, Platform> {
  const raw = root.value as Json;
  const web: NonNullable<GraphApplication['web']> = {};
  const result: Pick<GraphApplication, Platform> = { web };
  // Read at its own path: only the URLs in it fill canonical paths.
  const listed = 'replyUrlsWithType' in raw ? r.child(root, 'replyUrlsWithType') : undefined;
  const read = listed && replyUrlsWithType(r, listed);
  if (listed && read) {
    for (const platform of PLATFORMS) {
      const reason = read.unknown[platform];
      const path = REDIRECT_URIS[platform];
      if (reason !== undefined) r.markUnknown(path, reason);
      else if (statesAllPlatforms || read.uris[platform].length > 0) {
        // Kept in the inventory: at its length (filled by push).
        const uris = fitted(read.uris[platform]);
        if (platform === 'web') web.redirectUris = uris;
        else result[platform] = { redirectUris: uris };
      } else continue;
      r.mapPath(path, listed);
    }
  } else if ('replyUrls' in raw) {
    // Without a reply-URL list the manifest says nothing about redirect URIs (not: "none").
    put(web, 'redirectUris', r.strings(r.child(root, 'replyUrls', 'web/redirectUris'), 'keep'));
  }
  const implicit = 'web/implicitGrantSettings';
  const accessTokens = r.child(
    root,
    'oauth2AllowImplicitFlow',
    'web/implicitGrantSettings/enableAccessTokenIssuance',
  );
  const idTokens = r.child(
    root,
    'oauth2AllowIdTokenImplicitFlow',
    'web/implicitGrantSettings/enableIdTokenIssuance',
  );
  const settings: { enableAccessTokenIssuance?: boolean; enableIdTokenIssuance?: boolean } = {};
  put(settings, 'enableAccessTokenIssuance', r.boolean(accessTokens));
  put(settings, 'enableIdTokenIssuance', r.boolean(idTokens));
  if (Object.keys(settings).length > 0) {
    web.implicitGrantSettings = settings;
    r.mapPath(implicit, settings.enableAccessTokenIssuance !== undefined ? accessTokens : idTokens);
  }
  const home = 'signInUrl' in raw ? 'signInUrl' : 'homepage';
  put(web, 'homePageUrl', r.nullableStringAt(root, home, 'web/homePageUrl'));
  put(web, 'logoutUrl', r.nullableStringAt(root, 'logoutUrl', 'web/logoutUrl'));
  return result;
}
