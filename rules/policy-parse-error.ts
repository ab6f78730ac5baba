/**
 * Every policy document and policy fragment can be read, and every `<include-fragment>` names a fragment that
 * exists. A policy that cannot be read is not evaluated by the other policy rules (they say so), so this rule is
 * where the cause is reported, once, at the place in the text where reading failed.
 */
import { defineRule, notEvaluated, violation, type RuleOutput, wantsEvidence } from './support/contract';
import type { Entity, Evidence, Model, Service } from '../src/model/types';
import { describeMissingFragment, textEntity } from './support/policy-texts';
import { isFragmentText, type MissingFragment } from '../src/policy/fragments';
import { serviceOf, workspaceOf, type FragmentDocument, type PolicyDocument } from '../src/policy/documents';
import { effectivePolicies } from '../src/policy/effective';
import { SYNTHETIC_ROOT } from '../src/policy/parser';
import { capitalized, fitted, policyTextsRead, textLocation } from './support/outputs';
import { citing, POLICY_CITES } from './support/policy-evidence';

function explain(message: string): string {
  return message.includes(`<${SYNTHETIC_ROOT}>`)
    ? 'the text has several top-level elements; a policy has exactly one root element'
    : message;
}

function* checkText(text: PolicyDocument | FragmentDocument): Generator<RuleOutput> {
  const entity = textEntity(text);
  const { state } = text;
  if (state.kind === 'link') {
    yield notEvaluated(
      `${capitalized(text.label)} is given only as a link (${state.url}); it cannot be read offline, so ` +
        'whether it parses is not known. Audit the policy text instead (export it with format=rawxml).',
      entity,
    );
    return;
  }
  if (state.kind === 'parse-error') {
    const message = `${capitalized(text.label)} cannot be read: ${explain(state.message)}`;
    yield violation(entity, fitted(message), {
      ...textLocation(text, state.offset),
      key: 'parse',
      detail:
        // The reader's words whole when the message had to be cut.
        `${message === fitted(message) ? '' : `${message}. `}API Management rejects such text when it is saved ` +
        'or deployed (a ValidationError naming the line), and the policy rules cannot evaluate it: what it ' +
        'validates and inherits is not known to this audit.',
      fix: {
        text: 'Correct the policy text at the reported place, so that it is one well-formed XML document.',
      },
    });
  }
}

/**
 * "Fragment 'x' is not in the data" rests on the fragment lists it was looked up in: the workspace's (for a
 * policy in a workspace) and the service's.
 */
function fragmentListsOf(missing: MissingFragment, model: Model): Evidence[] {
  const { text } = missing;
  const workspace = isFragmentText(text) ? text.fragment.workspace : workspaceOf(text.owner);
  const service: Service | undefined = isFragmentText(text)
    ? (workspace?.service ?? model.services.find((s) => s.policyFragments.includes(text.fragment)))
    : serviceOf(text.owner);
  const parents: Entity[] = [...(workspace ? [workspace] : []), ...(service ? [service] : [])];
  return parents.map((parent) => ({ collection: 'policyFragments', parent }));
}

function missingFragment(missing: MissingFragment, model: Model): RuleOutput {
  const { text, element, fragmentId } = missing;
  const fix =
    fragmentId === ''
      ? 'Name the fragment to include in the fragment-id attribute.'
      : `Create the policy fragment '${fragmentId}' (or correct the fragment-id); if it exists in the service, add it to the audited data.`;
  const expected =
    fragmentId === '' ? 'expected the id of a fragment' : 'expected a fragment of that id in the service';
  return violation(
    textEntity(text),
    fitted(`${capitalized(describeMissingFragment(missing))}; ${expected}`),
    {
      ...textLocation(text, element.offset),
      key: `include-fragment:${fragmentId.toLowerCase()}`,
      detail:
        'API Management rejects a policy whose <include-fragment> names no existing fragment (saving or deploying it ' +
        'fails), and the policy rules cannot see what the fragment would have run (token validation, for one).',
      fix: { text: fix },
      // An include without a fragment-id is wrong whatever the service holds.
      ...(fragmentId === '' ? {} : { evidence: fragmentListsOf(missing, model) }),
    },
  );
}

export default defineRule({
  id: 'policy-parse-error',
  meta: {
    title: 'Policies and policy fragments can be read, and included fragments exist',
    severity: 'error',
    tags: ['apim', 'policy'],
    requires: ['apim'],
    declaresEvidence: true,
    cites: citing(POLICY_CITES, { apimService: ['policyFragments'], workspace: ['policyFragments'] }),
  },
  *check(model, ctx) {
    // What every text's verdict rests on; read only when a cited value is unknown (RuleContext.evidence).
    if (wantsEvidence(ctx)) yield* policyTextsRead(model);
    const index = effectivePolicies(model);
    for (const document of index.documents) yield* checkText(document);
    for (const fragment of index.fragments) yield* checkText(fragment);
    for (const missing of index.missingFragments) yield missingFragment(missing, model);
    for (const problem of index.fragmentProblems) {
      const cycle = problem.kind === 'cycle';
      yield violation(textEntity(problem.text), fitted(capitalized(problem.message)), {
        ...textLocation(problem.text, problem.element.offset),
        key: `fragment-${problem.kind}`,
        detail: cycle
          ? 'API Management rejects fragments that include each other (saving or deploying them fails), and ' +
            'the policy rules cannot expand them: what they run is not known to this audit.'
          : 'So large an expansion is not what was meant (fragments that each include the next twice double at ' +
            'every step); the policy rules do not expand it, so what it runs is not known to this audit.',
        fix: {
          text: cycle
            ? 'Remove one of the <include-fragment> elements that close the cycle.'
            : 'Include fewer or smaller fragments.',
        },
      });
    }
  },
});
