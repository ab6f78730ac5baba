/**
 * No secret is written into a policy as a literal: issuer signing and token decryption keys, basic-authentication
 * passwords, and the values of credential headers and query parameters belong in a secret named value (or a Key
 * Vault named value) referenced as `{{name}}`. The finding never shows the value, only its length.
 */
import { defineRule, notEvaluated, violation, type RuleOutput, wantsEvidence } from './support/contract';
import { describeUnreadability } from './support/policy-texts';
import { effectivePolicies } from '../src/policy/effective';
import { textEntity } from './support/policy-texts';
import { type PolicyText } from '../src/policy/fragments';
import { capitalized, fitted, policyTextsRead, textLocation } from './support/outputs';
import { literalSecretsIn, redacted, type LiteralSecret } from '../src/policy/secrets';
import { POLICY_CITES } from './support/policy-evidence';

const FIX =
  'Store the value in a secret named value (or a named value backed by a Key Vault secret), reference it as ' +
  '{{name}} in the policy, and rotate it: the literal has been readable wherever the policy was.';

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

/** What whoever reads the policy can do with the value. */
function exposure(secret: LiteralSecret): string {
  switch (secret.kind) {
    case 'signing-key':
      return 'mint tokens that this validation accepts';
    case 'decryption-key':
      return 'decrypt the encrypted tokens this validation reads';
    case 'password':
      return 'call the backend with its basic-authentication credentials';
    case 'header':
    case 'query-parameter':
      return 'call what the credential opens, as the gateway does';
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
    fitted(
      `${capitalized(text.label)} holds ${what(secret)} (${redacted(secret.value)}); expected a {{named value}} reference`,
    ),
    {
      ...textLocation(text, secret.offset),
      severity: severityOf(secret),
      key: `${secret.holder}:${secret.name.toLowerCase()}:${secret.index}`,
      evidence: [],
      detail:
        'Policy text is not a secret store: it is readable in the Azure portal, in exports, in APIOps repositories ' +
        `and in deployment templates, and whoever reads it can ${exposure(secret)}.`,
      // The value itself never appears: the step names where it goes, not what it is.
      fix: { text: FIX },
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
    cites: POLICY_CITES,
  },
  *check(model, ctx) {
    // What every text's verdict rests on; read only when a cited value is unknown (RuleContext.evidence).
    if (wantsEvidence(ctx)) yield* policyTextsRead(model);
    const index = effectivePolicies(model);
    for (const document of index.documents) yield* checkText(document);
    for (const fragment of index.fragments) yield* checkText(fragment);
  },
});
