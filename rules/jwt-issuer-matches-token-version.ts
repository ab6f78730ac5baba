/**
 * The issuers a token validation accepts include the `iss` of the backend's tokens: the `openid-config` metadata
 * document (v1.0 or v2.0, of the right tenant and cloud) or an explicit `<issuer>`. The backend app decides the
 * token version (`api.requestedAccessTokenVersion`), not the endpoint the client used; validating v1.0 tokens
 * against v2.0 metadata (or the reverse) is the IDX10205 failure users hit most.
 */
import { defineRule, notEvaluated, violation, type RuleOutput } from '../src/engine/types';
import { isGuid } from '../src/model/entra';
import { foreignLoginHosts } from '../src/model/queries';
import type { App, Model } from '../src/model/types';
import {
  entraIssuer,
  entraMetadataUrl,
  parseIssuer,
  parseMetadataUrl,
  serverCloud,
  serverTenant,
  tenantMatches,
  type IssuerExpectation,
  type MetadataUrl,
} from '../src/policy/issuers';
import {
  backendsOf,
  describeUse,
  locateInUse,
  readValidation,
  resolvedAttribute,
  statementEntity,
  tokenValidations,
  type ValidationConfig,
  type ValidationUse,
} from '../src/policy/jwt';
import { describeOpaque } from '../src/policy/named-values';
import { unreadableInboundNotChecked } from '../src/policy/rule-support';

interface Expectation extends IssuerExpectation {
  app: App;
  servers: string[];
}

function expectations(use: ValidationUse, model: Model): Expectation[] {
  const out: Expectation[] = [];
  for (const { app, servers } of backendsOf(use.apis).backends) {
    for (const server of servers) {
      if (foreignLoginHosts(server)) continue;
      const e = {
        version: app.accessTokenVersion,
        tenant: serverTenant(server, model),
        cloud: serverCloud(server, model),
      };
      const same = out.find(
        (o) => o.app === app && o.version === e.version && o.tenant === e.tenant && o.cloud === e.cloud,
      );
      if (same) same.servers.push(server.name);
      else out.push({ ...e, app, servers: [server.name] });
    }
  }
  return out;
}

function versionText(v: 1 | 2): string {
  return v === 1 ? 'v1.0' : 'v2.0';
}

function issuerMatches(value: string, e: Expectation): boolean {
  const info = parseIssuer(value);
  return (
    info !== undefined &&
    info.version === e.version &&
    info.cloud === e.cloud &&
    tenantMatches(info.tenant, e.tenant)
  );
}

function metadataMatches(info: MetadataUrl | undefined, e: Expectation): boolean {
  return info?.version === e.version && info.cloud === e.cloud && tenantMatches(info.tenant, e.tenant);
}

function describeMetadata(url: string, info: MetadataUrl | undefined, e: Expectation): string {
  if (info?.version === undefined)
    return `reads ${url} (metadata without an Entra issuer this audit recognises)`;
  const tenant = isGuid(info.tenant) ? info.tenant : undefined;
  return `reads ${url} (${versionText(info.version)} metadata, issuer '${entraIssuer(info.version, tenant, info.cloud ?? e.cloud)}')`;
}

/**
 * Whether the issuer of `e`'s tokens is accepted. Explicit `<issuers>` replace the issuer the metadata announces
 * (a v2.0 `openid-config` next to the documentation's `sts.windows.net` issuer rejects v2.0 tokens); without them,
 * the metadata documents decide.
 */
function* judge(use: ValidationUse, config: ValidationConfig, e: Expectation): Generator<RuleOutput> {
  const { source } = use.statement;
  const metadata = config.openidConfigs.map((c) => ({ c, info: parseMetadataUrl(c.value.value) }));
  const explicit = config.issuers;
  const known = explicit.filter((i) => !i.value.opaque);
  let unknown: string | undefined;
  if (explicit.length > 0) {
    if (known.some((i) => issuerMatches(i.value.value, e))) return;
    const opaque = explicit.find((i) => i.value.opaque);
    if (opaque) unknown = describeOpaque(opaque.value);
  } else {
    if (metadata.some(({ c, info }) => !c.value.expression && metadataMatches(info, e))) return;
    const opaque = metadata.find(({ c, info }) => c.value.expression || info?.special === true);
    if (opaque) {
      unknown = opaque.c.value.expression
        ? describeOpaque(opaque.c.value)
        : `special metadata (${opaque.c.value.value})`;
    }
    if (metadata.length === 0) return; // neither metadata nor issuers: nothing to compare here
  }
  if (unknown !== undefined) {
    yield notEvaluated(
      `${describeUse(use)} takes its issuers from ${unknown}, which is not judged offline.`,
      statementEntity(source),
    );
    return;
  }
  const expected = entraIssuer(e.version, e.tenant, e.cloud);
  const app = `backend app '${e.app.name}'`;
  const tokens =
    `${app} issues ${versionText(e.version)} access tokens (api.requestedAccessTokenVersion ` +
    `${e.app.requestedAccessTokenVersion ?? 'null'}), so their iss is '${expected}'`;
  const metadataFix = `<openid-config url="${entraMetadataUrl(e.version, e.tenant, e.cloud)}" />`;
  let accepted: string;
  let fix: string;
  if (explicit.length > 0) {
    const listed = known.map((i) => `'${i.value.value}'`).join(', ');
    const first = metadata[0];
    accepted =
      (first ? `${describeMetadata(first.c.value.value, first.info, e)} and ` : '') +
      `accepts only the issuers it lists (${listed}), which replace the metadata's`;
    fix = `list <issuer>${expected}</issuer>${first && !metadataMatches(first.info, e) ? ` and use ${metadataFix}` : ''}`;
  } else {
    const first = metadata[0]!;
    accepted = describeMetadata(first.c.value.value, first.info, e);
    const tenantOnly = metadata.some(
      ({ info }) =>
        info?.version === e.version && info.cloud === e.cloud && !tenantMatches(info.tenant, e.tenant),
    );
    fix = tenantOnly
      ? `use the metadata of tenant '${e.tenant ?? ''}', where authorization server ${e.servers.map((n) => `'${n}'`).join(', ')} signs in: ${metadataFix}`
      : `use ${metadataFix}`;
  }
  if (e.version === 1)
    fix += `, or better set api.requestedAccessTokenVersion to 2 on ${app} (then check the audiences too)`;
  const anchor = known[0]?.element ?? metadata[0]?.c.element ?? use.statement.element;
  yield violation(
    statementEntity(source),
    `${describeUse(use)} ${accepted}, but ${tokens}; every token fails with IDX10205 (issuer validation failed); ${fix}.`,
    locateInUse(use, anchor, `issuer:${e.app.appId ?? e.app.id}`),
  );
}

function* tenantOfAzureAdToken(use: ValidationUse, model: Model): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const value = resolvedAttribute(source, element, 'tenant-id');
  if (!value || value.opaque) return;
  const tenant = value.value.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!isGuid(tenant)) return;
  for (const e of expectations(use, model)) {
    if (e.tenant === undefined || tenant.toLowerCase() === e.tenant) continue;
    yield violation(
      statementEntity(source),
      `${describeUse(use)} has tenant-id '${tenant}', but authorization server ${e.servers.map((s) => `'${s}'`).join(', ')} ` +
        `gets tokens from tenant '${e.tenant}'; every token fails issuer validation (IDX10205); set tenant-id="${e.tenant}".`,
      locateInUse(use, element, 'tenant'),
    );
  }
}

export default defineRule({
  id: 'jwt-issuer-matches-token-version',
  meta: {
    title: 'validate-jwt issuers and openid-config match the token version and tenant of the backend app',
    severity: 'error',
    tags: ['apim', 'entra', 'policy', 'tokens'],
    requires: ['entra', 'apim'],
  },
  *check(model) {
    yield* unreadableInboundNotChecked(model, 'Token issuers in this policy are not checked');
    for (const use of tokenValidations(model)) {
      for (const server of backendsOf(use.apis).unknown) {
        yield notEvaluated(
          foreignLoginHosts(server)
            ? `Authorization server '${server.name}' signs in with another identity provider; its issuers are not checked.`
            : `The backend app behind authorization server '${server.name}' is not in the data, so the token version ` +
                `that ${use.kind} must expect is not known.`,
          server,
        );
      }
      if (use.kind === 'validate-azure-ad-token') {
        yield* tenantOfAzureAdToken(use, model);
        continue;
      }
      const config = readValidation(use.statement);
      for (const e of expectations(use, model)) yield* judge(use, config, e);
    }
  },
});
