/**
 * Token validation is not weakened: `validate-jwt` keeps signature and expiration checks on, answers failures
 * with 401, requires the Bearer scheme when it reads the Authorization header, and does not accept an inline
 * symmetric signing key when Microsoft Entra ID issues the tokens (Entra signs with rotating RSA keys published
 * in its OpenID Connect metadata; anyone who knows a symmetric key can mint tokens the policy accepts).
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import type { Evidence } from '../src/model/types';
import { symmetricKeys, tokenIssuerOf, type TokenIssuer } from './support/audience-apps';
import {
  describeUse,
  locateInUse,
  readValidation,
  resolvedAttribute,
  statementEntity,
  tokenValidations,
  type ValidationConfig,
  type ValidationUse,
} from './support/jwt';
import { describeOpaque } from './support/policy-texts';
import { attr } from '../src/policy/parser';
import { configEvidence, namedValueEvidence, uniqueEvidence } from './support/policy-evidence';
import { unreadableInboundNotChecked } from './support/outputs';

/** The attributes the rule reads (their named values are part of what it judged). */
const ATTRIBUTES = [
  'failed-validation-httpcode',
  'require-signed-tokens',
  'require-expiration-time',
  'require-scheme',
];

/** A boolean attribute that must not be `false`; its value may be a named value or an expression. */
function* flag(
  use: ValidationUse,
  name: string,
  consequence: string,
  evidence: readonly Evidence[],
): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const value = resolvedAttribute(source, element, name);
  if (!value) return;
  if (value.opaque) {
    yield notEvaluated(
      `${describeUse(use)} sets ${name} to ${describeOpaque(value)}, which is not known offline.`,
      statementEntity(source),
    );
    return;
  }
  if (value.value.toLowerCase() === 'false') {
    yield violation(
      statementEntity(source),
      `${describeUse(use)} sets ${name}="false", so ${consequence}; remove the attribute (it defaults to true).`,
      { ...locateInUse(use, element, name), evidence },
    );
  }
}

function* statusCode(use: ValidationUse, evidence: readonly Evidence[]): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const value = resolvedAttribute(source, element, 'failed-validation-httpcode');
  if (!value || value.opaque || value.value === '401') return;
  yield violation(
    statementEntity(source),
    `${describeUse(use)} answers a failed validation with HTTP ${value.value}; clients and the developer portal ` +
      'expect 401 Unauthorized (with 403 or 5xx they do not fetch a new token); set failed-validation-httpcode="401" or remove it.',
    { ...locateInUse(use, element, 'failed-validation-httpcode'), evidence },
  );
}

function* scheme(use: ValidationUse, evidence: readonly Evidence[]): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const header = attr(element, 'header-name')?.trim();
  if (header?.toLowerCase() !== 'authorization') return;
  const value = resolvedAttribute(source, element, 'require-scheme');
  if (value?.opaque) return;
  if (!value) {
    yield violation(
      statementEntity(source),
      `${describeUse(use)} reads the Authorization header without require-scheme, so it accepts the token under any ` +
        'scheme (or none); add require-scheme="Bearer".',
      { ...locateInUse(use, element, 'require-scheme'), severity: 'warning', evidence },
    );
  } else if (value.value.toLowerCase() !== 'bearer') {
    yield violation(
      statementEntity(source),
      `${describeUse(use)} requires the scheme '${value.value}' in the Authorization header; OAuth 2.0 clients send ` +
        'Bearer tokens (RFC 6750); set require-scheme="Bearer".',
      { ...locateInUse(use, element, 'require-scheme'), evidence },
    );
  }
}

/** An inline symmetric key for tokens Entra issues (an Entra metadata URL or issuer, or an Entra server on an API). */
function* inlineSymmetricKeys(
  use: ValidationUse,
  config: ValidationConfig,
  issuer: TokenIssuer,
  evidence: readonly Evidence[],
): Generator<RuleOutput> {
  const [first] = symmetricKeys(config);
  if (!first || issuer.kind !== 'entra') return;
  const { source } = use.statement;
  const instead =
    config.openidConfigs.length > 0
      ? 'next to openid-config, so anyone who knows that key can mint tokens the policy accepts'
      : 'instead of openid-config, but Entra signs tokens with rotating RSA keys, so genuine tokens fail (IDX10503) and anyone who knows the key can mint accepted ones';
  yield violation(
    statementEntity(source),
    `${describeUse(use)} accepts an inline symmetric signing key (<issuer-signing-keys><key>) for Microsoft Entra ` +
      `tokens ${instead}; remove the key and use <openid-config url="https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration" />.`,
    { ...locateInUse(use, first, 'symmetric-key'), evidence },
  );
}

export default defineRule({
  id: 'jwt-validation-strict',
  meta: {
    title:
      'validate-jwt keeps signature and expiry checks, answers 401, requires Bearer and trusts Entra keys only',
    severity: 'error',
    tags: ['apim', 'policy', 'security', 'tokens'],
    securitySeverity: 7.0,
    requires: ['apim'],
    declaresEvidence: true,
  },
  *check(model) {
    yield* unreadableInboundNotChecked(model, 'Token validation in this policy is not checked');
    for (const use of tokenValidations(model)) {
      const config = readValidation(use.statement);
      const issuer = tokenIssuerOf(use, config);
      const { element, source } = use.statement;
      const attributes = ATTRIBUTES.flatMap((name) => resolvedAttribute(source, element, name) ?? []);
      const evidence = uniqueEvidence([
        ...configEvidence(config),
        ...namedValueEvidence(attributes),
        ...issuer.evidence,
      ]);
      yield* statusCode(use, evidence);
      if (use.kind === 'validate-jwt') {
        yield* flag(
          use,
          'require-signed-tokens',
          'unsigned tokens (alg "none") are accepted and anyone can forge one',
          evidence,
        );
        yield* flag(
          use,
          'require-expiration-time',
          'tokens without an exp claim are accepted and never expire',
          evidence,
        );
        yield* scheme(use, evidence);
        yield* inlineSymmetricKeys(use, config, issuer, evidence);
      }
      yield checked(statementEntity(source), evidence);
    }
  },
});
