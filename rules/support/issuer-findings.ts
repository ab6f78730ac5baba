/**
 * What jwt-issuer-matches-token-version finds in a validation's own text, without (or beside) an app registration:
 * issuer spellings no Entra token carries, and explicit issuers that replace metadata of another version or tenant.
 */
import type { RuleOutput } from './contract';
import { isGuid } from '../../src/entra/endpoints';
import { entraIssuer, misspeltIssuer, parseIssuer, parseMetadataUrl } from '../../src/entra/issuers';
import type { Evidence } from '../../src/model/types';
import { versionText } from './issuer-acceptance';
import {
  describeUse,
  locateInUse,
  shortUse,
  statementEntity,
  type ValidationConfig,
  type ValidationUse,
} from './jwt';
import { firstFitting, useViolation } from './outputs';
import { replaceElementText, sourceText } from './policy-edits';

/** Issuer spellings no Entra token carries (domain reference §11); needs no app registration. */
export function* misspelt(
  use: ValidationUse,
  config: ValidationConfig,
  base: readonly Evidence[],
): Generator<RuleOutput> {
  for (const i of config.issuers) {
    if (i.value.expression) continue;
    const found = misspeltIssuer(i.value.value);
    if (!found) continue;
    const [v2, v1] = found.meant;
    const problem =
      found.problem === 'v1-without-slash'
        ? "lacks the trailing '/' that every v1.0 token's iss ends with"
        : `is the tenant's sign-in authority, not an issuer: v2.0 tokens carry '${v2?.issuer ?? ''}' and v1.0 tokens '${v1?.issuer ?? ''}'`;
    const slash = found.problem === 'v1-without-slash';
    const fix = slash
      ? `Write <issuer>${v2?.issuer ?? ''}</issuer>.`
      : `List the issuer of the version the backend app issues (v2.0: <issuer>${v2?.issuer ?? ''}</issuer>).`;
    const edit =
      slash && v2 ? replaceElementText(sourceText(use.statement.source), i.element, v2.issuer) : undefined;
    const expected = slash ? `'${v2?.issuer ?? ''}'` : 'an issuer';
    yield useViolation(
      use,
      statementEntity(use.statement.source),
      firstFitting(
        `${describeUse(use)} lists the issuer '${i.value.value}', which no Entra token carries; expected ${expected}`,
        `${shortUse(use)} lists the issuer '${i.value.value}', which no Entra token carries; expected ${expected}`,
        `${shortUse(use)} lists the issuer '${i.value.value}', which no Entra token carries`,
      ),
      {
        ...locateInUse(use, i.element, `issuer-spelling:${i.value.value}`),
        evidence: base,
        detail:
          `It ${problem}; issuers are compared as exact strings, so tokens fail with IDX10205 (issuer validation ` +
          'failed) unless another listed issuer matches.',
        fix: { text: fix, ...(edit ? { policy: edit } : {}) },
      },
    );
  }
}

/** Two tenant segments that may name different tenants only when both are tenant ids. */
function sameTenant(a: string | undefined, b: string | undefined): boolean {
  return !isGuid(a) || !isGuid(b) || a.toLowerCase() === b.toLowerCase();
}

/**
 * Explicit issuers that replace Entra metadata of another version or tenant: the tokens the metadata is about all
 * fail. Whether the listed issuers are the right ones depends on the backend app: a warning. When a backend was
 * found (its version is judged by `judge`), only a tenant mismatch is left to say here (`tenantOnly`): an app
 * registration does not state its tenant, so which of the two tenants is wrong stays open.
 */
export function* replacedMetadata(
  use: ValidationUse,
  config: ValidationConfig,
  base: readonly Evidence[],
  tenantOnly = false,
): Generator<RuleOutput> {
  const issuers = config.issuers.flatMap((i) => {
    const info = i.value.expression ? undefined : parseIssuer(i.value.value);
    return info ? [{ i, info }] : [];
  });
  if (issuers.length === 0 || issuers.length < config.issuers.length) return;
  for (const c of config.openidConfigs) {
    if (c.value.expression) continue;
    const m = parseMetadataUrl(c.value.value);
    if (m?.version === undefined || !m.cloud) continue;
    if (
      issuers.some(
        ({ info }) =>
          info?.version === m.version && info.cloud === m.cloud && sameTenant(info.tenant, m.tenant),
      )
    )
      continue;
    if (tenantOnly && !issuers.some(({ info }) => info?.version === m.version && info.cloud === m.cloud))
      continue;
    const [first] = issuers;
    const listed = issuers.map(({ i }) => `'${i.value.value}'`).join(', ');
    const versions = new Set(issuers.map(({ info }) => info?.version));
    const otherTenant = issuers.find(({ info }) => info?.version === m.version);
    const metadataTokens = `${versionText(m.version)} tokens${isGuid(m.tenant) ? ` of tenant '${m.tenant}'` : ''}`;
    const works = otherTenant
      ? `only tokens of the tenant the issuers name pass (checked with the signing keys of tenant '${m.tenant ?? ''}')`
      : `it works only if the backend app issues ${[...versions].map((v) => versionText(v)).join(' / ')} tokens`;
    const metadataIssuer = entraIssuer(m.version, isGuid(m.tenant) ? m.tenant : undefined, m.cloud);
    const version = versionText(m.version);
    yield useViolation(
      use,
      statementEntity(use.statement.source),
      firstFitting(
        `${describeUse(use)} reads ${version} metadata but accepts only the issuers it lists (${listed}); expected '${metadataIssuer}' among them`,
        `${shortUse(use)} reads ${version} metadata but accepts only the issuers it lists (${listed}); expected '${metadataIssuer}' among them`,
        `${shortUse(use)} accepts only the issuers it lists, not '${metadataIssuer}' of its ${version} metadata`,
      ),
      {
        ...locateInUse(use, first!.i.element, 'issuers-replace-metadata'),
        severity: 'warning',
        evidence: base,
        detail:
          `It reads ${c.value.value} (${version} metadata, issuer '${metadataIssuer}'), but the issuers it lists ` +
          `(${listed}) replace the metadata's: ${metadataTokens} fail with IDX10205 (issuer validation failed) and ` +
          `${works}. ` +
          (tenantOnly
            ? 'An app registration does not state its tenant, so which of the two is wrong is not known.'
            : 'No app registration in the data tells which version the backend app issues.'),
        fix: {
          text:
            `List <issuer>${metadataIssuer}</issuer> if the backend issues those tokens, or use the metadata of ` +
            'the listed issuer.',
        },
      },
    );
    return;
  }
}
