/**
 * Settings of the live sources: `.auditrc.json` `live`, overridden by `APIM_AUDIT_*` environment variables.
 * Resolves the cloud to its three endpoints (login, Graph, ARM) and token scopes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../errors';
import type { CloudName } from '../../entra/clouds';
import type { LiveSettings } from '../../config/types';

export interface CloudEndpoints {
  /** The cloud the tenant belongs to (what rules expect of login hosts): a known one, or `Custom`. */
  name: CloudName;
  /** Endpoints given explicitly (custom cloud, proxy, emulator) rather than the known cloud's. */
  custom: boolean;
  authorityHost: string;
  graphEndpoint: string;
  resourceManagerEndpoint: string;
  graphScope: string;
  resourceManagerScope: string;
}

export interface ResolvedLiveSettings {
  cloud: CloudEndpoints;
  /** Tenant to authenticate to (GUID or domain); undefined = the credential's own. */
  tenantId: string | undefined;
  /** Client id of a user-assigned managed identity or workload identity. */
  clientId: string | undefined;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  /** First backoff delay of 5xx / reset / timeout retries; doubles each time. */
  retryBaseMs: number;
  includeAllRevisions: boolean;
  /** Extra trusted CA certificates (PEM), for TLS-inspecting proxies or a test emulator. */
  ca: string | undefined;
}

const KNOWN_CLOUDS: Record<Exclude<CloudName, 'Custom'>, Omit<CloudEndpoints, 'name' | 'custom'>> = {
  AzurePublic: {
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.microsoft.com',
    resourceManagerEndpoint: 'https://management.azure.com',
    graphScope: 'https://graph.microsoft.com/.default',
    resourceManagerScope: 'https://management.azure.com/.default',
  },
  AzureUSGovernment: {
    authorityHost: 'https://login.microsoftonline.us',
    graphEndpoint: 'https://graph.microsoft.us',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    graphScope: 'https://graph.microsoft.us/.default',
    resourceManagerScope: 'https://management.usgovcloudapi.net/.default',
  },
  AzureChina: {
    authorityHost: 'https://login.partner.microsoftonline.cn',
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    graphScope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    resourceManagerScope: 'https://management.chinacloudapi.cn/.default',
  },
};

/** The environment variables the live sources read, for docs and error messages. */
export const LIVE_ENV = {
  cloud: 'APIM_AUDIT_CLOUD',
  authorityHost: 'APIM_AUDIT_AUTHORITY_HOST',
  graphEndpoint: 'APIM_AUDIT_GRAPH_ENDPOINT',
  resourceManagerEndpoint: 'APIM_AUDIT_ARM_ENDPOINT',
  graphScope: 'APIM_AUDIT_GRAPH_SCOPE',
  resourceManagerScope: 'APIM_AUDIT_ARM_SCOPE',
  tenantId: 'APIM_AUDIT_TENANT_ID',
  clientId: 'APIM_AUDIT_CLIENT_ID',
  concurrency: 'APIM_AUDIT_CONCURRENCY',
  timeoutSeconds: 'APIM_AUDIT_TIMEOUT_SECONDS',
  maxRetries: 'APIM_AUDIT_MAX_RETRIES',
  retryBaseMs: 'APIM_AUDIT_RETRY_BASE_MS',
  caFile: 'APIM_AUDIT_CA_FILE',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function httpsEndpoint(value: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuditError('config-invalid', `${origin}: '${value}' is not an absolute URL.`);
  }
  if (url.protocol !== 'https:')
    throw new AuditError(
      'config-invalid',
      `${origin}: '${value}' must be an https:// URL (the SDKs refuse tokens over http).`,
    );
  return value.replace(/\/+$/, '');
}

type CustomEndpoints = Pick<CloudEndpoints, 'authorityHost' | 'graphEndpoint' | 'resourceManagerEndpoint'>;

/** A custom cloud's endpoints from the environment: all three or none. */
function envEndpoints(env: Env): CustomEndpoints | undefined {
  const names = [LIVE_ENV.authorityHost, LIVE_ENV.graphEndpoint, LIVE_ENV.resourceManagerEndpoint];
  const given = names.filter((n) => envValue(env, n) !== undefined);
  if (given.length > 0 && given.length < names.length) {
    const missing = names.filter((n) => !given.includes(n));
    throw new AuditError(
      'config-invalid',
      `A custom cloud needs all three endpoints: ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not.`,
    );
  }
  if (given.length < names.length) return undefined;
  return {
    authorityHost: httpsEndpoint(envValue(env, LIVE_ENV.authorityHost) ?? '', LIVE_ENV.authorityHost),
    graphEndpoint: httpsEndpoint(envValue(env, LIVE_ENV.graphEndpoint) ?? '', LIVE_ENV.graphEndpoint),
    resourceManagerEndpoint: httpsEndpoint(
      envValue(env, LIVE_ENV.resourceManagerEndpoint) ?? '',
      LIVE_ENV.resourceManagerEndpoint,
    ),
  };
}

function resolveCloud(live: LiveSettings, env: Env): CloudEndpoints {
  const scopes = {
    graph: envValue(env, LIVE_ENV.graphScope),
    arm: envValue(env, LIVE_ENV.resourceManagerScope),
  };
  let custom = envEndpoints(env);
  const fromEnv = envValue(env, LIVE_ENV.cloud);
  if (fromEnv !== undefined && !(fromEnv in KNOWN_CLOUDS)) {
    throw new AuditError(
      'config-invalid',
      `${LIVE_ENV.cloud}=${fromEnv}: must be one of ${Object.keys(KNOWN_CLOUDS).join(', ')} (for a custom cloud, set ${LIVE_ENV.authorityHost}, ${LIVE_ENV.graphEndpoint} and ${LIVE_ENV.resourceManagerEndpoint}).`,
    );
  }
  const configured = live.cloud;
  const named = (fromEnv ?? (typeof configured === 'string' ? configured : undefined)) as
    keyof typeof KNOWN_CLOUDS | undefined;
  if (!custom && typeof configured === 'object') {
    custom = {
      authorityHost: httpsEndpoint(configured.authorityHost, 'live.cloud.authorityHost'),
      graphEndpoint: httpsEndpoint(configured.graphEndpoint, 'live.cloud.graphEndpoint'),
      resourceManagerEndpoint: httpsEndpoint(
        configured.resourceManagerEndpoint,
        'live.cloud.resourceManagerEndpoint',
      ),
    };
  }
  const known = named ? KNOWN_CLOUDS[named] : undefined;
  if (custom) {
    // Endpoints of their own, with or without a named cloud: a named cloud keeps its identity (the login host
    // rules expect, the token audiences) while requests go to the given endpoints (a proxy, an emulator).
    return {
      name: named ?? 'Custom',
      ...custom,
      custom: true,
      graphScope: scopes.graph ?? known?.graphScope ?? `${custom.graphEndpoint}/.default`,
      resourceManagerScope:
        scopes.arm ?? known?.resourceManagerScope ?? `${custom.resourceManagerEndpoint}/.default`,
    };
  }
  const cloud = known ?? KNOWN_CLOUDS.AzurePublic;
  return {
    name: named ?? 'AzurePublic',
    ...cloud,
    custom: false,
    graphScope: scopes.graph ?? cloud.graphScope,
    resourceManagerScope: scopes.arm ?? cloud.resourceManagerScope,
  };
}

function number(
  env: Env,
  name: string,
  fallback: number,
  check: { integer: boolean; min: number; max: number },
): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const ok =
    Number.isFinite(value) &&
    (!check.integer || Number.isInteger(value)) &&
    value >= check.min &&
    value <= check.max;
  if (!ok)
    throw new AuditError(
      'config-invalid',
      `${name}=${text}: must be ${check.integer ? 'an integer' : 'a number'} from ${check.min} to ${check.max}.`,
    );
  return value;
}

function readCa(env: Env, cwd: string): string | undefined {
  const file = envValue(env, LIVE_ENV.caFile);
  if (file === undefined) return undefined;
  try {
    const text = readFileSync(path.resolve(cwd, file), 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return text;
  } catch (error) {
    throw new AuditError('config-invalid', `${LIVE_ENV.caFile}=${file}: ${(error as Error).message}`);
  }
}

/** Config + environment -> settings; invalid environment values are configuration errors (exit 2). */
export function resolveLiveSettings(live: LiveSettings, env: Env, cwd: string): ResolvedLiveSettings {
  return {
    cloud: resolveCloud(live, env),
    tenantId: envValue(env, LIVE_ENV.tenantId) ?? live.tenantId,
    clientId: envValue(env, LIVE_ENV.clientId) ?? live.clientId,
    concurrency: number(env, LIVE_ENV.concurrency, live.concurrency ?? 8, { integer: true, min: 1, max: 64 }),
    timeoutMs:
      1000 *
      number(env, LIVE_ENV.timeoutSeconds, live.timeoutSeconds ?? 30, {
        integer: false,
        min: 0.001,
        max: 600,
      }),
    maxRetries: number(env, LIVE_ENV.maxRetries, live.maxRetries ?? 4, { integer: true, min: 0, max: 10 }),
    retryBaseMs: number(env, LIVE_ENV.retryBaseMs, 500, { integer: true, min: 0, max: 60_000 }),
    includeAllRevisions: live.includeAllRevisions ?? false,
    ca: readCa(env, cwd),
  };
}
