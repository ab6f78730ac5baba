/**
 * Which tokens a `validate-jwt` / `validate-azure-ad-token` accepts, and which app registrations stand behind
 * them (domain reference §3, §11). Most real validations sit on APIs that declare no authorization server, so the
 * backend app is found from what the validation itself accepts: an audience (or `aud` claim value, or
 * `<backend-application-ids>` entry) equal to an app's appId or one of its identifierUris. The authorization
 * servers of the protected APIs lead to backend apps as well; both routes are merged per app.
 *
 * A validation of tokens that Entra does not issue (a self-minted HS256 token, Auth0, Okta, Azure AD B2C,
 * Entra External ID) is outside the Entra reasoning: the `jwt-*` rules leave it to the generic checks.
 */
import { isEntraLoginHost } from '../../src/entra/endpoints';
import { resolveScopeApp } from '../../src/model/correlate';
import { foreignLoginHosts } from './queries';
import type { Api, App, AuthServer, Evidence, Model } from '../../src/model/types';
import { V1_ISSUER_HOSTS } from '../../src/entra/issuers';
import { serverReferences, type ValidationConfig, type ValidationUse, type ValueElement } from './jwt';
import { attr } from '../../src/policy/parser';
import { serverBackendEvidence, serverEndpointsEvidence } from './policy-evidence';
import { fitted } from '../../src/util/lists';

/** A Microsoft API whose tokens a validation must never accept as its own. */
export interface FirstPartyApi {
  name: string;
  /** The appId and resource URIs its tokens carry as `aud` (compared case-insensitively, trailing `/` ignored). */
  identifiers: readonly string[];
}

/**
 * Microsoft first-party APIs that public validate-jwt policies copied from samples accept (domain reference §11):
 * any app that can get a token for them (for a user, or for itself) could replay it against the API.
 */
export const FIRST_PARTY_APIS: readonly FirstPartyApi[] = [
  {
    name: 'Microsoft Graph',
    identifiers: [
      '00000003-0000-0000-c000-000000000000',
      'https://graph.microsoft.com',
      'https://graph.microsoft.us',
      'https://dod-graph.microsoft.us',
      'https://microsoftgraph.chinacloudapi.cn',
    ],
  },
  {
    name: 'Azure AD Graph (retired)',
    identifiers: ['00000002-0000-0000-c000-000000000000', 'https://graph.windows.net'],
  },
  {
    name: 'Azure Resource Manager',
    identifiers: [
      '797f4846-ba00-4fd7-ba43-dac1f8f63013',
      'https://management.azure.com',
      'https://management.core.windows.net',
      'https://management.usgovcloudapi.net',
      'https://management.chinacloudapi.cn',
    ],
  },
];

function normalizedIdentifier(value: string): string {
  return value.trim().replace(/\/+$/, '').toLowerCase();
}

/** Each identifier of FIRST_PARTY_APIS, normalized, and the first API that lists it. */
const FIRST_PARTY_BY_IDENTIFIER = new Map<string, FirstPartyApi>();
for (const api of FIRST_PARTY_APIS) {
  for (const id of api.identifiers) {
    const key = normalizedIdentifier(id);
    if (!FIRST_PARTY_BY_IDENTIFIER.has(key)) FIRST_PARTY_BY_IDENTIFIER.set(key, api);
  }
}

/** The Microsoft API an accepted audience belongs to, if it is one. */
export function firstPartyApi(value: string): FirstPartyApi | undefined {
  return FIRST_PARTY_BY_IDENTIFIER.get(normalizedIdentifier(value));
}

/**
 * Who issues the tokens a validation accepts, as far as the policy and the API's servers tell; `evidence` is what
 * the answer rests on besides the policy text (the servers, when they decided).
 */
export type TokenIssuer = (
  | { kind: 'entra' }
  /** `why`: `Auth0 (contoso.auth0.com)`, `a symmetric key in the policy`, ... for messages and docs. */
  | { kind: 'foreign'; why: string }
  | { kind: 'unknown' }
) & { evidence: Evidence[] };

/** A URL's host as written (placeholders included), lower-cased. */
function hostOf(value: string): string | undefined {
  return /^\s*https?:\/\/([^/?#\s]+)/i.exec(value)?.[1]?.toLowerCase();
}

/** Whether a host still holds a placeholder (`{{name}}`, `${var}`, `#{Token}#`, `__Token__`, `$(var)`). */
function hasPlaceholder(host: string): boolean {
  return /[{}$#%()]|__/.test(host);
}

function firstPathSegment(value: string): string | undefined {
  return /^\s*https?:\/\/[^/]+\/([^/?#]+)/i.exec(value)?.[1]?.toLowerCase();
}

/** The identity provider a host belongs to when it is not Entra's workforce sign-in; undefined for Entra. */
function foreignProvider(host: string, value: string): string | undefined {
  if (host.endsWith('.b2clogin.com')) return `Azure AD B2C (${host})`;
  if (host.endsWith('.ciamlogin.com')) return `Microsoft Entra External ID (${host})`;
  if (host.endsWith('.auth0.com')) return `Auth0 (${host})`;
  if (host.endsWith('.okta.com') || host.endsWith('.oktapreview.com')) return `Okta (${host})`;
  if (hasPlaceholder(host)) return undefined;
  if (isEntraLoginHost(host) || host in V1_ISSUER_HOSTS) {
    return firstPathSegment(value) === 'tfp' ? `Azure AD B2C (${host}/tfp)` : undefined;
  }
  return `another identity provider (${host})`;
}

/** `entra`, `foreign: why`, or undefined when the host is not written out, for one metadata URL or issuer. */
function signalOf(value: ValueElement['value']): TokenIssuer | undefined {
  if (value.expression) return undefined;
  const host = hostOf(value.value);
  if (!host) return undefined;
  const foreign = foreignProvider(host, value.value);
  if (foreign) return { kind: 'foreign', why: foreign, evidence: [] };
  return hasPlaceholder(host) ? undefined : { kind: 'entra', evidence: [] };
}

/** The decision of a list of signals: Entra if any says so, foreign if all that speak say so. */
function decide(signals: (TokenIssuer | undefined)[]): TokenIssuer | undefined {
  const known = signals.filter((s): s is TokenIssuer => s !== undefined);
  if (known.some((s) => s.kind === 'entra')) return { kind: 'entra', evidence: [] };
  return known[0];
}

/** The authorization servers of the APIs, with the API settings that name them. */
function serversOf(apis: readonly Api[]): { server: AuthServer; evidence: Evidence[] }[] {
  return [...serverReferences(apis)].map(([server, refs]) => ({
    server,
    evidence: refs.map(({ api }): Evidence => ({ entity: api, path: 'properties/authenticationSettings' })),
  }));
}

/** `<key>` elements that are symmetric (inline base64 or a named value), not certificates or RSA parameters. */
export function symmetricKeys(config: ValidationConfig): ValidationConfig['signingKeys'] {
  return config.signingKeys.filter(
    (k) =>
      attr(k, 'certificate-id') === undefined && attr(k, 'n') === undefined && attr(k, 'e') === undefined,
  );
}

/**
 * Who issues the tokens: `validate-azure-ad-token` always validates Entra tokens; for `validate-jwt` the metadata
 * documents decide (they supply the signing keys), then the explicit issuers, then an Entra authorization server
 * of a protected API, then symmetric keys alone (a token minted with a key in the policy).
 */
export function tokenIssuerOf(use: ValidationUse, config: ValidationConfig): TokenIssuer {
  if (use.kind === 'validate-azure-ad-token') return { kind: 'entra', evidence: [] };
  const byMetadata = decide(config.openidConfigs.map((c) => signalOf(c.value)));
  if (byMetadata) return byMetadata;
  const byIssuer = decide(config.issuers.map((i) => signalOf(i.value)));
  if (byIssuer) return byIssuer;
  const servers = serversOf(use.apis);
  const evidence = servers.flatMap((s) => [...s.evidence, ...serverEndpointsEvidence(s.server)]);
  if (servers.some((s) => foreignLoginHosts(s.server) === undefined)) return { kind: 'entra', evidence };
  if (config.openidConfigs.length === 0 && symmetricKeys(config).length > 0) {
    return {
      kind: 'foreign',
      why: 'a symmetric key in the policy (tokens minted by whoever holds it)',
      evidence,
    };
  }
  return { kind: 'unknown', evidence };
}

/** A backend app registration behind a validation, and how it was found. */
export interface Backend {
  app: App;
  /** The authorization servers of the protected APIs that lead to it (their default scope or resource). */
  servers: AuthServer[];
  /** The identifiers the validation accepts that are the app's (appId or an identifierUri). */
  accepted: string[];
  /** Why this app is the backend: the app identifiers matched, or the API settings and servers that lead to it. */
  evidence: Evidence[];
}

export interface Correlation {
  backends: Backend[];
  /** Authorization servers of the protected APIs whose backend app is not in the data. */
  unknownServers: AuthServer[];
  /** Accepted identifiers (not of Microsoft APIs) that are no app registration in the data. */
  unmatched: string[];
  /** Accepted identifiers that are not known offline (secret or missing named values, expressions). */
  opaque: ValueElement[];
}

/** Everything the validation accepts as `aud`: audiences, `aud` claim values, backend application ids. */
export function acceptedAudiences(config: ValidationConfig): ValueElement[] {
  return [
    ...config.audiences,
    ...config.claims.filter((c) => c.name === 'aud').flatMap((c) => c.values),
    ...config.backendApplicationIds,
  ];
}

/**
 * The backend apps behind a validation: those its accepted audiences name, and those the authorization servers
 * of the protected APIs lead to, one entry per app in the order met (audiences first, as the policy says).
 */
export function correlate(use: ValidationUse, config: ValidationConfig, model: Model): Correlation {
  // Once per validation: three rules read it (they must not change it).
  let known = correlations.get(use);
  if (!known || known.config !== config || known.model !== model) {
    known = { config, model, correlation: findBackends(use, config, model) };
    correlations.set(use, known);
  }
  return known.correlation;
}

const correlations = new WeakMap<
  ValidationUse,
  { config: ValidationConfig; model: Model; correlation: Correlation }
>();

function findBackends(use: ValidationUse, config: ValidationConfig, model: Model): Correlation {
  const byApp = new Map<App, Backend>();
  const entry = (app: App) => {
    let backend = byApp.get(app);
    if (!backend) {
      backend = { app, servers: [], accepted: [], evidence: [] };
      byApp.set(app, backend);
    }
    return backend;
  };
  const unmatched: string[] = [];
  const opaque: ValueElement[] = [];
  for (const v of acceptedAudiences(config)) {
    if (v.value.opaque) {
      opaque.push(v);
      continue;
    }
    const value = v.value.value;
    if (value === '' || firstPartyApi(value)) continue;
    const app = resolveScopeApp({ raw: value, kind: 'resource', resource: value }, model);
    if (!app) {
      if (!unmatched.includes(value)) unmatched.push(value);
      continue;
    }
    const backend = entry(app);
    if (backend.accepted.length === 0)
      backend.evidence.push({ entity: app, path: 'appId' }, { entity: app, path: 'identifierUris' });
    if (!backend.accepted.includes(value)) backend.accepted.push(value);
  }
  const unknownServers: AuthServer[] = [];
  for (const { server, evidence } of serversOf(use.apis)) {
    if (!server.backendApp) {
      unknownServers.push(server);
      continue;
    }
    const backend = entry(server.backendApp);
    backend.servers.push(server);
    backend.evidence.push(...evidence, ...serverBackendEvidence(server));
  }
  // Kept for the audit (correlate's memo): at their lengths.
  const backends = [...byApp.values()].map(({ app, servers, accepted, evidence }) => ({
    app,
    servers: fitted(servers),
    accepted: fitted(accepted),
    evidence: fitted(evidence),
  }));
  return {
    backends,
    unknownServers: fitted(unknownServers),
    unmatched: fitted(unmatched),
    opaque: fitted(opaque),
  };
}

/**
 * Why the Entra-dependent checks of a validation cannot run when no backend app was found for it: the reason
 * says how to add the data. The same text for every validation, so that reports can group them.
 */
export function noBackendReason(model: Model, what: string): string {
  const how =
    'add the backend app registration (--source graph, a snapshot with "applications", or its manifest) whose ' +
    'appId or identifierUris the validation accepts as audience';
  return model.applications.length === 0
    ? `${what}: no app registrations are in the data; ${how}.`
    : `${what}: no app registration in the data has an appId or identifier URI the validation accepts as audience; ${how}.`;
}
