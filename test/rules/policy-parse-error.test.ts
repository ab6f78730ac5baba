import { readdirSync } from 'node:fs';
import rule from '../../rules/policy-parse-error';
import { notEvaluatedOutputs, violations } from '../helpers/sample';
import {
  FIXTURE_POLICIES,
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
} from '../helpers/policies';

const run = loadedRunnerFor(rule);

describe('policy-parse-error', () => {
  it('accepts the fixed sample', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports the missing fragment of the broken sample, at the <include-fragment>', () => {
    const { outputs, inventory, text } = run({}, {}, 'contoso');
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('product');
    expect(v?.entity.name).toBe('colors-starter');
    expect(v?.key).toBe('include-fragment:colors-response-headers');
    expect(v?.message).toBe(
      "The product policy of 'colors-starter' includes policy fragment 'colors-response-headers', which is not in " +
        "the data; create the fragment 'colors-response-headers' (or correct the fragment-id); if it exists in the " +
        'service, add it to the audited data.',
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<include-fragment'));
  });

  it('reports an include without fragment-id', () => {
    const [v] = violations(
      run({ api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment />' })) } }).outputs,
    );
    expect(v?.message).toContain("<include-fragment> in the API policy of 'colors-api' has no fragment-id");
  });

  it('reports a policy broken beyond repair at the position of the problem', () => {
    const { outputs, inventory, text } = run({
      api: { policy: rawxml('<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>') },
    });
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.entity.kind).toBe('api');
    expect(v?.key).toBe('parse');
    expect(v?.severity).toBeUndefined();
    expect(v?.message).toMatch(
      /^The API policy of 'colors-api' cannot be read: .*<\/outbound>.*; correct the policy text\.$/,
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '</outbound>'));
  });

  it('reports a root element other than <policies>', () => {
    const [v] = violations(run({ api: { policy: rawxml('<fragment><base /></fragment>') } }).outputs);
    expect(v?.message).toContain('the root element is <fragment>; a policy starts with <policies>');
  });

  it('does not report what the parser reads past (an element left open until the end of its section)', () => {
    const { outputs } = run({
      api: {
        policy: rawxml(policyXml({ inbound: '<base /><set-header name="A" exists-action="override">' })),
      },
    });
    expect(outputs).toEqual([]);
  });

  it('reports a fragment that cannot be read, on the fragment', () => {
    const { outputs, inventory, text } = run({
      service: {
        policyFragments: [
          { name: 'broken', properties: { format: 'rawxml', value: '<fragment></inbound></fragment>' } },
        ],
      },
    });
    const [v] = violations(outputs);
    expect(v?.entity.kind).toBe('policyFragment');
    expect(v?.message).toContain("Policy fragment 'broken' cannot be read");
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '</inbound></fragment>'));
  });

  it('reports a policy given as a link as not evaluated', () => {
    const { outputs } = run({
      api: { policy: { format: 'rawxml-link', value: 'https://contoso.com/api.xml' } },
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      "The API policy of 'colors-api' is given only as a link (https://contoso.com/api.xml)",
    );
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
