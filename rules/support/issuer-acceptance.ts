/**
 * Whether the issuers a token validation accepts (its explicit `<issuers>`, else its `openid-config` metadata)
 * include the `iss` of tokens of one version, tenant and cloud; jwt-issuer-matches-token-version's verdict.
 */
import type { CloudName } from '../../src/entra/clouds';
import { isGuid } from '../../src/entra/endpoints';
import {
  entraIssuer,
  misspeltIssuer,
  parseIssuer,
  tenantMatches,
  type IssuerExpectation,
  type MetadataUrl,
  type TokenVersion,
} from '../../src/entra/issuers';
import type { ValidationConfig } from './jwt';
import { describeOpaque } from './policy-texts';

export function versionText(v: TokenVersion): string {
  return v === 1 ? 'v1.0' : 'v2.0';
}

function issuerMatches(value: string, e: IssuerExpectation): boolean {
  const info = parseIssuer(value);
  return (
    info !== undefined &&
    info.version === e.version &&
    info.cloud === e.cloud &&
    tenantMatches(info.tenant, e.tenant)
  );
}

export function metadataMatches(info: MetadataUrl | undefined, e: IssuerExpectation): boolean {
  return info?.version === e.version && info.cloud === e.cloud && tenantMatches(info.tenant, e.tenant);
}

export function describeMetadata(url: string, info: MetadataUrl | undefined, cloud: CloudName): string {
  if (info?.version === undefined)
    return `reads ${url} (metadata without an Entra issuer this audit recognises)`;
  const tenant = isGuid(info.tenant) ? info.tenant : undefined;
  return `reads ${url} (${versionText(info.version)} metadata, issuer '${entraIssuer(info.version, tenant, info.cloud ?? cloud)}')`;
}

export interface Metadata {
  c: ValidationConfig['openidConfigs'][number];
  info: MetadataUrl | undefined;
}

/** How a use's issuers and metadata meet `e`: accepted (or nothing to compare), rejected, or not known offline. */
export type Acceptance = 'accepted' | 'rejected' | { opaque: string };

export function acceptance(
  config: ValidationConfig,
  e: IssuerExpectation,
  metadata: readonly Metadata[],
  misspelt: ValidationConfig['issuers'],
): Acceptance {
  const explicit = config.issuers;
  if (explicit.length > 0) {
    const spelt = explicit.filter((i) => !misspelt.includes(i));
    const known = spelt.filter((i) => !i.value.opaque);
    if (known.some((i) => issuerMatches(i.value.value, e))) return 'accepted';
    const meant = misspelt.flatMap((i) => misspeltIssuer(i.value.value)?.meant ?? []);
    if (meant.some((m) => issuerMatches(m.issuer, e))) return 'accepted';
    const opaque = spelt.find((i) => i.value.opaque);
    return opaque ? { opaque: describeOpaque(opaque.value) } : 'rejected';
  }
  if (metadata.some(({ c, info }) => !c.value.expression && metadataMatches(info, e))) return 'accepted';
  const opaque = metadata.find(({ c, info }) => c.value.expression || info?.special === true);
  if (metadata.length === 0) return 'accepted'; // neither metadata nor issuers: nothing to compare here
  if (!opaque) return 'rejected';
  return {
    opaque: opaque.c.value.expression
      ? describeOpaque(opaque.c.value)
      : `special metadata (${opaque.c.value.value})`,
  };
}
