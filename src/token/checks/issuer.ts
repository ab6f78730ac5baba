/**
 * The token's iss against the issuers of the validation: explicit `<issuers>`, the issuer a known Entra openid-config
 * publishes (its version and tenant), and for validate-azure-ad-token the v1.0 and v2.0 issuers of its tenant-id.
 */
import type { CloudName } from '../../entra/clouds';
import { isGuid } from '../../entra/endpoints';
import { entraIssuer, isMultiTenantSegment, parseIssuer, parseMetadataUrl } from '../../entra/issuers';
import { resolvedAttribute, type ValidationConfig, type ValueElement } from '../../../rules/support/jwt';
import { claimValues } from '../decode';
import {
  appOfResource,
  list,
  opaqueReason,
  q,
  versionText,
  type CheckContext,
  type CheckResult,
} from './common';

interface IssuerSet {
  explicit: ValueElement[];
  /** Issuers the openid-config URLs publish, when they are known Entra ones. */
  published: { issuer: string; url: string }[];
  /** openid-config URLs whose issuer is not known offline. */
  unknown: { url: string; why: string }[];
}

function issuersOf(config: ValidationConfig, cloud: CloudName): IssuerSet {
  const published: IssuerSet['published'] = [];
  const unknown: IssuerSet['unknown'] = [];
  for (const oc of config.openidConfigs) {
    const url = oc.value.value;
    if (oc.value.opaque) {
      unknown.push({ url, why: opaqueReason([oc.value]) });
      continue;
    }
    const meta = parseMetadataUrl(url);
    if (!meta?.version || !meta.tenant || !meta.cloud) {
      unknown.push({
        url,
        why: 'not an Entra metadata URL this tool knows; its issuer is fetched at run time',
      });
      continue;
    }
    if (isMultiTenantSegment(meta.tenant)) {
      unknown.push({
        url,
        why: `multi-tenant metadata ('${meta.tenant}') publishes an issuer template, not one issuer`,
      });
      continue;
    }
    if (!isGuid(meta.tenant)) {
      unknown.push({
        url,
        why: `the tenant '${meta.tenant}' is a domain; its tenant id is only known online`,
      });
      continue;
    }
    published.push({
      issuer: entraIssuer(meta.version, meta.tenant.toLowerCase(), meta.cloud ?? cloud),
      url,
    });
  }
  return { explicit: config.issuers, published, unknown };
}

/** The token's iss against the validation's issuers. */
export function issuer(config: ValidationConfig, ctx: CheckContext): CheckResult | undefined {
  const iss = claimValues(ctx.token.claims, 'iss')?.[0];
  if (config.kind === 'validate-azure-ad-token') return adIssuer(config, ctx, iss);
  const set = issuersOf(config, ctx.model.cloud);
  if (set.explicit.length === 0 && set.published.length === 0 && set.unknown.length === 0) return undefined;
  const all = [
    ...new Set([...set.explicit.map((e) => e.value.value), ...set.published.map((p) => p.issuer)]),
  ];
  if (iss !== undefined && all.includes(iss)) {
    return { check: 'issuer', outcome: 'pass', message: `iss ${q(iss)} is accepted` };
  }
  const opaque = set.explicit.filter((e) => e.value.opaque).map((e) => e.value);
  if (opaque.length > 0 || set.unknown.length > 0) {
    const why = [
      ...(opaque.length > 0 ? [opaqueReason(opaque)] : []),
      ...set.unknown.map((u) => `openid-config ${u.url}: ${u.why}`),
    ];
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `iss ${iss ? q(iss) : '(none)'} is not among the issuers known offline${all.length > 0 ? ` (${list(all)})` : ''}; ${why.join('; ')}`,
    };
  }
  return {
    check: 'issuer',
    outcome: 'fail',
    error: 'IDX10205 (TokenIssuerNotAllowed)',
    message: `iss ${iss ? q(iss) : '(none)'} of ${versionText(ctx)} is not one of ${list(all)}${
      set.published.length > 0
        ? ` (from ${set.explicit.length > 0 ? '<issuers> and ' : ''}openid-config)`
        : ''
    }`,
    fix: issuerFix(ctx, iss, all),
  };
}

function issuerFix(ctx: CheckContext, iss: string | undefined, accepted: string[]): string {
  const got = iss ? parseIssuer(iss) : undefined;
  if (!got) {
    return 'The token is not an Entra access token of this tenant (or its issuer is spelt differently): send a token issued by the tenant the policy names.';
  }
  const wanted = accepted.map(parseIssuer).filter((i) => i !== undefined);
  const sameTenant = wanted.filter((w) => w.tenant.toLowerCase() === got.tenant.toLowerCase());
  if (wanted.length > 0 && sameTenant.length === 0) {
    return `The token is from tenant ${got.tenant}, and the validation accepts tenant ${[...new Set(wanted.map((w) => w.tenant))].join(', ')}: sign in to the API's tenant, or fix the tenant in openid-config / <issuers>.`;
  }
  if (sameTenant.length > 0 && sameTenant.every((w) => w.version !== got.version)) {
    const aud = claimValues(ctx.token.claims, 'aud')?.[0];
    const app = aud ? appOfResource(ctx.model, aud) : undefined;
    const appName = app ? `backend app '${app.name}'` : 'the backend app (the one the token is for)';
    const other = entraIssuer(got.version, got.tenant, got.cloud ?? ctx.model.cloud);
    if (app && app.accessTokenVersion !== got.version) {
      // The data says the backend issues the version the policy expects: this token predates the change.
      return `Backend app '${app.name}' issues v${app.accessTokenVersion}.0 tokens (api.requestedAccessTokenVersion ${String(app.requestedAccessTokenVersion)}), and this token is v${got.version}.0: it was issued before that setting changed (or the change is not deployed yet). Get a new token.`;
    }
    if (got.version === 1) {
      return `The backend issues v1.0 tokens: set api.requestedAccessTokenVersion to 2 on ${appName} (manifest accessTokenAcceptedVersion: 2; Entra side), or accept v1.0 tokens: <issuer>${other}</issuer> with the v1.0 openid-config (.../.well-known/openid-configuration, without v2.0).`;
    }
    return `The backend issues v2.0 tokens (api.requestedAccessTokenVersion 2 on ${appName}): accept <issuer>${other}</issuer> and the v2.0 openid-config (.../v2.0/.well-known/openid-configuration).`;
  }
  return `Add <issuer>${iss ?? ''}</issuer> if that issuer is meant, or send a token of an accepted issuer.`;
}

/** validate-azure-ad-token accepts the v1.0 and v2.0 issuers of its tenant-id. */
function adIssuer(config: ValidationConfig, ctx: CheckContext, iss: string | undefined): CheckResult {
  const tenant = resolvedAttribute(config.statement.source, config.statement.element, 'tenant-id');
  if (!tenant || tenant.opaque) {
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `tenant-id: ${tenant ? opaqueReason([tenant]) : 'missing'}`,
    };
  }
  const tid = tenant.value.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!isGuid(tid)) {
    return {
      check: 'issuer',
      outcome: 'unknown',
      message: `tenant-id '${tid}' is a domain; its tenant id is only known online`,
    };
  }
  const cloud = ctx.model.cloud;
  const accepted = [entraIssuer(1, tid.toLowerCase(), cloud), entraIssuer(2, tid.toLowerCase(), cloud)];
  if (iss !== undefined && accepted.includes(iss)) {
    return { check: 'issuer', outcome: 'pass', message: `iss ${q(iss)} is of tenant ${tid}` };
  }
  return {
    check: 'issuer',
    outcome: 'fail',
    error: 'IDX10205 (TokenIssuerNotAllowed)',
    message: `iss ${iss ? q(iss) : '(none)'} is not an issuer of tenant-id ${tid} (${list(accepted)})`,
    fix: `Sign in to tenant ${tid}, or set tenant-id to the tenant that issued the token${
      typeof ctx.token.claims['tid'] === 'string' ? ` (tid '${String(ctx.token.claims['tid'])}')` : ''
    }.`,
  };
}
