/**
 * Which Azure credential the live sources use, and a one-line explanation when it fails.
 *
 * The order is DefaultAzureCredential's: an environment service principal (secret or certificate), workload
 * identity (a federated token file, e.g. on Kubernetes), GitHub Actions OIDC (a fresh GitHub ID token for each
 * Entra token, so a long audit outlives the 5-10 minutes one ID token lasts), then DefaultAzureCredential
 * itself for managed identity, Azure CLI (`az login`, also what `azure/login` sets up in GitHub Actions),
 * Azure PowerShell and Azure Developer CLI. The environment ones are built here from the audit's environment
 * (not `process.env` behind its back), so that what the CLI was given is what is used.
 *
 * Tokens stay in memory: cached per scope until shortly before they expire, never logged, never written.
 */
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  WorkloadIdentityCredential,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
} from '@azure/identity';
import { rootCertificates } from 'node:tls';
import { AuditError } from '../../errors';
import { coreHttpClient } from './adapters';
import type { ResolvedLiveSettings } from './settings';
import type { LiveTransport } from './transport';

type Env = Readonly<Record<string, string | undefined>>;

export interface LiveCredential {
  credential: TokenCredential;
  /** Which credential, for messages: `environment service principal 1d2e… (AZURE_CLIENT_SECRET)`. */
  describe: string;
  /** How to fix a permission problem with this credential (which identity to grant). */
  identity: string;
  /** The tenant (`tid`) of the last token obtained, when the token says. */
  tenant(): string | undefined;
  /** The last failure below HTTP (TLS, connection) of the credential's requests, if any. */
  transportFailure(): string | undefined;
}

const REFRESH_MARGIN_MS = 2 * 60_000;

/** Caches tokens per scope (the Graph client asks for one per request; Azure CLI would spawn `az` each time). */
class CachingCredential implements TokenCredential {
  private readonly cache = new Map<string, Promise<AccessToken>>();
  tid: string | undefined;
  constructor(private readonly inner: TokenCredential) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const key = [scopes].flat().join(' ');
    const cached = this.cache.get(key);
    if (cached) {
      return cached.then((token) =>
        token.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now() ? token : this.fetch(key, scopes, options),
      );
    }
    return this.fetch(key, scopes, options);
  }

  private fetch(key: string, scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const pending = this.inner.getToken(scopes, options).then((token) => {
      if (!token) throw new Error('the credential returned no token');
      this.tid = tenantClaim(token.token) ?? this.tid;
      return token;
    });
    this.cache.set(key, pending);
    pending.catch(() => this.cache.delete(key));
    return pending;
  }
}

/** The `tid` claim of a JWT access token (read in memory; the token itself is never kept elsewhere). */
function tenantClaim(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** The audience Entra expects of a federated (GitHub, Kubernetes) token. */
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * A GitHub Actions ID token from the job's OIDC endpoint (needs `permissions: id-token: write`). The request
 * token is a bearer for GitHub only; neither it nor the ID token is ever logged.
 */
async function githubIdToken(env: Env, transport: LiveTransport): Promise<string> {
  const url = new URL(value(env, 'ACTIONS_ID_TOKEN_REQUEST_URL') ?? '');
  url.searchParams.set('audience', FEDERATION_AUDIENCE);
  const reply = await transport.send({
    method: 'GET',
    url: url.toString(),
    headers: {
      authorization: `Bearer ${value(env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN') ?? ''}`,
      accept: 'application/json',
    },
  });
  const token = reply.status === 200 ? (JSON.parse(reply.body) as { value?: unknown }).value : undefined;
  if (typeof token !== 'string')
    throw new Error(
      `the GitHub Actions OIDC endpoint answered HTTP ${reply.status} (does the job have permissions: id-token: write?)`,
    );
  return token;
}

interface Chosen {
  inner: TokenCredential;
  describe: string;
  identity: string;
}

/**
 * The service principal the environment names: a client secret, a certificate, a workload identity token file
 * or GitHub Actions OIDC, in that order; undefined when it names none.
 */
// Long: one flat branch per credential the environment can name, in the order they are tried.
function environmentCredential(
  settings: ResolvedLiveSettings,
  env: Env,
  transport: LiveTransport,
  tenantId: string | undefined,
): Chosen | undefined {
  const common = {
    authorityHost: settings.cloud.authorityHost,
    // Instance discovery asks the public cloud about the authority: only right for the known clouds.
    disableInstanceDiscovery: settings.cloud.custom,
    httpClient: coreHttpClient(transport),
  };
  const clientId = value(env, 'AZURE_CLIENT_ID');
  const secret = value(env, 'AZURE_CLIENT_SECRET');
  const certificate = value(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
  const tokenFile = value(env, 'AZURE_FEDERATED_TOKEN_FILE');
  const needTenant = (what: string): string => {
    if (tenantId) return tenantId;
    throw new AuditError(
      'credential-failed',
      `${what} is set but AZURE_TENANT_ID is not: set AZURE_TENANT_ID (or live.tenantId in .auditrc.json) to the tenant of the service principal.`,
    );
  };
  if (clientId && secret) {
    return {
      inner: new ClientSecretCredential(needTenant('AZURE_CLIENT_SECRET'), clientId, secret, common),
      describe: `the environment service principal ${clientId} (AZURE_CLIENT_ID + AZURE_CLIENT_SECRET)`,
      identity: `the service principal of app ${clientId}`,
    };
  }
  if (clientId && certificate) {
    const password = value(env, 'AZURE_CLIENT_CERTIFICATE_PASSWORD');
    return {
      inner: new ClientCertificateCredential(
        needTenant('AZURE_CLIENT_CERTIFICATE_PATH'),
        clientId,
        password
          ? { certificatePath: certificate, certificatePassword: password }
          : { certificatePath: certificate },
        common,
      ),
      describe: `the environment service principal ${clientId} (AZURE_CLIENT_ID + AZURE_CLIENT_CERTIFICATE_PATH)`,
      identity: `the service principal of app ${clientId}`,
    };
  }
  const id = settings.clientId ?? clientId;
  if (tokenFile && id) {
    return {
      inner: new WorkloadIdentityCredential({
        ...common,
        tenantId: needTenant('AZURE_FEDERATED_TOKEN_FILE'),
        clientId: id,
        tokenFilePath: tokenFile,
      }),
      describe: `workload identity ${id} (AZURE_FEDERATED_TOKEN_FILE)`,
      identity: `the service principal of app ${id}`,
    };
  }
  if (value(env, 'ACTIONS_ID_TOKEN_REQUEST_URL') && value(env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN') && id) {
    return {
      inner: new ClientAssertionCredential(
        needTenant('AZURE_CLIENT_ID (with GitHub Actions OIDC)'),
        id,
        () => githubIdToken(env, transport),
        common,
      ),
      describe: `GitHub Actions OIDC federated with app ${id} (AZURE_CLIENT_ID + id-token: write)`,
      identity: `the service principal of app ${id}`,
    };
  }
  return undefined;
}

export function createCredential(
  settings: ResolvedLiveSettings,
  env: Env,
  transport: LiveTransport,
): LiveCredential {
  const tenantId = settings.tenantId ?? value(env, 'AZURE_TENANT_ID');
  const chosen: Chosen = environmentCredential(settings, env, transport, tenantId) ?? {
    // Managed identity talks plain http to IMDS with its own probe timeouts: DefaultAzureCredential keeps the
    // SDK's HTTP client (trusting APIM_AUDIT_CA_FILE too, if given).
    inner: new DefaultAzureCredential({
      authorityHost: settings.cloud.authorityHost,
      disableInstanceDiscovery: settings.cloud.custom,
      ...(settings.ca ? { tlsOptions: { ca: [...rootCertificates, settings.ca] } } : {}),
      ...(tenantId ? { tenantId } : {}),
      ...(settings.clientId
        ? { managedIdentityClientId: settings.clientId, workloadIdentityClientId: settings.clientId }
        : {}),
    }),
    describe: 'DefaultAzureCredential (managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI)',
    identity: 'the signed-in identity (the managed identity, or the account of `az login`)',
  };
  const caching = new CachingCredential(chosen.inner);
  return {
    credential: caching,
    describe: chosen.describe,
    identity: chosen.identity,
    tenant: () => caching.tid,
    transportFailure: () => transport.lastFailure,
  };
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** AADSTS code -> what to do. */
const AADSTS_ADVICE: Record<string, string> = {
  '7000215':
    'the client secret was rejected (AADSTS7000215, invalid client secret): set AZURE_CLIENT_SECRET to the value (not the id) of a current secret of the app registration',
  '7000222':
    'the client secret has expired (AADSTS7000222): create a new client secret and set AZURE_CLIENT_SECRET',
  '700016':
    'the application was not found in the tenant (AADSTS700016): check AZURE_CLIENT_ID and AZURE_TENANT_ID',
  '90002': 'the tenant was not found (AADSTS90002): check AZURE_TENANT_ID or live.tenantId',
  '900023': 'the tenant id is not valid (AADSTS900023): check AZURE_TENANT_ID or live.tenantId',
  '70021':
    'no federated identity credential matches the presented token (AADSTS70021): add one for this workflow (issuer and subject) to the app registration',
  '700213':
    'no federated identity credential matches the presented token (AADSTS700213): check the subject (branch, environment) of the federated credential',
  '700024': 'the federated token has expired (AADSTS700024): request a fresh OIDC token',
  '500011':
    'the resource is not known in the tenant (AADSTS500011): check the cloud setting (live.cloud / APIM_AUDIT_CLOUD)',
  '7000112': 'the application is disabled (AADSTS7000112)',
};

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const nested = (error as { errors?: unknown[] }).errors;
    const inner = Array.isArray(nested) ? nested.map(errorText).join(' | ') : '';
    return `${error.name}: ${error.message} ${inner}`;
  }
  return String(error);
}

/** One line: which credential was tried, for what, and what to do. */
export function explainCredentialError(error: unknown, credential: LiveCredential, resource: string): string {
  const text = errorText(error);
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  const prefix = `Could not get a token for ${resource} with ${credential.describe}`;
  if (code && AADSTS_ADVICE[code]) return `${prefix}: ${AADSTS_ADVICE[code]}.`;
  if (code)
    return `${prefix}: Entra ID refused it (AADSTS${code}): ${firstLine(text.slice(text.indexOf('AADSTS')))}`;
  const below = credential.transportFailure();
  if (
    below?.includes('TLS certificate not trusted') ||
    /LiveTlsError|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(text)
  )
    return `${prefix}: ${below ?? 'the TLS certificate is not trusted'}; behind a TLS-inspecting proxy, set APIM_AUDIT_CA_FILE to its CA certificate (PEM).`;
  if (below || /LiveTransportError|ENOTFOUND|ECONNREFUSED|endpoints_resolution_error/i.test(text))
    return `${prefix}: the login endpoint could not be reached (${below ?? firstLine(text).slice(0, 200)}); check the network, the cloud setting and APIM_AUDIT_AUTHORITY_HOST.`;
  if (/AggregateAuthenticationError|CredentialUnavailableError|az login|not installed/i.test(text))
    return `${prefix}: no credential is available. Run \`az login\` (with --tenant <tenant>), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run where a managed identity is assigned.`;
  return `${prefix}: ${firstLine(text).slice(0, 300)}`;
}

/** Gets a token once before any request, so a bad credential fails fast with one clear line (exit 2). */
export async function ensureToken(
  credential: LiveCredential,
  scope: string,
  resource: string,
): Promise<void> {
  try {
    await credential.credential.getToken(scope);
  } catch (error) {
    throw new AuditError('credential-failed', explainCredentialError(error, credential, resource));
  }
}
