/**
 * Facts about Microsoft Entra endpoints, scopes and hosts (domain reference §3, §5) as pure functions.
 */

/** A parsed Entra authorize/token endpoint URL. */
export interface EndpointInfo {
  raw: string;
  url: URL | undefined;
  /** `v1` (`/oauth2/authorize|token`), `v2` (`/oauth2/v2.0/...`) or `unknown`. */
  version: 'v1' | 'v2' | 'unknown';
  /** Tenant path segment (GUID, domain, `common`, `organizations`, `consumers`). */
  tenant: string | undefined;
}

export const ENTRA_LOGIN_HOSTS: Readonly<Record<string, string>> = {
  'login.microsoftonline.com': 'AzurePublic',
  'login.microsoftonline.us': 'AzureUSGovernment',
  'login.partner.microsoftonline.cn': 'AzureChina',
  // Older hosts still found in configurations.
  'login.chinacloudapi.cn': 'AzureChina',
  'login-us.microsoftonline.com': 'AzureUSGovernment',
  'login.windows.net': 'AzurePublic',
};

/** Entra External ID (customer) tenants sign in on `<tenant>.ciamlogin.com`. */
export function isEntraLoginHost(host: string): boolean {
  const h = host.toLowerCase();
  return h in ENTRA_LOGIN_HOSTS || h.endsWith('.ciamlogin.com');
}

export const MULTI_TENANT_SEGMENTS = ['common', 'organizations', 'consumers'] as const;

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export function parseEndpoint(raw: string | undefined): EndpointInfo | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url) return { raw, url: undefined, version: 'unknown', tenant: undefined };
  const segments = url.pathname.split('/').filter(Boolean);
  const path = url.pathname.toLowerCase().replace(/\/+$/, '');
  let version: EndpointInfo['version'] = 'unknown';
  if (/\/oauth2\/v2\.0\/(authorize|token)$/.test(path)) version = 'v2';
  else if (/\/oauth2\/(authorize|token)$/.test(path)) version = 'v1';
  const tenant = segments.length >= 2 && segments[1]?.toLowerCase() === 'oauth2' ? segments[0] : undefined;
  return { raw, url, version, tenant };
}

export { isGuid } from './guid';

/**
 * Splits a space-delimited scope string. Commas are a common mistake (rules flag them); they are treated as
 * separators here so that correlation still finds the backend app behind `openid,api://<app>/Colors.Read`.
 */
export function splitScopes(scope: string | undefined | null): string[] {
  return (scope ?? '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Classifies one scope entry: `api://app/Colors.Read` -> resource + value; `api://app/.default` -> default;
 * `openid` -> oidc; `Colors.Read` -> bare (Entra resolves it against Microsoft Graph).
 */
export function classifyScope(raw: string): {
  kind: 'oidc' | 'default' | 'resource' | 'bare';
  resource?: string;
  value?: string;
} {
  if ((OIDC_SCOPES as readonly string[]).includes(raw.toLowerCase())) return { kind: 'oidc' };
  const slash = raw.lastIndexOf('/');
  if (slash <= 0) return { kind: 'bare', value: raw };
  const resource = raw.slice(0, slash);
  const value = raw.slice(slash + 1);
  if (value === '.default') return { kind: 'default', resource };
  if (value === '') return { kind: 'bare', value: raw };
  return { kind: 'resource', resource, value };
}

/**
 * Resource identifiers Entra accepts for an app: its identifierUris and its appId GUID. `api://<appId>` is
 * only valid when it was set as an App ID URI (otherwise AADSTS500011). An identifier URI holding a placeholder
 * (`api://${{TAB_DOMAIN}}/${{AAD_APP_CLIENT_ID}}`, `Origin.placeholders`) is not one: it is not the value Entra
 * will hold, so it matches nothing, not even the same placeholder elsewhere.
 */
export function resourceIdentifiers(app: {
  appId: string | undefined;
  identifierUris: string[];
  origin?: { placeholders?: Record<string, string> };
}): string[] {
  const ids = app.identifierUris.filter(
    (_, i) => app.origin?.placeholders?.[`identifierUris/${i}`] === undefined,
  );
  if (app.appId) ids.push(app.appId);
  return ids;
}

/** The appId embedded in `api://<appId>` or given as a bare GUID, if any. */
export function appIdInResource(resource: string): string | undefined {
  const match = /^(?:api:\/\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(
    resource.trim(),
  );
  return match?.[1]?.toLowerCase();
}

/** A resource identifier as Entra compares them: trimmed, trailing slashes dropped, lower case. */
export function resourceKey(s: string): string {
  const trimmed = s.trim();
  let end = trimmed.length;
  while (end > 0 && trimmed.charCodeAt(end - 1) === 0x2f) end--;
  return (end === trimmed.length ? trimmed : trimmed.slice(0, end)).toLowerCase();
}

/** Identifier comparison as Entra does it for resources: case-insensitive, trailing slash ignored. */
export function sameResource(a: string, b: string): boolean {
  return resourceKey(a) === resourceKey(b);
}
