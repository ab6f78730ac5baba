import { readdirSync } from 'node:fs';
import rule from '../../rules/policy-parse-error';
import { RuleTester } from '../../src';
import { AT, loadSampleDoc, sampleInput, TEST_NOW, violations, type Overlay } from '../helpers/sample';
import {
  FIXTURE_POLICIES,
  fixturePolicy,
  loadedRunnerFor,
  policyXml,
  positionInInput,
  rawxml,
} from '../helpers/policies';

const run = loadedRunnerFor(rule);

const broken = loadSampleDoc('contoso');
const unreadable = sampleInput({
  api: { policy: rawxml('<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>') },
});
const BROKEN_FRAGMENT: Overlay = {
  service: {
    policyFragments: [
      { name: 'broken', properties: { format: 'rawxml', value: '<fragment></inbound></fragment>' } },
    ],
  },
};
const brokenFragment = sampleInput(BROKEN_FRAGMENT);
const API_POLICY = `${AT.api}/policy/value`;

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'what the parser reads past (an element left open until the end of its section)',
      input: sampleInput({
        api: {
          policy: rawxml(policyXml({ inbound: '<base /><set-header name="A" exists-action="override">' })),
        },
      }),
    },
    {
      name: 'a policy given as a link, not evaluated',
      input: sampleInput({
        api: { policy: { format: 'rawxml-link', value: 'https://contoso.com/api.xml' } },
      }),
      notEvaluated: [
        /^The API policy of 'colors-api' is given only as a link \(https:\/\/contoso\.com\/api\.xml\)/,
      ],
    },
  ],
  invalid: [
    {
      name: 'the missing fragment of the broken sample, at the <include-fragment>',
      input: broken,
      errors: [
        {
          path: '/apim/0/products/0/policy/value',
          ...positionInInput(broken, '<include-fragment'),
          severity: 'error',
          resource: 'colors-starter',
          message:
            "The product policy of 'colors-starter' includes policy fragment 'colors-response-headers', which is not in " +
            'the data; expected a fragment of that id in the service',
        },
      ],
    },
    {
      name: 'an include without fragment-id',
      input: sampleInput({ api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment />' })) } }),
      errors: [
        {
          path: API_POLICY,
          message: /<include-fragment> in the API policy of 'colors-api' has no fragment-id/,
        },
      ],
    },
    {
      name: 'a policy broken beyond repair, at the position of the problem',
      input: unreadable,
      errors: [
        {
          path: API_POLICY,
          ...positionInInput(unreadable, '</outbound>'),
          severity: 'error',
          resource: 'colors-api',
          message: /^The API policy of 'colors-api' cannot be read: .*<\/outbound>[^;]*$/,
        },
      ],
    },
    {
      name: 'a root element other than <policies>',
      input: sampleInput({ api: { policy: rawxml('<fragment><base /></fragment>') } }),
      errors: [
        { path: API_POLICY, message: /the root element is <fragment>; a policy starts with <policies>/ },
      ],
    },
    {
      name: 'a fragment that cannot be read, on the fragment',
      input: brokenFragment,
      errors: [
        {
          path: `${AT.service}/policyFragments/0/properties/value`,
          ...positionInInput(brokenFragment, '</inbound></fragment>'),
          resource: 'broken',
          message: /Policy fragment 'broken' cannot be read/,
        },
      ],
    },
  ],
});

describe('policy-parse-error', () => {
  // The key tells findings in one policy apart (fingerprints), and the entity kind is the model's; the RuleTester
  // sees neither.
  it('keys the missing fragment of the broken sample by its id, on the product', () => {
    const [v] = violations(run({}, {}, 'contoso').outputs);
    expect(v?.entity.kind).toBe('product');
    expect(v?.key).toBe('include-fragment:colors-response-headers');
  });

  it('says why a missing fragment fails and what to create', () => {
    const [v] = violations(run({}, {}, 'contoso').outputs);
    expect(v?.detail).toMatch(
      /^API Management rejects a policy whose <include-fragment> names no existing fragment/,
    );
    expect(v?.fix).toEqual({
      text:
        "Create the policy fragment 'colors-response-headers' (or correct the fragment-id); if it exists in the " +
        'service, add it to the audited data.',
    });
  });

  it('asks for a fragment-id when an include names none', () => {
    const [v] = violations(
      run({ api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment />' })) } }).outputs,
    );
    expect(v?.message).toBe(
      "<include-fragment> in the API policy of 'colors-api' has no fragment-id; expected the id of a fragment",
    );
    expect(v?.fix?.text).toBe('Name the fragment to include in the fragment-id attribute.');
  });

  it('explains a text broken beyond repair (ValidationError) and asks to correct it', () => {
    const [v] = violations(
      run({ api: { policy: rawxml('<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>') } })
        .outputs,
    );
    expect(v?.detail).toMatch(/API Management rejects such text .*ValidationError/);
    expect(v?.fix?.text).toMatch(/^Correct the policy text at the reported place/);
  });

  it("gives the reader's words whole in the detail when the message had to be cut", () => {
    const name = `x${'y'.repeat(250)}`;
    const [v] = violations(
      run({ api: { policy: rawxml(`<policies><inbound></${name}></outbound></policies>`) } }).outputs,
    );
    expect(v?.message.length).toBeLessThanOrEqual(200);
    expect(v?.message).toMatch(/\.\.\.$/);
    expect(v?.detail).toMatch(
      new RegExp(`^The API policy of 'colors-api' cannot be read: .*${name}.*\\. API Management rejects`),
    );
  });

  it('keys a policy broken beyond repair as parse, on the API', () => {
    const [v] = violations(
      run({ api: { policy: rawxml('<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>') } })
        .outputs,
    );
    expect(v?.entity.kind).toBe('api');
    expect(v?.key).toBe('parse');
  });

  it('reports a fragment that cannot be read on the fragment entity', () => {
    expect(violations(run(BROKEN_FRAGMENT).outputs)[0]?.entity.kind).toBe('policyFragment');
  });

  it('reads every complete fixture policy (rawxml as real repositories write it) without an error', () => {
    const files = readdirSync(FIXTURE_POLICIES).filter((f) => f.endsWith('.xml'));
    const documents = files.filter((f) => /<policies[\s>]/.test(fixturePolicy(f)));
    expect(documents.length).toBeGreaterThanOrEqual(6);
    for (const file of documents) {
      // Includes of fragments that are not in the sample are reported too; here only reading matters.
      const errors = violations(run({ api: { policy: rawxml(fixturePolicy(file)) } }).outputs).filter(
        (v) => v.key === 'parse',
      );
      expect({ file, errors: errors.map((e) => e.message) }).toEqual({ file, errors: [] });
    }
  });
});
