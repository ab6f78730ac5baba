/**
 * The manifest source: Entra app manifests as the portal downloads them, in the legacy Azure AD Graph format
 * (`accessTokenAcceptedVersion`, `replyUrlsWithType`, `oauth2Permissions`, ...) or the Microsoft Graph format,
 * told apart per object (domain reference §2). A file holds one application object, a JSON array of them, or a
 * Graph page `{ "value": [...] }` (`az ad app list --all`, `az rest`); a folder loads every `*.json` file in it
 * (teams keep one file per app), recursively, skipping dot-folders.
 *
 * Legacy manifests are translated into the Graph shape; `Origin.paths` maps each canonical Graph path to the
 * legacy key it came from, so findings point at the right line. Secret values (`secretText`, `value`, `key`) are
 * never kept.
 *
 * Performance: a tenant-sized folder (10,000 files) is read with `JSON.parse` only; the position-keeping parse
 * runs lazily, for the few files a finding is located in (see bench/manifests.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../engine/errors';
import type {
  GraphApplication,
  Inventory,
  InventoryApplication,
  KeyCredential,
  Origin,
  PasswordCredential,
  PermissionScope,
  PositionIndex,
  PreAuthorizedApplication,
  RequiredResourceAccess,
} from '../inventory/types';
import { joinPointer, parseJsonWithPositions } from '../json/positions';
import { displayPath } from '../util/package-root';
import type { SourceDefinition } from './types';
import { isRecord as isObject } from '../util/json';

type Json = Record<string, unknown>;

/** Keys only the legacy Azure AD Graph manifest has. */
const LEGACY_KEYS = [
  'replyUrlsWithType',
  'replyUrls',
  'oauth2Permissions',
  'accessTokenAcceptedVersion',
  'oauth2AllowImplicitFlow',
  'oauth2AllowIdTokenImplicitFlow',
  'allowPublicClient',
  'availableToOtherTenants',
  'signInUrl',
  'homepage',
];
/** Keys only the Microsoft Graph format has (objects where the legacy format is flat). */
const GRAPH_KEYS = ['api', 'web', 'spa', 'isFallbackPublicClient', 'implicitGrantSettings'];
/** Keys that make a JSON object an application (both formats). */
const APP_KEYS = [
  ...LEGACY_KEYS,
  ...GRAPH_KEYS,
  'signInAudience',
  'requiredResourceAccess',
  'identifierUris',
  'passwordCredentials',
  'keyCredentials',
];

export const manifestSource: SourceDefinition = {
  describe:
    'an Entra app manifest (legacy Azure AD Graph or Microsoft Graph format), a JSON array or Graph page of applications, or a folder of them',
  takesPath: true,
  phase: 'files',
  detect: (location, stats, peek) =>
    stats.isDirectory() ? isManifestFolder(location) : peek !== undefined && looksLikeManifest(peek),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(loadManifests(location, raw, context.cwd));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

/** Whether text (the start of a file) looks like an application object, array or page, and not another kind. */
export function looksLikeManifest(peek: string): boolean {
  // UTF-16 text read as UTF-8 has a NUL after every ASCII character.
  const text = peek.replaceAll(String.fromCharCode(0), '');
  if (/"apim-oauth-audit\/snapshot"|deploymentTemplate\.json#|"planned_values"\s*:/.test(text)) return false;
  if (!/"appId"\s*:/i.test(text)) return false;
  return APP_KEYS.some((key) => new RegExp(`"${key}"\\s*:`, 'i').test(text));
}

function isManifestFolder(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith('.json'))
      .sort()
      .slice(0, 3);
  } catch {
    return false;
  }
  if (names.length === 0) return false;
  return names.every((name) => {
    try {
      return looksLikeManifest(
        readFileSync(path.join(dir, name))
          .subarray(0, 64 * 1024)
          .toString('utf8'),
      );
    } catch {
      return false;
    }
  });
}

/** Every `*.json` file under `dir`, sorted, skipping folders whose name starts with a dot. */
function jsonFilesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

export function loadManifests(location: string, spec: string, cwd: string): Inventory {
  let files: string[];
  try {
    files = statSync(location).isDirectory() ? jsonFilesUnder(location) : [location];
  } catch (error) {
    throw new AuditError(
      'source-unreadable',
      `Cannot read manifest source ${displayPath(location, cwd)}: ${(error as Error).message}`,
    );
  }
  if (files.length === 0) {
    throw new AuditError(
      'source-invalid',
      `Manifest folder ${displayPath(location, cwd)} contains no *.json files.`,
    );
  }
  const inventory: Inventory = {
    sources: [{ spec, provides: { entra: true, apim: false } }],
    applications: [],
    services: [],
    gaps: [],
    files: {},
  };
  const problems: string[] = [];
  for (const file of files) {
    const shown = displayPath(file, cwd);
    let text: string;
    try {
      text = decodeText(readFileSync(file));
    } catch (error) {
      problems.push(`${shown}: cannot read: ${(error as Error).message}`);
      continue;
    }
    const result = parseManifestText(text, shown);
    if ('problems' in result) {
      problems.push(...result.problems);
      continue;
    }
    inventory.applications.push(...result.applications);
    inventory.files[shown] = result.index;
  }
  if (problems.length > 0) {
    throw new AuditError(
      'source-invalid',
      `Manifest source ${displayPath(location, cwd)} has ${problems.length} problem(s):`,
      problems,
    );
  }
  return inventory;
}

/** Text of a file: UTF-8 (BOM dropped), or UTF-16 LE/BE with BOM (PowerShell writes those). */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A position index that parses the file with positions only when a finding is first located in it: most files
 * of a large folder never need one.
 */
export function lazyJsonIndex(text: string): PositionIndex {
  let index: PositionIndex | undefined;
  const get = (): PositionIndex => {
    if (!index) {
      const parsed = parseJsonWithPositions(text);
      index =
        'problems' in parsed ? { locate: () => undefined, locateOffset: () => undefined } : parsed.index;
    }
    return index;
  };
  return {
    locate: (pointer) => get().locate(pointer),
    locateOffset: (pointer, offset) => get().locateOffset(pointer, offset),
  };
}

/** Parses one manifest file's text: its applications (with origins) and a lazy position index, or problems. */
export function parseManifestText(
  text: string,
  file: string,
): { applications: InventoryApplication[]; index: PositionIndex } | { problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const parsed = parseJsonWithPositions(text);
    const problems =
      'problems' in parsed
        ? parsed.problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`)
        : [`${file}: not valid JSON`];
    return { problems };
  }
  const index = lazyJsonIndex(text);
  const objects = applicationObjects(value);
  const located = (pointer: string, message: string) => {
    const position = index.locate(pointer);
    return position ? `${file}:${position.line}:${position.column}: ${message}` : `${file}: ${message}`;
  };
  if (!objects) {
    return {
      problems: [
        located(
          '',
          'not an app manifest: expected an application object with appId, a JSON array of them, or a Graph page { "value": [...] }',
        ),
      ],
    };
  }
  const problems: string[] = [];
  const applications: InventoryApplication[] = [];
  for (const { object, pointer } of objects) {
    const result = translateApplication(object, file, pointer);
    if (typeof result === 'string') problems.push(located(pointer, result));
    else applications.push(result);
  }
  return problems.length > 0 ? { problems } : { applications, index };
}

/** The application objects of a document, with their pointers; undefined when the shape is none of ours. */
function applicationObjects(value: unknown): { object: unknown; pointer: string }[] | undefined {
  if (Array.isArray(value)) return value.map((object, i) => ({ object, pointer: joinPointer('', i) }));
  if (!isObject(value)) return undefined;
  if (Array.isArray(value['value']) && !('appId' in value) && !('AppId' in value)) {
    return value['value'].map((object, i) => ({ object, pointer: joinPointer('/value', i) }));
  }
  const keys = Object.keys(value);
  if (keys.some((k) => k === 'appId' || k === 'AppId' || APP_KEYS.includes(k)))
    return [{ object: value, pointer: '' }];
  return undefined;
}

/** One application object -> the Graph shape with its origin, or a problem description. */
function translateApplication(object: unknown, file: string, pointer: string): InventoryApplication | string {
  if (!isObject(object)) return 'expected an application object';
  let raw = object;
  let paths: Record<string, string> = {};
  if (!('appId' in raw) && 'AppId' in raw) {
    // Microsoft Graph PowerShell SDK output (`Get-MgApplication | ConvertTo-Json`): PascalCase keys.
    const converted = camelCaseKeys(raw, pointer, '', paths);
    raw = converted;
  }
  const appId = raw['appId'];
  if (typeof appId !== 'string' || appId.trim() === '') {
    return 'application has no appId (the Application (client) ID); every manifest needs one';
  }
  const legacy = LEGACY_KEYS.filter((k) => k in raw);
  const graph = GRAPH_KEYS.filter((k) => k in raw);
  if (legacy.length > 0 && graph.length > 0) {
    return `mixes legacy Azure AD Graph keys (${legacy.join(', ')}) with Microsoft Graph keys (${graph.join(', ')}); download it again in one format`;
  }
  const { app, paths: legacyPaths } = legacy.length > 0 ? fromLegacy(raw, pointer) : fromGraph(raw);
  paths = { ...paths, ...legacyPaths };
  const origin: Origin = { file, pointer };
  if (app.id) origin.graphObjectId = app.id;
  if (Object.keys(paths).length > 0) origin.paths = paths;
  return { ...app, origin };
}

/**
 * PascalCase keys (PowerShell SDK) -> camelCase, recording for every converted node which pointer it came from
 * so that findings still land on the right key.
 */
function camelCaseKeys(
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

/** Sets `target[key]` only when the value is defined (exactOptionalPropertyTypes). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
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
function fromGraph(raw: Json): { app: GraphApplication; paths: Record<string, string> } {
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
function fromLegacy(raw: Json, base: string): { app: GraphApplication; paths: Record<string, string> } {
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
