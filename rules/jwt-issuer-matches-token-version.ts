/**
 * The issuers a token validation accepts include the `iss` of the backend's tokens: the `openid-config` metadata
 * document (v1.0 or v2.0, of the right tenant and cloud) or an explicit `<issuer>`. The backend app decides the
 * token version (`api.requestedAccessTokenVersion`), not the endpoint the client used; validating v1.0 tokens
 * against v2.0 metadata (or the reverse) is the IDX10205 failure users hit most. The backend app is the one the
 * validation accepts as audience, or the one the APIs' authorization servers request tokens for.
 *
 * Without any app registration, what the policy says still tells two things: issuer spellings no Entra token
 * carries, and explicit issuers that replace metadata of another version or tenant.
 */
import { checked, defineRule, notEvaluated, wantsEvidence, type RuleOutput } from './support/contract';
import type { CloudName } from '../src/entra/clouds';
import { isGuid } from '../src/entra/endpoints';
import { foreignLoginHosts } from './support/queries';
import type { AuthServer, Evidence, Model } from '../src/model/types';
import { correlate, noBackendReason, tokenIssuerOf, type Backend } from './support/audience-apps';
import {
  entraIssuer,
  entraMetadataUrl,
  misspeltIssuer,
  parseIssuer,
  parseMetadataUrl,
  tenantMatches,
  type IssuerExpectation,
} from '../src/entra/issuers';
import { serverCloud, serverTenant } from './support/queries';
import {
  describeApis,
  describeUse,
  locateInUse,
  shortUse,
  readValidation,
  resolvedAttribute,
  statementEntity,
  tokenValidations,
  type ValidationConfig,
  type ValidationUse,
  type ValueElement,
} from './support/jwt';
import {
  acceptance,
  describeMetadata,
  metadataMatches,
  versionText,
  type Metadata,
} from './support/issuer-acceptance';
import {
  citing,
  POLICY_CITES,
  serverEndpointsEvidence,
  uniqueEvidence,
  VALIDATION_CITES,
  validationEvidence,
} from './support/policy-evidence';
import { capitalized, firstFitting, unreadableInboundNotChecked, useViolation } from './support/outputs';
import { misspelt, replacedMetadata } from './support/issuer-findings';
import {
  insertLast,
  replaceAttributeValue,
  sourceText,
  xmlEscape,
  type EditableText,
} from './support/policy-edits';
import type { PolicyTextFix } from './support/contract';
import { childElements } from '../src/policy/parser';

interface Expectation extends IssuerExpectation {
  backend: Backend;
  servers: string[];
  /** What the expectation rests on: how the backend was found, its token version, the servers' endpoints. */
  evidence: Evidence[];
}

/** The cloud the policy itself names (its Entra metadata or issuers), for backends no server leads to. */
function policyCloud(config: ValidationConfig, model: Model): CloudName {
  for (const c of config.openidConfigs) {
    const cloud = parseMetadataUrl(c.value.value)?.cloud;
    if (cloud) return cloud;
  }
  for (const i of config.issuers) {
    const cloud = parseIssuer(i.value.value)?.cloud;
    if (cloud) return cloud;
  }
  return model.cloud;
}

/**
 * What the tokens of each backend look like: per authorization server (its tenant and cloud), or, for a backend
 * found by audience only, its version in the cloud the policy names. The tenant of such tokens is the tenant the
 * user signs in to, which the data does not say: it is not compared.
 */
function expectations(backends: readonly Backend[], config: ValidationConfig, model: Model): Expectation[] {
  const out: Expectation[] = [];
  // The expectation of a backend per tenant and cloud, found by key (a global validation has many backends).
  const byKey = new Map<Backend, Map<string, Expectation>>();
  for (const backend of backends) {
    const version = backend.app.accessTokenVersion;
    const evidence: Evidence[] = [
      ...backend.evidence,
      { entity: backend.app, path: 'api/requestedAccessTokenVersion' },
    ];
    if (backend.servers.length === 0) {
      const cloud = policyCloud(config, model);
      out.push({ version, tenant: undefined, cloud, backend, servers: [], evidence });
      continue;
    }
    const known = byKey.get(backend) ?? new Map<string, Expectation>();
    byKey.set(backend, known);
    for (const server of backend.servers) {
      if (foreignLoginHosts(server)) continue;
      const e = { version, tenant: serverTenant(server, model), cloud: serverCloud(server, model) };
      const key = `${e.tenant === undefined ? '-' : `+${e.tenant}`}|${e.cloud}`;
      const same = known.get(key);
      if (same) {
        same.servers.push(server.name);
        same.evidence.push(...serverEndpointsEvidence(server));
      } else {
        const made = {
          ...e,
          backend,
          servers: [server.name],
          evidence: [...evidence, ...serverEndpointsEvidence(server)],
        };
        known.set(key, made);
        out.push(made);
      }
    }
  }
  return out;
}

function describeBackend(e: Expectation): string {
  const { app, accepted } = e.backend;
  return e.servers.length === 0 && accepted[0] !== undefined
    ? `backend app '${app.name}' (the app registration of the accepted audience '${accepted[0]}')`
    : `backend app '${app.name}'`;
}

/** What a rejecting use accepts instead, and how to fix it (in words, and as an edit when it is certain). */
function rejection(
  config: ValidationConfig,
  e: Expectation,
  metadata: readonly Metadata[],
  misspelt: ValidationConfig['issuers'],
  at: EditableText | undefined,
): { accepted: string; fix: string; edit: PolicyTextFix | undefined } {
  const expected = entraIssuer(e.version, e.tenant, e.cloud);
  const metadataFix = `<openid-config url="${entraMetadataUrl(e.version, e.tenant, e.cloud)}" />`;
  const explicit = config.issuers;
  let accepted: string;
  let fix: string;
  let edit: PolicyTextFix | undefined;
  if (explicit.length > 0) {
    const listed = explicit
      .filter((i) => !i.value.opaque || misspelt.includes(i))
      .map((i) => `'${i.value.value}'`)
      .join(', ');
    const first = metadata[0];
    accepted =
      (first ? `${describeMetadata(first.c.value.value, first.info, e.cloud)} and ` : '') +
      `accepts only the issuers it lists (${listed}), which replace the metadata's`;
    const metadataToo = first !== undefined && !metadataMatches(first.info, e);
    fix = `list <issuer>${expected}</issuer>${metadataToo ? ` and use ${metadataFix}` : ''}`;
    // One edit when the issuer list is all that changes and the issuer is known in full (its tenant included).
    const list = childElements(config.statement.element).filter((c) => c.name === 'issuers');
    if (!metadataToo && list.length === 1 && e.tenant !== undefined) {
      edit = insertLast(at, list[0]!, `<issuer>${xmlEscape(expected)}</issuer>`);
    }
  } else {
    const first = metadata[0]!;
    accepted = describeMetadata(first.c.value.value, first.info, e.cloud);
    const tenantOnly = metadata.some(
      ({ info }) =>
        info?.version === e.version && info.cloud === e.cloud && !tenantMatches(info.tenant, e.tenant),
    );
    fix = tenantOnly
      ? `use the metadata of tenant '${e.tenant ?? ''}', where authorization server ${e.servers.map((n) => `'${n}'`).join(', ')} signs in: ${metadataFix}`
      : `use ${metadataFix}`;
    if (metadata.length === 1 && e.tenant !== undefined) {
      edit = replaceAttributeValue(
        at,
        first.c.element,
        'url',
        entraMetadataUrl(e.version, e.tenant, e.cloud),
      );
    }
  }
  if (e.version === 1)
    fix += `, or better set api.requestedAccessTokenVersion to 2 on backend app '${e.backend.app.name}' (then check the audiences too)`;
  return { accepted, fix, edit };
}

/** The issuers a use accepts, quoted: its explicit list, else what its metadata announces. */
function acceptedIssuers(config: ValidationConfig, metadata: readonly Metadata[], cloud: CloudName): string {
  if (config.issuers.length > 0) return config.issuers.map((i) => `'${i.value.value}'`).join(', ');
  return metadata
    .map(({ c, info }) =>
      info?.version === undefined
        ? c.value.value
        : `'${entraIssuer(info.version, isGuid(info.tenant) ? info.tenant : undefined, info.cloud ?? cloud)}'`,
    )
    .join(', ');
}

/**
 * Whether the issuer of `e`'s tokens is accepted. Explicit `<issuers>` replace the issuer the metadata announces
 * (a v2.0 `openid-config` next to the documentation's `sts.windows.net` issuer rejects v2.0 tokens); without them,
 * the metadata documents decide. A misspelt issuer whose meant spelling would match is left to its own finding.
 */
function* judge(
  use: ValidationUse,
  config: ValidationConfig,
  e: Expectation,
  base: readonly Evidence[],
): Generator<RuleOutput> {
  const { source } = use.statement;
  const metadata = config.openidConfigs.map((c) => ({ c, info: parseMetadataUrl(c.value.value) }));
  const misspelt = config.issuers.filter((i) => !i.value.expression && misspeltIssuer(i.value.value));
  const verdict = acceptance(config, e, metadata, misspelt);
  if (verdict === 'accepted') return;
  if (verdict !== 'rejected') {
    yield notEvaluated(
      `${describeUse(use)} takes its issuers from ${verdict.opaque}, which is not judged offline.`,
      statementEntity(source),
    );
    return;
  }
  const expected = entraIssuer(e.version, e.tenant, e.cloud);
  const version = versionText(e.version);
  const tokens =
    `${describeBackend(e)} issues ${version} access tokens (api.requestedAccessTokenVersion ` +
    `${e.backend.app.requestedAccessTokenVersion ?? 'null'}), so their iss is '${expected}'`;
  const { accepted, fix, edit } = rejection(config, e, metadata, misspelt, sourceText(source));
  const anchor = config.issuers[0]?.element ?? metadata[0]?.c.element ?? use.statement.element;
  const issuers = acceptedIssuers(config, metadata, e.cloud);
  const app = `backend app '${e.backend.app.name}'`;
  yield useViolation(
    use,
    statementEntity(source),
    firstFitting(
      `${describeUse(use)} accepts iss ${issuers}, but ${app} issues ${version} tokens with iss '${expected}'`,
      `${shortUse(use)} accepts iss ${issuers}, but ${app} issues ${version} tokens with iss '${expected}'`,
      `${shortUse(use)} accepts iss ${issuers}; expected '${expected}' (iss of ${version} tokens)`,
      `${shortUse(use)} rejects the ${version} tokens of ${app} (iss '${expected}')`,
    ),
    {
      ...locateInUse(use, anchor, `issuer:${e.backend.app.appId ?? e.backend.app.id}`),
      evidence: uniqueEvidence([...base, ...e.evidence]),
      detail:
        `It protects ${describeApis(use.apis)} and ${accepted}, but ${tokens}: every token fails with IDX10205 ` +
        '(issuer validation failed), 401.',
      fix: { text: `${capitalized(fix)}.`, ...(edit ? { policy: edit } : {}) },
    },
  );
}

function* tenantOfAzureAdToken(
  use: ValidationUse,
  exps: readonly Expectation[],
  base: readonly Evidence[],
): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const value = resolvedAttribute(source, element, 'tenant-id');
  if (!value || value.opaque) return;
  const tenant = value.value.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!isGuid(tenant)) return;
  for (const e of exps) {
    if (e.tenant === undefined || tenant.toLowerCase() === e.tenant) continue;
    const servers = e.servers.map((s) => `'${s}'`).join(', ');
    const edit = replaceAttributeValue(sourceText(source), element, 'tenant-id', e.tenant);
    yield useViolation(
      use,
      statementEntity(source),
      firstFitting(
        `${describeUse(use)} has tenant-id '${tenant}', but authorization server ${servers} gets tokens from tenant '${e.tenant}'`,
        `${shortUse(use)} has tenant-id '${tenant}', but authorization server ${servers} gets tokens from tenant '${e.tenant}'`,
        `${shortUse(use)} has tenant-id '${tenant}'; expected '${e.tenant}'`,
      ),
      {
        ...locateInUse(use, element, 'tenant'),
        evidence: uniqueEvidence([...base, ...e.evidence]),
        detail:
          `Tokens of tenant '${e.tenant}' carry its issuer, which a validation of tenant '${tenant}' does not ` +
          'accept: every token fails issuer validation (IDX10205), 401.',
        fix: { text: `Set tenant-id="${e.tenant}".`, ...(edit ? { policy: edit } : {}) },
      },
    );
  }
}

function* unknownServers(use: ValidationUse, servers: readonly AuthServer[]): Generator<RuleOutput> {
  for (const server of servers) {
    yield notEvaluated(
      foreignLoginHosts(server)
        ? `Authorization server '${server.name}' signs in with another identity provider; its issuers are not checked.`
        : `The backend app behind authorization server '${server.name}' is not in the data, so the token version ` +
            `that ${use.kind} must expect is not known.`,
      server,
    );
  }
}

function hasWrittenOut(values: readonly ValueElement[]): boolean {
  return values.some((v) => !v.value.expression);
}

function* checkUse(use: ValidationUse, model: Model, evidence: boolean): Generator<RuleOutput> {
  const config = readValidation(use.statement);
  const entity = statementEntity(use.statement.source);
  const issuer = tokenIssuerOf(use, config);
  const base = validationEvidence(config, issuer, evidence);
  if (issuer.kind === 'foreign') {
    if (evidence) yield checked(entity, base); // not an Entra token
    return;
  }
  const { backends, unknownServers: unknown, unmatched, opaque } = correlate(use, config, model);
  yield* unknownServers(use, unknown);
  const exps = expectations(backends, config, model);
  if (evidence) yield checked(entity, uniqueEvidence([...base, ...exps.flatMap((e) => e.evidence)]));
  if (use.kind === 'validate-azure-ad-token') {
    yield* tenantOfAzureAdToken(use, exps, base);
    return;
  }
  yield* misspelt(use, config, base);
  for (const e of exps) yield* judge(use, config, e, base);
  if (unknown.length > 0) return;
  if (backends.length > 0) {
    // The backend's version is judged above; a tenant mismatch between metadata and issuers is not.
    if (exps.every((e) => e.tenant === undefined)) yield* replacedMetadata(use, config, base, true);
    return;
  }
  yield* replacedMetadata(use, config, base);
  const judged = hasWrittenOut(config.openidConfigs) || hasWrittenOut(config.issuers);
  if (judged && (unmatched.length > 0 || opaque.length > 0)) {
    yield notEvaluated(
      noBackendReason(model, "Token issuers are not compared with the backend's token version"),
      entity,
    );
  }
}

export default defineRule({
  id: 'jwt-issuer-matches-token-version',
  meta: {
    title: 'validate-jwt issuers and openid-config match the token version and tenant of the backend app',
    severity: 'error',
    tags: ['apim', 'entra', 'policy', 'tokens'],
    requires: ['apim'],
    declaresEvidence: true,
    cites: citing(POLICY_CITES, VALIDATION_CITES),
  },
  *check(model, ctx) {
    yield* unreadableInboundNotChecked(model, 'Token issuers in this policy are not checked');
    for (const use of tokenValidations(model)) yield* checkUse(use, model, wantsEvidence(ctx));
  },
});
