/**
 * Equal policy texts are read once (documents.ts `Readings`): the documents share one parsed tree, and what rules
 * tell apart per policy (token validations, what a missing `<base />` drops) stays apart per policy.
 */
import policyBaseInherited from '../../rules/policy-base-inherited';
import { tokenValidations, describeUse } from '../../rules/support/jwt';
import { effectivePolicies, policyTexts } from '../../src/policy/effective';
import { literalSecrets, literalSecretsIn } from '../../src/policy/secrets';
import { WrittenMap } from '../../src/policy/written';
import type { StatementSource } from '../../src/policy/statements';
import type { PolicyElement } from '../../src/policy/types';
import { loadWith, policyXml, rawxml, VALIDATE_JWT } from '../helpers/policies';
import { runRule, violations } from '../helpers/sample';

/** Two products of the sample API with the same policy text (a token validation), and an API policy. */
function twoProducts(apiInbound: string, productInbound = VALIDATE_JWT) {
  const productPolicy = rawxml(policyXml({ inbound: `<base />${productInbound}` }));
  return loadWith({
    service: {
      policy: rawxml(policyXml({ inbound: '<cors allow-credentials="false" />' })),
      products: [
        { name: 'gold', properties: { displayName: 'Gold' }, apis: ['colors-api'], policy: productPolicy },
        {
          name: 'silver',
          properties: { displayName: 'Silver' },
          apis: ['colors-api'],
          policy: productPolicy,
        },
      ],
    },
    api: { policy: rawxml(policyXml({ inbound: apiInbound })) },
  });
}

describe('equal policy texts', () => {
  it('share one parsed tree', () => {
    const { model } = twoProducts('<base />');
    const products = effectivePolicies(model).documents.filter((d) => d.scope === 'product');
    expect(products.map((d) => d.owner.name)).toEqual(['gold', 'silver']);
    expect(products[0]?.state.kind).toBe('parsed');
    expect(products[0]?.state).toBe(products[1]?.state);
  });

  it('are still one token validation per policy', () => {
    const { model } = twoProducts('<base />');
    const uses = tokenValidations(model).filter((u) => u.statement.source.document.scope === 'product');
    expect(uses.map(describeUse)).toEqual([
      "validate-jwt in the product policy of 'gold' (API 'colors-api')",
      "validate-jwt in the product policy of 'silver' (API 'colors-api')",
    ]);
    expect(uses[0]?.statement.element).toBe(uses[1]?.statement.element);
  });

  it('are each named when a policy without <base /> drops them', () => {
    const { model } = twoProducts(
      '<set-header name="x-trace" exists-action="override"><value>1</value></set-header>',
      '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>',
    );
    const [finding, ...rest] = violations(runRule(policyBaseInherited, model));
    expect(rest).toEqual([]);
    expect(finding?.detail).toContain("ip-filter (IP filtering) of the product policy of 'gold'");
    expect(finding?.detail).toContain("ip-filter (IP filtering) of the product policy of 'silver'");
  });
});

describe('WrittenMap', () => {
  const element = { type: 'element', name: 'validate-jwt' } as PolicyElement;
  const other = { type: 'element', name: 'quota' } as PolicyElement;
  const source = (name: string, fragment?: string) =>
    ({
      document: { name },
      fragment: fragment ? { name: fragment } : undefined,
    }) as unknown as StatementSource;

  it('keys a statement by the text it is written in and its element, in order of first insertion', () => {
    const map = new WrittenMap<string>();
    const a = source('a');
    const b = source('b');
    map.set(b, element, 'b1').set(a, element, 'a1').set(a, other, 'a2').set(b, element, 'b1 again');
    expect([...map.values()]).toEqual(['b1 again', 'a1', 'a2']);
    expect(map.size).toBe(3);
    expect(map.get(a, element)).toBe('a1');
    expect(map.get(source('a'), element)).toBeUndefined(); // another document, however named
  });

  it('keys a statement inlined from a fragment by the fragment, whichever policy includes it', () => {
    const map = new WrittenMap<string>();
    const fragment = source('a', 'f');
    const viaOther = { ...source('b'), fragment: fragment.fragment } as StatementSource;
    map.set(fragment, element, 'first').set(viaOther, element, 'second');
    expect([...map.values()]).toEqual(['second']);
  });
});

describe('the policy texts of a model', () => {
  it('are read once, for the secrets to redact and for the index, whichever asks first', () => {
    const secret =
      '<set-header name="Ocp-Apim-Subscription-Key" exists-action="override"><value>0123456789abcdef0123456789abcdef</value></set-header>';
    const { model } = twoProducts(`<base />${secret}`);
    // The secrets first (as with --only and a rule that reads no policy): the texts, not the index.
    const secrets = literalSecrets(model);
    expect(secrets.map((s) => s.value)).toEqual(['0123456789abcdef0123456789abcdef']);
    const texts = policyTexts(model);
    const index = effectivePolicies(model);
    expect(index.documents).toBe(texts.documents);
    expect(index.fragments).toBe(texts.catalog.documents);
    expect([...index.documents, ...index.fragments].flatMap(literalSecretsIn)).toEqual(secrets);
  });
});
