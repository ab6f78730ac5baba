import rule from '../../rules/api-validate-jwt';
import policyBaseInherited from '../../rules/policy-base-inherited';
import { RuleTester } from '../../src';
import { runAudit } from '../../src/engine/run';
import type { AnyRule } from '../../rules/support/contract';
import {
  AT,
  applyOverlay,
  sampleInput,
  buildModel,
  loadSampleDoc,
  notEvaluatedOutputs,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';
import {
  fixturePolicy,
  GET_COLORS_OPERATION,
  loadedRunnerFor,
  policyXml,
  positionInInput,
  rawxml,
  VALIDATE_JWT,
  withRandomColorPolicy,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';

const NO_VALIDATION = rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' }));
const run = loadedRunnerFor(rule);

const RANDOM_DROPS = withRandomColorPolicy(
  rawxml(policyXml({ inbound: '<rate-limit calls="5" renewal-period="60" />' })),
);
const BOTH_DROP: Overlay = {
  api: {
    policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })),
    operations: [
      { ...GET_COLORS_OPERATION, policy: rawxml(policyXml({ inbound: '<set-header name="B" />' })) },
    ],
  },
};
const NOWHERE: Overlay = { service: { policy: NO_VALIDATION } };
const CONDITIONAL: Overlay = {
  service: {
    policy: rawxml(
      policyXml({
        inbound: `<choose><when condition="@(context.Request.Method != &quot;GET&quot;)">${VALIDATE_JWT}</when></choose>`,
        backend: '<forward-request />',
      }),
    ),
  },
};
const product = (inbound: string) => ({
  name: 'colors-starter',
  properties: { displayName: 'Colors Starter', subscriptionRequired: true },
  apis: ['colors-api'],
  policy: rawxml(policyXml({ inbound })),
});
const PRODUCT_ONLY: Overlay = {
  service: { policy: NO_VALIDATION, products: [product(`<base />${VALIDATE_JWT}`)] },
};
const PRODUCT_DROPS: Overlay = {
  service: { products: [product('<quota calls="10" renewal-period="60" />')] },
};
const CUT_OFF: Overlay = {
  service: { policy: NO_VALIDATION },
  ...withRandomColorPolicy(
    rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
  ),
};
const randomDrops = sampleInput(RANDOM_DROPS);
const nowhere = sampleInput(NOWHERE);
const conditional = sampleInput(CONDITIONAL);
const RANDOM_POLICY = `${AT.api}/operations/1/policy/value`;

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample (global validate-jwt, every operation keeps <base />)', input: sampleInput() },
    {
      name: 'a <choose> whose every branch validates (fixture method-authorization)',
      input: sampleInput({ ...NOWHERE, api: { policy: rawxml(fixturePolicy('method-authorization.xml')) } }),
    },
    {
      name: 'validate-azure-ad-token (fixture validate-azure-ad-token) in the API policy',
      input: sampleInput({
        ...NOWHERE,
        api: { policy: rawxml(fixturePolicy('validate-azure-ad-token.xml')) },
      }),
    },
  ],
  invalid: [
    {
      name: 'the operation whose policy drops the global validate-jwt, at its <inbound>',
      input: randomDrops,
      errors: [
        {
          path: RANDOM_POLICY,
          ...positionInInput(randomDrops, '<inbound>\\n    <rate-limit '),
          severity: 'error',
          resource: 'get-random-color',
          message:
            "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound, so the operation runs " +
            'without token validation; expected <base /> first',
        },
      ],
    },
    {
      name: 'every policy on the chain named when the API and the operation both drop <base />',
      input: sampleInput(BOTH_DROP),
      errors: [
        {
          path: `${AT.api}/operations/0/policy/value`,
          resource: 'get-colors',
          message:
            "The operation policy of 'colors-api/get-colors' has no <base /> in inbound (and the API policy of " +
            "'colors-api' has none either), so the operation runs without token validation; expected <base /> first",
        },
      ],
    },
    {
      name: 'an API that validates nowhere, once, naming all its operations, at the API policy inbound',
      input: nowhere,
      errors: [
        {
          path: `${AT.api}/policy/value`,
          ...positionInInput(nowhere, '<inbound>\\n    <base />\\n    <set-header'),
          resource: 'colors-api',
          message:
            "API 'colors-api' (revision 1) has no validate-jwt or validate-azure-ad-token in the effective inbound " +
            "policy of operations 'colors-api/get-colors', 'colors-api/get-random-color'; expected one",
        },
      ],
    },
    {
      name: 'a validation that runs only under a condition, at the validation',
      input: conditional,
      errors: [
        {
          path: `${AT.service}/policy/value`,
          ...positionInInput(conditional, '<validate-jwt'),
          resource: 'contoso-apim',
          message:
            "validate-jwt in the global policy of service 'contoso-apim' runs only under a <choose> condition, so 2 " +
            'operations are not validated on other requests',
        },
      ],
    },
    {
      name: 'a validation that exists only in a product policy',
      input: sampleInput(PRODUCT_ONLY),
      errors: [
        {
          path: `${AT.api}/policy`,
          resource: 'colors-api',
          message:
            "For API 'colors-api' (revision 1), tokens are validated only in the product policy of 'colors-starter'; " +
            'expected the API or global policy to validate',
        },
      ],
    },
    {
      name: 'which calls lose the validation when a product policy drops <base />',
      input: sampleInput(PRODUCT_DROPS),
      errors: [
        {
          path: `${AT.service}/products/0/policy/value`,
          resource: 'colors-starter',
          message:
            "The product policy of 'colors-starter' has no <base /> in inbound, so 2 operations run without token " +
            'validation on some call paths; expected <base /> first',
        },
      ],
    },
    {
      name: 'calls without a key mentioned when the API does not require a subscription',
      input: sampleInput({ ...PRODUCT_ONLY, api: { properties: { subscriptionRequired: false } } }),
      errors: [{ message: /tokens are validated only in the product policy of 'colors-starter'/ }],
    },
    {
      name: 'an operation that drops <base /> and validates nothing, at its <inbound>, apart from the API',
      input: sampleInput(CUT_OFF),
      errors: [
        { path: `${AT.api}/policy/value`, resource: 'colors-api' },
        { path: RANDOM_POLICY, resource: 'get-random-color' },
      ],
    },
  ],
});

describe('api-validate-jwt', () => {
  // The key tells findings apart (fingerprints), and the entity kind is the model's; the RuleTester sees neither.
  it.each([
    ['a dropped <base />', RANDOM_DROPS, [['operation', 'inbound-base']]],
    ['<base /> dropped by the API and the operation', BOTH_DROP, [['operation', 'inbound-base']]],
    ['no validation anywhere', NOWHERE, [['api', 'none']]],
    ['a conditional validation', CONDITIONAL, [['apimService', 'validate-jwt#0']]],
    ['a validation only in a product', PRODUCT_ONLY, [['api', 'product-only']]],
    ['a product that drops <base />', PRODUCT_DROPS, [['product', 'inbound-base']]],
    [
      'an operation cut off from the broader scopes',
      CUT_OFF,
      [
        ['api', 'none'],
        ['operation', 'inbound-base'],
      ],
    ],
  ] as [string, Overlay, [string, string | undefined][]][])(
    'keys the findings of %s',
    (_name, overlay, want) => {
      const found = violations(run(overlay).outputs);
      expect(found.map((v, i) => [v.entity.kind, want[i]?.[1] === undefined ? undefined : v.key])).toEqual(
        want,
      );
    },
  );

  describe('detail and fix', () => {
    it('a dropped <base />: the validation named in the detail, <base /> inserted first in inbound', () => {
      const loaded = run(RANDOM_DROPS);
      const [v] = violations(loaded.outputs);
      expect(v?.detail).toBe(
        "The global policy of service 'contoso-apim' validates tokens (validate-jwt), but without <base /> in the " +
          "operation policy of 'colors-api/get-random-color' the validation does not run for operation " +
          "'colors-api/get-random-color': requests without a valid token reach the backend instead of being " +
          'rejected with 401 Unauthorized.',
      );
      expect(v?.fix?.text).toBe(
        'Add <base /> first in the inbound section, so the token is checked before anything else runs.',
      );
      const { before, after } = policyEdit(loaded.doc, v);
      expect(after).toBe(
        before.replace('<inbound>\n    <rate-limit', '<inbound>\n    <base />\n    <rate-limit'),
      );
    });

    it('<base /> dropped by two policies: both named, the step described for each', () => {
      const [v] = violations(run(BOTH_DROP).outputs);
      expect(v?.detail).toContain("(and the API policy of 'colors-api' has none either)");
      expect(v?.fix).toEqual({
        text: 'Add <base /> first in the inbound section of each of these policies, so the token is checked before anything else runs.',
      });
    });

    it('a product that drops <base />: the operations and call paths in the detail', () => {
      const [v] = violations(run(PRODUCT_DROPS).outputs);
      expect(v?.detail).toContain(
        "for operations 'colors-api/get-colors', 'colors-api/get-random-color' for calls with a subscription to product 'colors-starter'",
      );
      expect(v?.fix?.policy).toBeDefined();
    });

    it('no validation anywhere: why user authorization is not enough, and where to add validate-jwt', () => {
      const [v] = violations(run(NOWHERE).outputs);
      expect(v?.detail).toMatch(
        /^The API has OAuth 2\.0 \/ OpenID Connect user authorization, which only tells the developer portal how to get a token, but no policy .* validates it for operations 'colors-api\/get-colors', 'colors-api\/get-random-color', so requests without a valid token reach the backend/,
      );
      expect(v?.fix).toEqual({
        text: "Add validate-jwt to the inbound section of the API policy of 'colors-api', or of the global policy to cover every API.",
      });
    });

    it('a conditional validation: the condition and the operations in the detail', () => {
      const [v] = violations(run(CONDITIONAL).outputs);
      expect(v?.detail).toContain('(condition @(context.Request.Method != "GET"))');
      expect(v?.detail).toContain(
        "operations 'colors-api/get-colors', 'colors-api/get-random-color' check no token",
      );
      expect(v?.fix).toEqual({
        text: 'Validate outside <choose>, or in every branch including <otherwise>.',
      });
    });

    it('a validation only in a product: the call paths that skip it', () => {
      const [v] = violations(
        run({ ...PRODUCT_ONLY, api: { properties: { subscriptionRequired: false } } }).outputs,
      );
      expect(v?.detail).toMatch(/^Product policies do not run for .*calls without a subscription key/);
      expect(v?.fix).toEqual({ text: 'Move the validation to the API policy (or the global policy).' });
    });

    it('an operation cut off from the broader scopes: validate-jwt or <base />, described', () => {
      const found = violations(run(CUT_OFF).outputs);
      expect(found[1]?.detail).toMatch(/^Without <base \/>, nothing of the broader scopes/);
      expect(found[1]?.fix).toEqual({
        text: 'Add validate-jwt to its inbound section, or <base /> (first) to inherit the validation of a broader scope.',
      });
    });
  });

  it('reports the "all operations" view of an API without operations', () => {
    const { outputs } = run({ service: { policy: NO_VALIDATION }, api: { operations: null } });
    expect(violations(outputs)[0]?.message).toContain(
      "effective inbound policy of operation 'colors-api (all operations)'",
    );
  });

  describe('unreadable policies', () => {
    it('reports an operation as not evaluated, naming the link, when its policy is a link', () => {
      const { outputs } = run(
        withRandomColorPolicy({ format: 'rawxml-link', value: 'https://contoso.com/p.xml' }),
      );
      expect(violations(outputs)).toEqual([]);
      const [n] = notEvaluatedOutputs(outputs);
      expect(notEvaluatedOutputs(outputs)).toHaveLength(1);
      expect(n?.entity?.name).toBe('get-random-color');
      expect(n?.reason).toBe(
        "Whether operation 'colors-api/get-random-color' validates tokens is not known: the operation policy of " +
          "'colors-api/get-random-color' is given only as a link (https://contoso.com/p.xml), which cannot be read offline.",
      );
    });

    it('needs no broader policy when a narrower scope validates unconditionally', () => {
      const { outputs } = run({
        service: { policy: { format: 'xml-link', value: 'https://contoso.com/global.xml' } },
        api: { policy: rawxml(policyXml({ inbound: `<base />${VALIDATE_JWT}` })) },
      });
      expect(outputs).toEqual([]);
    });

    it('reports a policy that does not parse as not evaluated', () => {
      const { outputs } = run({ api: { policy: rawxml('<policies><inbound></outbound></policies>') } });
      expect(violations(outputs)).toEqual([]);
      expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
        "the API policy of 'colors-api' could not be parsed",
      );
    });
  });

  describe('which APIs', () => {
    it('skips APIs without user authorization unless allApis is set', () => {
      const overlay = {
        service: { policy: NO_VALIDATION },
        api: { properties: { authenticationSettings: null } },
      };
      expect(run(overlay).outputs).toEqual([]);
      const [v] = violations(run(overlay, { allApis: true }).outputs);
      expect(v?.message).toContain(
        "API 'colors-api' (revision 1) has no validate-jwt or validate-azure-ad-token",
      );
    });

    it('reports a validation lost to a dropped <base /> on every API, with user authorization or not', () => {
      const overlay = withRandomColorPolicy(rawxml(policyXml({ inbound: '<set-header name="X" />' })), {
        properties: { authenticationSettings: null },
      });
      const [v] = violations(run(overlay).outputs);
      expect(violations(run(overlay).outputs)).toHaveLength(1);
      expect(v?.key).toBe('inbound-base');
      expect(v?.message).toContain(
        "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound",
      );
    });

    it('skips non-current revisions', () => {
      expect(
        run({ service: { policy: NO_VALIDATION }, api: { properties: { isCurrent: false } } }).outputs,
      ).toEqual([]);
    });
  });
});

/** The fixed sample (overlay applied) audited by the engine, which compares each conclusion's evidence with unknowns. */
function audit(overlay: Overlay, rules: AnyRule[] = [rule]) {
  const model = buildModel(applyOverlay(loadSampleDoc(), overlay));
  return runAudit(model, { rules, settings: {}, suppressions: [], now: TEST_NOW, files: {} });
}

/** The names of the entities the not-evaluated records list (one record may list several). */
function notEvaluatedNames(result: { notEvaluated: readonly unknown[] }): string[] {
  return result.notEvaluated.flatMap((n) => {
    const record = n as { resources?: { name: string }[]; resource?: { name: string } };
    return (record.resources ?? (record.resource ? [record.resource] : [])).map((r) => r.name);
  });
}

/** An ARM template that adds the API to a service declared elsewhere: the global policy is not stated. */
function globalUnknown(api: Record<string, unknown>): Overlay {
  return {
    service: {
      policy: null,
      $unknown: {
        policy: 'the template adds to a service declared elsewhere; its global policy is not known',
      },
    },
    api,
  };
}

describe('api-validate-jwt when the global policy is unknown (evidence)', () => {
  it('reports an API whose inbound drops <base /> and validates nothing: no global policy can change that', () => {
    const result = audit(
      globalUnknown({
        policy: rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
      }),
    );
    expect(result.notEvaluated).toEqual([]);
    expect(result.findings.map((f) => [f.resource.kind, f.resource.name, f.message])).toEqual([
      [
        'api',
        'colors-api',
        "The API policy of 'colors-api' has no <base /> in inbound and validates no token itself, so 2 operations " +
          'run without token validation; expected validate-jwt or <base />',
      ],
    ]);
  });

  it('reports an operation whose inbound drops <base /> too, and abstains on the operations that keep it', () => {
    const result = audit({
      ...globalUnknown({}),
      ...withRandomColorPolicy(
        rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
      ),
    });
    expect(result.findings.map((f) => [f.resource.kind, f.resource.name])).toEqual([
      ['operation', 'get-random-color'],
    ]);
    expect(result.findings[0]?.message).toContain(
      "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound and validates no token itself",
    );
    expect(notEvaluatedNames(result)).toEqual(['colors-api']);
  });

  it('abstains on an API that keeps <base />: the unknown global policy may validate', () => {
    const result = audit(globalUnknown({}));
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/^The finding would rest on policy of apimService 'contoso-apim'/),
      }),
    ]);
    expect(notEvaluatedNames(result)).toEqual(['colors-api']);
  });

  it('needs nothing of the global policy when the API validates itself', () => {
    const result = audit(
      globalUnknown({ policy: rawxml(policyXml({ inbound: `<base />${VALIDATE_JWT}` })) }),
    );
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([]);
  });

  it('a validation lost to a dropped <base /> is still reported when the product collection is unknown', () => {
    const result = audit({
      service: {
        $unknown: { products: 'the template does not state the products of the service' },
      },
      ...withRandomColorPolicy(
        rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
      ),
    });
    expect(result.findings.map((f) => [f.resource.name, f.ruleId])).toEqual([
      ['get-random-color', 'api-validate-jwt'],
    ]);
    // get-colors keeps the global validation only if no unknown product policy drops it: not fully evaluated.
    expect(notEvaluatedNames(result)).toEqual(['get-colors']);
  });

  it('policy-base-inherited abstains on what a dropped <base /> removes from an unknown global policy', () => {
    const result = audit(
      globalUnknown({
        policy: rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
      }),
      [policyBaseInherited],
    );
    expect(result.findings).toEqual([]);
    expect(result.notEvaluated).toEqual([
      expect.objectContaining({ reason: expect.stringContaining("policy of apimService 'contoso-apim'") }),
    ]);
    expect(notEvaluatedNames(result)).toEqual(['colors-api']);
  });
});
