/**
 * Token validation is not weakened: `validate-jwt` keeps signature and expiration checks on, answers failures
 * with 401, requires the Bearer scheme when it reads the Authorization header, and does not accept an inline
 * symmetric signing key when Microsoft Entra ID issues the tokens (Entra signs with rotating RSA keys published
 * in its OpenID Connect metadata; anyone who knows a symmetric key can mint tokens the policy accepts).
 */
import {
  checked,
  defineRule,
  notEvaluated,
  UNREAD_EVIDENCE,
  wantsEvidence,
  type RuleOutput,
} from './support/contract';
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
import { attr, childElements } from '../src/policy/parser';
import {
  citing,
  configEvidence,
  namedValueEvidence,
  POLICY_CITES,
  uniqueEvidence,
  VALIDATION_CITES,
} from './support/policy-evidence';
import { unreadableInboundNotChecked, useMessage, useViolation } from './support/outputs';
import {
  addAttribute,
  removeAttribute,
  removeElement,
  replaceAttributeValue,
  sourceText,
} from './support/policy-edits';

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
    const remove = removeAttribute(sourceText(source), element, name);
    yield useViolation(
      use,
      statementEntity(source),
      useMessage(use, `sets ${name}="false"; expected true (the default)`),
      {
        ...locateInUse(use, element, name),
        evidence,
        detail: `With ${name}="false", ${consequence}; the gateway lets such requests through to the backend.`,
        fix: {
          text: `Remove ${name}="false" from <${use.kind}> (the attribute defaults to true).`,
          ...(remove ? { policy: remove } : {}),
        },
      },
    );
  }
}

function* statusCode(use: ValidationUse, evidence: readonly Evidence[]): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const value = resolvedAttribute(source, element, 'failed-validation-httpcode');
  if (!value || value.opaque || value.value === '401') return;
  const replace = replaceAttributeValue(sourceText(source), element, 'failed-validation-httpcode', '401');
  yield useViolation(
    use,
    statementEntity(source),
    useMessage(use, `answers a failed validation with HTTP ${value.value}; expected 401`),
    {
      ...locateInUse(use, element, 'failed-validation-httpcode'),
      evidence,
      detail:
        `Clients and the developer portal expect 401 Unauthorized when a token is missing or invalid; with ` +
        `${value.value} they do not fetch a new token, so the call keeps failing.`,
      fix: {
        text: 'Set failed-validation-httpcode="401" (or remove the attribute: 401 is the default).',
        ...(replace ? { policy: replace } : {}),
      },
    },
  );
}

function* scheme(use: ValidationUse, evidence: readonly Evidence[]): Generator<RuleOutput> {
  const { element, source } = use.statement;
  const header = attr(element, 'header-name')?.trim();
  if (header?.toLowerCase() !== 'authorization') return;
  const value = resolvedAttribute(source, element, 'require-scheme');
  if (value?.opaque) return;
  const text = sourceText(source);
  if (!value) {
    const add = addAttribute(text, element, 'require-scheme', 'Bearer');
    yield useViolation(
      use,
      statementEntity(source),
      useMessage(
        use,
        `reads the Authorization header without require-scheme; expected require-scheme="Bearer"`,
      ),
      {
        ...locateInUse(use, element, 'require-scheme'),
        severity: 'warning',
        evidence,
        detail:
          'Without require-scheme the policy accepts the token under any scheme (or none), so a token sent ' +
          'outside the Bearer scheme of RFC 6750 passes too.',
        fix: { text: 'Add require-scheme="Bearer" to <validate-jwt>.', ...(add ? { policy: add } : {}) },
      },
    );
  } else if (value.value.toLowerCase() !== 'bearer') {
    const replace = replaceAttributeValue(text, element, 'require-scheme', 'Bearer');
    yield useViolation(
      use,
      statementEntity(source),
      useMessage(use, `requires the scheme '${value.value}' in the Authorization header; expected 'Bearer'`),
      {
        ...locateInUse(use, element, 'require-scheme'),
        evidence,
        detail:
          'OAuth 2.0 clients send access tokens as Bearer tokens (RFC 6750), so their requests are rejected ' +
          'with 401 (the token is not found under the required scheme).',
        fix: { text: 'Set require-scheme="Bearer".', ...(replace ? { policy: replace } : {}) },
      },
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
  const { source, element } = use.statement;
  const next = config.openidConfigs.length > 0;
  const detail = next
    ? 'The key sits next to openid-config, so anyone who knows it can mint tokens the policy accepts; Entra ' +
      'signs its tokens with rotating RSA keys published in its OpenID Connect metadata, which openid-config reads.'
    : 'Entra signs tokens with rotating RSA keys published in its OpenID Connect metadata, not with this key, so ' +
      'genuine tokens fail with IDX10503 (signature validation failed), and anyone who knows the key can mint ' +
      'tokens the policy accepts.';
  // Next to openid-config, the key container goes as a whole when all it holds is symmetric keys; instead of it,
  // the metadata URL needs the tenant, which the user states.
  const containers = childElements(element).filter((c) => c.name === 'issuer-signing-keys');
  const symmetric = new Set(symmetricKeys(config));
  const removable =
    next &&
    containers.length === 1 &&
    childElements(containers[0]!).every((k) => k.name !== 'key' || symmetric.has(k));
  const remove = removable ? removeElement(sourceText(source), containers[0]!) : undefined;
  yield useViolation(
    use,
    statementEntity(source),
    useMessage(
      use,
      `accepts an inline symmetric signing key (<issuer-signing-keys><key>) for Microsoft Entra ` +
        `tokens; expected only Entra's keys (openid-config)`,
    ),
    {
      ...locateInUse(use, first, 'symmetric-key'),
      evidence,
      detail,
      fix: {
        text: next
          ? 'Remove the symmetric <key> (and <issuer-signing-keys> if it holds nothing else); openid-config provides the keys.'
          : 'Replace <issuer-signing-keys> by <openid-config url="https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration" />.',
        ...(remove ? { policy: remove } : {}),
      },
    },
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
    cites: citing(POLICY_CITES, VALIDATION_CITES),
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    yield* unreadableInboundNotChecked(model, 'Token validation in this policy is not checked');
    for (const use of tokenValidations(model)) {
      const config = readValidation(use.statement);
      const issuer = tokenIssuerOf(use, config);
      const { element, source } = use.statement;
      // Without unknown values the evidence is not read (RuleContext.evidence): neither worked out nor checked.
      const evidence = wanted
        ? uniqueEvidence([
            ...configEvidence(config),
            ...namedValueEvidence(
              ATTRIBUTES.flatMap((name) => resolvedAttribute(source, element, name) ?? []),
            ),
            ...issuer.evidence,
          ])
        : UNREAD_EVIDENCE;
      yield* statusCode(use, evidence);
      if (use.kind === 'validate-jwt') {
        yield* flag(
          use,
          'require-signed-tokens',
          'unsigned tokens (alg "none") are accepted, so anyone can forge a token the policy accepts',
          evidence,
        );
        yield* flag(
          use,
          'require-expiration-time',
          'tokens without an exp claim are accepted and never expire, so a leaked token works forever',
          evidence,
        );
        yield* scheme(use, evidence);
        yield* inlineSymmetricKeys(use, config, issuer, evidence);
      }
      if (wanted) yield checked(statementEntity(source), evidence);
    }
  },
});
