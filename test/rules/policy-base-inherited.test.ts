import apiValidateJwt from '../../rules/api-validate-jwt';
import rule from '../../rules/policy-base-inherited';
import { newAjv } from '../../src/json/schema';
import { RuleTester } from '../../src';
import {
  AT,
  modelWith,
  notEvaluatedOutputs,
  runRule,
  sampleInput,
  TEST_NOW,
  violations,
  type Overlay,
} from '../helpers/sample';
import {
  GET_COLORS_OPERATION,
  loadedRunnerFor,
  policyXml,
  positionInInput,
  rawxml,
  VALIDATE_JWT,
  withRandomColorPolicy,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';

const run = loadedRunnerFor(rule);
const IP_FILTER = '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>';

/** The operation get-random-color with its own inbound section. */
function randomWith(inbound: string): Overlay {
  return withRandomColorPolicy(rawxml(policyXml({ inbound })));
}

/** The fixed sample whose global policy filters IP addresses before its validate-jwt. */
function globalIpFilter(overlay: Overlay = {}): Overlay {
  const service = (overlay.service ?? {}) as Record<string, unknown>;
  return {
    ...overlay,
    service: {
      ...service,
      policy: rawxml(policyXml({ inbound: `${IP_FILTER}${VALIDATE_JWT}`, backend: '<forward-request />' })),
    },
  };
}

const RANDOM_POLICY = `${AT.api}/operations/1/policy/value`;
const API_POLICY = `${AT.api}/policy/value`;
const globalWith = (inbound: string): Overlay => ({
  ...randomWith('<set-header name="X-Random" />'),
  service: { policy: rawxml(policyXml({ inbound, backend: '<forward-request />' })) },
});
const THROTTLED = globalWith(
  '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
);
const dropsIpFilter = sampleInput(globalIpFilter(randomWith('<set-header name="X-Random" />')));
const API_DROP = globalIpFilter({
  api: { policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })) },
});
const PRODUCT_DROP = globalIpFilter({
  service: {
    products: [
      {
        name: 'colors-starter',
        properties: { displayName: 'Colors Starter' },
        apis: ['colors-api'],
        policy: rawxml(policyXml({ inbound: '<quota calls="10" renewal-period="60" />' })),
      },
    ],
  },
});

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'a policy that applies the same protection itself',
      input: sampleInput(randomWith(VALIDATE_JWT)),
    },
    {
      name: 'a missing <base /> that drops no protection (PSRule-style false positive)',
      input: sampleInput({
        ...randomWith('<set-header name="X-Random" />'),
        service: { policy: rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' })) },
      }),
    },
    {
      name: 'check-header of other headers',
      input: sampleInput(globalWith('<check-header name="Content-Type" failed-check-httpcode="415" />')),
    },
    {
      name: 'dropped throttling with the throttling option off',
      input: sampleInput(THROTTLED),
      options: { throttling: false },
    },
    {
      name: 'rate-limit and rate-limit-by-key as the same kind of protection',
      input: sampleInput({
        service: {
          policy: rawxml(
            policyXml({
              inbound: '<rate-limit calls="10" renewal-period="60" />',
              backend: '<forward-request />',
            }),
          ),
        },
        ...randomWith(
          '<rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
        ),
      }),
    },
  ],
  invalid: [
    {
      name: 'an operation policy that drops the global ip-filter, at its <inbound>',
      input: dropsIpFilter,
      errors: [
        {
          path: RANDOM_POLICY,
          ...positionInInput(dropsIpFilter, '<inbound>\\n    <set-header name=\\"X-Random'),
          severity: 'error',
          resource: 'get-random-color',
          message:
            "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound, so ip-filter " +
            '(IP filtering) no longer runs for the operation; expected <base /> first',
        },
      ],
    },
    {
      name: 'the other protections the same <base /> drops, not the validate-jwt left to api-validate-jwt',
      input: sampleInput(globalIpFilter(randomWith('<set-header name="X" />'))),
      errors: [
        {
          path: RANDOM_POLICY,
          message: /^(?!.*validate-jwt).*so ip-filter \(IP filtering\) no longer runs/,
        },
      ],
    },
    {
      name: 'a dropped validate-jwt that api-validate-jwt cannot judge (the path is unreadable)',
      input: sampleInput(randomWith('<include-fragment fragment-id="not-there" />')),
      errors: [{ path: RANDOM_POLICY, message: /so validate-jwt \(token validation\) no longer runs/ }],
    },
    {
      name: 'an API policy without <base />, once, naming the operations it affects',
      input: sampleInput(API_DROP),
      errors: [
        {
          path: API_POLICY,
          resource: 'colors-api',
          message: /no longer runs for operations 'colors-api\/get-colors', 'colors-api\/get-random-color'/,
        },
      ],
    },
    {
      name: 'the API (not the operation) when both drop <base /> and only the API drop removes ip-filter',
      input: sampleInput(
        globalIpFilter({
          api: {
            policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })),
            operations: [
              { ...GET_COLORS_OPERATION, policy: rawxml(policyXml({ inbound: '<set-header name="B" />' })) },
            ],
          },
        }),
      ),
      errors: [{ path: API_POLICY, resource: 'colors-api' }],
    },
    {
      name: 'a product policy without <base />, for calls with that product',
      input: sampleInput(PRODUCT_DROP),
      errors: [
        {
          path: `${AT.service}/products/0/policy/value`,
          resource: 'colors-starter',
          message: /^The product policy of 'colors-starter' has no <base \/> in inbound, so ip-filter/,
        },
      ],
    },
    {
      name: 'a dropped protection that comes from a fragment',
      input: sampleInput({
        ...randomWith('<set-header name="X-Random" />'),
        service: {
          policy: rawxml(
            policyXml({ inbound: '<include-fragment fragment-id="jwt" />', backend: '<forward-request />' }),
          ),
          policyFragments: [
            {
              name: 'jwt',
              properties: { format: 'rawxml', value: `<fragment>${IP_FILTER}${VALIDATE_JWT}</fragment>` },
            },
          ],
        },
      }),
      errors: [
        {
          path: RANDOM_POLICY,
          message: /so ip-filter \(IP filtering\) no longer runs/,
        },
      ],
    },
    ...[
      ['ip-filter', '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>'],
      ['validate-client-certificate', '<validate-client-certificate validate-revocation="true" />'],
      [
        'check-header',
        '<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="No" />',
      ],
    ].map(([name, inbound]) => ({
      name: `a dropped ${name}, as an error`,
      input: sampleInput(globalWith(inbound!)),
      errors: [{ path: RANDOM_POLICY, severity: 'error' as const, message: new RegExp(`${name!} \\(`) }],
    })),
    {
      name: 'dropped throttling, as a warning',
      input: sampleInput(THROTTLED),
      errors: [{ path: RANDOM_POLICY, severity: 'warning', message: /rate-limit-by-key \(rate limit\)/ }],
    },
  ],
});

describe('policy-base-inherited', () => {
  // The key and the entity kind are the model's; the RuleTester sees where the engine put the finding.
  it.each([
    ['an operation policy', globalIpFilter(randomWith('<set-header name="X-Random" />')), 'operation'],
    ['an API policy', API_DROP, 'api'],
    ['a product policy', PRODUCT_DROP, 'product'],
  ] as [string, Overlay, string][])('reports %s on its owner, keyed inbound', (_name, overlay, kind) => {
    const found = violations(run(overlay).outputs);
    expect(found.map((v) => [v.entity.kind, v.key])).toEqual([[kind, 'inbound']]);
  });

  it('says what is dropped from where, and inserts <base /> first in the inbound section', () => {
    const loaded = run(globalIpFilter(randomWith('<set-header name="X-Random" />')));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toBe(
      "Without <base />, ip-filter (IP filtering) of the global policy of service 'contoso-apim' no longer runs for " +
        "operation 'colors-api/get-random-color': requests the broader scope would reject (401 or 403) reach the backend.",
    );
    expect(v?.fix?.text).toMatch(/^Add <base \/> first in the inbound section/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(
        '<inbound>\n    <set-header name="X-Random" />',
        '<inbound>\n    <base />\n    <set-header name="X-Random" />',
      ),
    );
  });

  it('names the fragment a dropped protection comes from, and the products of a product policy, in the detail', () => {
    const [fromFragment] = violations(
      run({
        ...randomWith('<set-header name="X-Random" />'),
        service: {
          policy: rawxml(
            policyXml({ inbound: '<include-fragment fragment-id="f" />', backend: '<forward-request />' }),
          ),
          policyFragments: [
            { name: 'f', properties: { format: 'rawxml', value: `<fragment>${IP_FILTER}</fragment>` } },
          ],
        },
      }).outputs,
    );
    expect(fromFragment?.detail).toContain(
      "ip-filter (IP filtering) of policy fragment 'f' (included by the global policy of service 'contoso-apim')",
    );
    const [product] = violations(run(PRODUCT_DROP).outputs);
    expect(product?.detail).toContain("(calls with a subscription to product 'colors-starter')");
  });

  it('explains dropped throttling as unlimited calls', () => {
    const [v] = violations(run(THROTTLED).outputs);
    expect(v?.detail).toMatch(/calls are no longer limited there/);
  });

  describe('one defect, one finding', () => {
    it('leaves a dropped validate-jwt to api-validate-jwt, which reports the same <inbound>', () => {
      const overlay = randomWith('<set-header name="X-Random" />');
      expect(run(overlay).outputs).toEqual([]);
      const other = violations(runRule(apiValidateJwt, modelWith(overlay)));
      expect(other.map((v) => [v.entity.name, v.key])).toEqual([['get-random-color', 'inbound-base']]);
    });

    it('leaves it to api-validate-jwt on an API without user authorization too', () => {
      const overlay = withRandomColorPolicy(
        rawxml(policyXml({ inbound: '<set-header name="X-Random" />' })),
        {
          properties: { authenticationSettings: null },
        },
      );
      expect(run(overlay).outputs).toEqual([]);
      expect(violations(runRule(apiValidateJwt, modelWith(overlay)))).toHaveLength(1);
    });
  });

  it('reports not evaluated when what is dropped cannot be read', () => {
    const { outputs } = run(
      withRandomColorPolicy(rawxml(policyXml({ inbound: '<set-header name="X" />' })), {
        policy: { format: 'rawxml-link', value: 'https://contoso.com/api.xml' },
      }),
    );
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.kind).toBe('api');
    expect(n?.reason).toContain(
      "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound; what it drops is not fully known: the API policy of 'colors-api' is given only as a link (https://contoso.com/api.xml)",
    );
  });

  it('has a schema for its option', () => {
    const validate = newAjv().compile(rule.options!.schema);
    expect(validate(rule.options!.defaults)).toBe(true);
    expect(validate({ throttling: 'no' })).toBe(false);
    expect(validate({ other: true })).toBe(false);
  });
});
