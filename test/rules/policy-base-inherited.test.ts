import apiValidateJwt from '../../rules/api-validate-jwt';
import rule from '../../rules/policy-base-inherited';
import { newAjv } from '../../src/json/schema';
import { modelWith, notEvaluatedOutputs, runRule, violations, type Overlay } from '../helpers/sample';
import {
  GET_COLORS_OPERATION,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
  VALIDATE_JWT,
  withRandomColorPolicy,
} from '../helpers/policies';

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

describe('policy-base-inherited', () => {
  it('accepts the fixed sample', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports an operation policy that drops the global ip-filter, at its <inbound>', () => {
    const { outputs, inventory, text } = run(globalIpFilter(randomWith('<set-header name="X-Random" />')));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('operation');
    expect(v?.entity.name).toBe('get-random-color');
    expect(v?.key).toBe('inbound');
    expect(v?.severity).toBeUndefined();
    expect(v?.message).toBe(
      "The operation policy of 'colors-api/get-random-color' has no <base /> in inbound, so ip-filter " +
        "(IP filtering) of the global policy of service 'contoso-apim' no longer runs for operation " +
        "'colors-api/get-random-color'; add <base /> to its inbound section (first, so the broader checks run " +
        'before its own policies), or apply the same protection in this policy.',
    );
    expect(locationOf(v!, inventory)).toEqual(
      positionInJson(text, '<inbound>\\n    <set-header name=\\"X-Random'),
    );
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

    it('still names the other protections the same <base /> drops', () => {
      const [v] = violations(run(globalIpFilter(randomWith('<set-header name="X" />'))).outputs);
      expect(v?.message).toContain('so ip-filter (IP filtering) of the global policy');
      expect(v?.message).not.toContain('validate-jwt');
    });

    it('reports a dropped validate-jwt that api-validate-jwt cannot judge (the path is unreadable)', () => {
      const { outputs } = run({
        ...randomWith('<include-fragment fragment-id="not-there" />'),
      });
      expect(violations(outputs).map((v) => v.message)).toEqual([
        expect.stringContaining('validate-jwt (token validation) of the global policy'),
      ]);
    });
  });

  it('does not report a policy that applies the same protection itself', () => {
    expect(run(randomWith(VALIDATE_JWT)).outputs).toEqual([]);
  });

  it('does not report a missing <base /> that drops no protection (PSRule-style false positive)', () => {
    const overlay: Overlay = {
      ...randomWith('<set-header name="X-Random" />'),
      service: { policy: rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' })) },
    };
    expect(run(overlay).outputs).toEqual([]);
  });

  it('reports an API policy without <base /> once, naming the operations it affects', () => {
    const { outputs } = run(
      globalIpFilter({ api: { policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })) } }),
    );
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.entity.kind).toBe('api');
    expect(v?.message).toContain(
      "no longer runs for operations 'colors-api/get-colors', 'colors-api/get-random-color'",
    );
  });

  it('reports the API (not the operation) when both drop <base /> and only the API drop removes ip-filter', () => {
    const { outputs } = run(
      globalIpFilter({
        api: {
          policy: rawxml(policyXml({ inbound: '<set-header name="A" />' })),
          operations: [
            { ...GET_COLORS_OPERATION, policy: rawxml(policyXml({ inbound: '<set-header name="B" />' })) },
          ],
        },
      }),
    );
    expect(violations(outputs).map((v) => v.entity.kind)).toEqual(['api']);
  });

  it('reports a product policy without <base /> for calls with that product', () => {
    const { outputs } = run(
      globalIpFilter({
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
      }),
    );
    const [v] = violations(outputs);
    expect(v?.entity.kind).toBe('product');
    expect(v?.message).toContain("(calls with a subscription to product 'colors-starter')");
  });

  it('names a dropped protection that comes from a fragment', () => {
    const { outputs } = run({
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
    });
    expect(violations(outputs)[0]?.message).toContain(
      "ip-filter (IP filtering) of policy fragment 'jwt' (included by the global policy of service 'contoso-apim')",
    );
  });

  describe('protections', () => {
    const globalWith = (inbound: string): Overlay => ({
      ...randomWith('<set-header name="X-Random" />'),
      service: { policy: rawxml(policyXml({ inbound, backend: '<forward-request />' })) },
    });

    it.each([
      ['ip-filter', '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>'],
      ['validate-client-certificate', '<validate-client-certificate validate-revocation="true" />'],
      [
        'check-header',
        '<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="No" />',
      ],
    ])('reports a dropped %s as an error', (name, inbound) => {
      const [v] = violations(run(globalWith(inbound)).outputs);
      expect(v?.message).toContain(`${name} (`);
      expect(v?.severity).toBeUndefined();
    });

    it('ignores check-header of other headers', () => {
      expect(
        run(globalWith('<check-header name="Content-Type" failed-check-httpcode="415" />')).outputs,
      ).toEqual([]);
    });

    it('reports dropped throttling as a warning, unless the throttling option is off', () => {
      const overlay = globalWith(
        '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
      );
      const [v] = violations(run(overlay).outputs);
      expect(v?.severity).toBe('warning');
      expect(v?.message).toContain('rate-limit-by-key (rate limit)');
      expect(run(overlay, { throttling: false }).outputs).toEqual([]);
    });

    it('treats rate-limit and rate-limit-by-key as the same kind of protection', () => {
      const overlay: Overlay = {
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
      };
      expect(run(overlay).outputs).toEqual([]);
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
