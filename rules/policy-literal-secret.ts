/**
 * No secret is written into a policy as a literal: issuer signing and token decryption keys, basic-authentication
 * passwords, and the values of credential headers and query parameters belong in a secret named value (or a Key
 * Vault named value) referenced as `{{name}}`. The finding never shows the value, only its length.
 */
import { defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import { describeUnreadability } from './support/policy-texts';
import { effectivePolicies } from '../src/policy/effective';
import { textEntity } from './support/policy-texts';
import { type PolicyText } from '../src/policy/fragments';
import { capitalized, policyTextsRead, textLocation } from './support/outputs';
import { literalSecretsIn, redacted, type LiteralSecret } from '../src/policy/secrets';

const ADVICE =
  'store it in a secret named value (or a named value backed by a Key Vault secret) and reference it as {{name}}';

function what(secret: LiteralSecret): string {
  switch (secret.kind) {
    case 'signing-key':
      return 'a literal issuer signing key in <issuer-signing-keys>';
    case 'decryption-key':
      return 'a literal token decryption key in <decryption-keys>';
    case 'password':
      return 'a literal password in <authentication-basic>';
    case 'header':
      return `a literal value of header '${secret.name}' in <${secret.holder}>`;
    case 'query-parameter':
      return `a literal value of query parameter '${secret.name}' in <${secret.holder}>`;
  }
}

/** Keys and passwords let whoever reads the policy mint tokens or call the backend: errors. A header may be a test value. */
function severityOf(secret: LiteralSecret): 'error' | 'warning' {
  return secret.kind === 'header' || secret.kind === 'query-parameter' ? 'warning' : 'error';
}

function report(secret: LiteralSecret): RuleOutput {
  const { text } = secret;
  return violation(
    textEntity(text),
    `${capitalized(text.label)} holds ${what(secret)} (${redacted(secret.value)}); ${ADVICE}.`,
    {
      ...textLocation(text, secret.offset),
      severity: severityOf(secret),
      key: `${secret.holder}:${secret.name.toLowerCase()}:${secret.index}`,
      evidence: [],
    },
  );
}

function* checkText(text: PolicyText): Generator<RuleOutput> {
  if (text.state.kind !== 'parsed') {
    yield notEvaluated(
      `${capitalized(describeUnreadability(text.label, text.state))}; literal secrets in it are not checked.`,
      textEntity(text),
    );
    return;
  }
  for (const secret of literalSecretsIn(text)) yield report(secret);
}

export default defineRule({
  id: 'policy-literal-secret',
  meta: {
    title: 'Policies hold no literal keys, passwords or credential header values',
    severity: 'error',
    tags: ['apim', 'policy', 'security'],
    securitySeverity: 7.5,
    requires: ['apim'],
    declaresEvidence: true,
  },
  *check(model) {
    yield* policyTextsRead(model);
    const index = effectivePolicies(model);
    for (const document of index.documents) yield* checkText(document);
    for (const fragment of index.fragments) yield* checkText(fragment);
  },
});
