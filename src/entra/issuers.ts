/**
 * Entra token issuers and OpenID Connect metadata URLs (domain reference §3.2-§3.4): a v1.0 access token has
 * `iss` = `https://sts.windows.net/<tid>/` (`sts.chinacloudapi.cn` in Azure China), a v2.0 token
 * `https://<login host>/<tid>/v2.0`. The metadata document at `<login host>/<tenant>/.well-known/openid-configuration`
 * announces the v1.0 issuer, the one at `<login host>/<tenant>/v2.0/.well-known/openid-configuration` the v2.0 one.
 */
import type { CloudName } from './clouds';
import { ENTRA_LOGIN_HOSTS, isGuid, MULTI_TENANT_SEGMENTS } from './endpoints';

export type TokenVersion = 1 | 2;

export const V1_ISSUER_HOSTS: Readonly<Record<string, CloudName>> = {
  'sts.windows.net': 'AzurePublic',
  'sts.chinacloudapi.cn': 'AzureChina',
};

const V2_ISSUER_HOST: Readonly<Partial<Record<CloudName, string>>> = {
  AzurePublic: 'login.microsoftonline.com',
  AzureUSGovernment: 'login.microsoftonline.us',
  AzureChina: 'login.partner.microsoftonline.cn',
};

/** Placeholder for a `{{named value}}` that could not be substituted, so the rest of a URL still parses. */
const OPAQUE = 'opaque-named-value';

export interface MetadataUrl {
  /** Issuer version the document announces; undefined for a non-Entra or unrecognised URL. */
  version: TokenVersion | undefined;
  /** Tenant segment (GUID, domain, `common`, ...); undefined when it is an unresolved named value. */
  tenant: string | undefined;
  /** Cloud of the login host, when it is an Entra host. */
  cloud: CloudName | undefined;
  host: string;
  /** `<tenant>.ciamlogin.com` or a B2C `tfp` path: issuers follow other rules; not judged. */
  special: boolean;
}

export function cloudOfLoginHost(host: string): CloudName | undefined {
  const cloud = ENTRA_LOGIN_HOSTS[host.toLowerCase()];
  return cloud as CloudName | undefined;
}

function toUrl(value: string): URL | undefined {
  try {
    return new URL(value.replace(/\{\{[^{}]*\}\}/g, OPAQUE));
  } catch {
    return undefined;
  }
}

/** Reads an `openid-config` URL (named values already substituted where known). */
export function parseMetadataUrl(value: string): MetadataUrl | undefined {
  const url = toUrl(value.trim());
  if (!url) return undefined;
  const host = url.hostname.toLowerCase();
  const cloud = cloudOfLoginHost(host);
  const segments = url.pathname.split('/').filter(Boolean);
  const tenantSegment = segments[0];
  const tenant = tenantSegment === undefined || tenantSegment === OPAQUE ? undefined : tenantSegment;
  const special = host.endsWith('.ciamlogin.com') || tenantSegment?.toLowerCase() === 'tfp';
  if (!cloud || special) return { version: undefined, tenant, cloud, host, special };
  const rest = segments.slice(1).join('/').toLowerCase();
  let version: TokenVersion | undefined;
  if (rest === 'v2.0/.well-known/openid-configuration') version = 2;
  else if (rest === '.well-known/openid-configuration') version = 1;
  return { version, tenant, cloud, host, special };
}

export interface IssuerInfo {
  version: TokenVersion;
  tenant: string;
  cloud: CloudName | undefined;
}

/** Reads an Entra issuer value exactly (a v1.0 issuer needs its trailing slash, a v2.0 issuer has none). */
export function parseIssuer(value: string): IssuerInfo | undefined {
  const match = /^https:\/\/([^/]+)\/([^/]+)(\/|\/v2\.0)$/i.exec(value.trim());
  if (!match) return undefined;
  const host = (match[1] ?? '').toLowerCase();
  const tenant = match[2] ?? '';
  if (match[3] === '/') {
    const cloud = V1_ISSUER_HOSTS[host];
    return cloud ? { version: 1, tenant, cloud } : undefined;
  }
  const cloud = Object.entries(V2_ISSUER_HOST).find(([, h]) => h === host)?.[0] as CloudName | undefined;
  return cloud ? { version: 2, tenant, cloud } : undefined;
}

/** The issuer of `version` tokens of a tenant, in a cloud; `<tenant-id>` when the tenant id is unknown. */
export function entraIssuer(version: TokenVersion, tenant: string | undefined, cloud: CloudName): string {
  const tid = tenant ?? '<tenant-id>';
  if (version === 1)
    return `https://${cloud === 'AzureChina' ? 'sts.chinacloudapi.cn' : 'sts.windows.net'}/${tid}/`;
  return `https://${V2_ISSUER_HOST[cloud] ?? 'login.microsoftonline.com'}/${tid}/v2.0`;
}

/** The metadata URL announcing `version` issuers of a tenant. */
export function entraMetadataUrl(
  version: TokenVersion,
  tenant: string | undefined,
  cloud: CloudName,
): string {
  const host = V2_ISSUER_HOST[cloud] ?? 'login.microsoftonline.com';
  const tid = tenant ?? '<tenant-id>';
  return version === 2
    ? `https://${host}/${tid}/v2.0/.well-known/openid-configuration`
    : `https://${host}/${tid}/.well-known/openid-configuration`;
}

/** What tokens of an API look like, as far as issuers go: the backend's token version, tenant and cloud. */
export interface IssuerExpectation {
  version: TokenVersion;
  /** Tenant id (GUID) the tokens are issued by; undefined when the data does not say. */
  tenant: string | undefined;
  cloud: CloudName;
}

/** The tenant id an authorization server signs in with (its endpoints' GUID segment), else the snapshot's. */
/** Whether issuer metadata for a tenant segment matches a tenant id (domains and multi-tenant segments cannot be compared offline). */
export function tenantMatches(segment: string | undefined, tenant: string | undefined): boolean {
  if (segment === undefined || tenant === undefined || !isGuid(segment)) return true;
  return segment.toLowerCase() === tenant.toLowerCase();
}

export function isMultiTenantSegment(segment: string | undefined): boolean {
  return (MULTI_TENANT_SEGMENTS as readonly string[]).includes(segment?.toLowerCase() ?? '');
}

/** An issuer spelling no Entra token carries, with the issuers meant (domain reference §11). */
export interface MisspeltIssuer {
  /** `https://sts.windows.net/<tenant>` lacks the trailing `/`; `https://login.../<tenant>/` lacks `v2.0`. */
  problem: 'v1-without-slash' | 'login-without-v2';
  /** The issuers a token could carry instead, v2.0 first: what the finding suggests. */
  meant: { version: TokenVersion; issuer: string }[];
}

/**
 * Whether an issuer value (named values substituted where known) is one of the two spellings that never match an
 * Entra token: a v1.0 issuer without its trailing slash, or a tenant issuer on a v2.0 login host without `/v2.0`.
 * A placeholder in the tenant segment is read as a tenant id (no `/` in it); an expression is not judged.
 */
export function misspeltIssuer(value: string): MisspeltIssuer | undefined {
  const match = /^https:\/\/([^/\s]+)\/([^/\s]+)(\/?)$/i.exec(value.trim());
  if (!match) return undefined;
  const host = (match[1] ?? '').toLowerCase();
  const tenant = match[2] ?? '';
  if (tenant.toLowerCase() === 'tfp' || tenant.toLowerCase() === 'v2.0') return undefined;
  // Tokens name the tenant that issued them, never `common` / `organizations`.
  const tid = isMultiTenantSegment(tenant) ? '<tenant-id>' : tenant;
  if (V1_ISSUER_HOSTS[host] && match[3] === '') {
    return { problem: 'v1-without-slash', meant: [{ version: 1, issuer: `https://${host}/${tid}/` }] };
  }
  const v2Cloud = Object.entries(V2_ISSUER_HOST).find(([, h]) => h === host)?.[0] as CloudName | undefined;
  if (!v2Cloud) return undefined;
  return {
    problem: 'login-without-v2',
    meant: [
      { version: 2, issuer: `https://${host}/${tid}/v2.0` },
      { version: 1, issuer: entraIssuer(1, tid, v2Cloud) },
    ],
  };
}
