/**
 * Bounded work (issue 10): policy fragments that each include the next twice would inline 2^30 elements, and
 * fragments that include each other never end. Both are findings of policy-parse-error at the
 * `<include-fragment>` (API Management rejects both), and the scan stays fast.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { policyXml, rawxml } from '../helpers/policies';
import { applyOverlay, loadSampleDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

interface JsonFinding {
  ruleId: string;
  message: string;
  location?: { file?: string; line?: number; column?: number };
}

function fragment(name: string, body: string) {
  return { name, properties: { format: 'rawxml', value: `<fragment>${body}</fragment>` } };
}

async function scan(fragments: ReturnType<typeof fragment>[]) {
  const doc = applyOverlay(loadSampleDoc(), {
    service: { policyFragments: fragments },
    api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment fragment-id="f0" />' })) },
  });
  const file = path.join(makeTempDir('fragments'), 'snapshot.json');
  const text = JSON.stringify(doc, null, 2);
  writeFileSync(file, text);
  const result = await cli(['scan', file, '--format', 'json', '--fail-on', 'none']);
  const findings = (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings.filter(
    (f) => f.ruleId === 'policy-parse-error',
  );
  return { result, findings, text };
}

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

describe('bounds: policy fragment expansion', () => {
  it('reports a chain of 30 fragments each including the next twice, located, fast', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) =>
      fragment(
        `f${i}`,
        i === 29
          ? '<set-header name="x" exists-action="override"><value>1</value></set-header>'
          : `<include-fragment fragment-id="f${i + 1}" /><include-fragment fragment-id="f${i + 1}" />`,
      ),
    );
    const started = Date.now();
    const { result, findings, text } = await scan(fragments);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result.stderr).not.toContain('internal error');
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    // f29 holds 3 elements and f<n> 3 + 2 * f<n+1>: f18 (12,285) is the first over 10,000, at its second include.
    expect(finding?.message).toMatch(/^Policy fragment 'f18' stands for more than 10000 policy elements/);
    expect(finding?.location?.line).toBe(lineOf(text, '"name": "f18"') + 3);
  }, 8_000);

  it('reports fragments that include each other as a cycle, located, and does not hang', async () => {
    const { result, findings, text } = await scan([
      fragment('f0', '<include-fragment fragment-id="f1" />'),
      fragment('f1', '<include-fragment fragment-id="f2" />'),
      fragment('f2', '<include-fragment fragment-id="f0" />'),
    ]);
    expect(result.stderr).not.toContain('internal error');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe(
      "Policy fragments include each other in a cycle ('f0' includes 'f1' includes 'f2' includes 'f0'); " +
        'API Management rejects it',
    );
    expect(findings[0]?.location?.line).toBe(lineOf(text, '"name": "f2"') + 3);
  }, 8_000);
});
