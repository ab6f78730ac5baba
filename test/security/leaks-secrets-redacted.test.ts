/**
 * Issue 10, "Nothing lost, nothing leaked": secret-bearing values (policy `<key>`s, the value of a header named like a
 * key/secret/authorization, `issuer-signing-keys`, `decryption-keys`) are redacted in every message and format, and
 * `policy-literal-secret` reports them, located and redacted. The engine does the redacting, whichever rule (or
 * crash) quoted the value; a named value marked secret never has its value in a report either.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { reporters, REPORTER_NAMES } from '../../reporters';
import { runAudit } from '../../src/engine/run';
import { defineRule, notEvaluated, violation } from '../../rules/support/contract';
import { normalize } from '../../src/model/normalize';
import { parseSnapshot } from '../../src/sources/snapshot';
import { cli } from '../helpers/cli';
import { policyXml, positionInJson } from '../helpers/policies';
import { applyOverlay, loadSampleDoc, TEST_NOW, type SnapshotDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const SIGNING_KEY = 'c2VjcmV0LXNpZ25pbmcta2V5';
const SUBSCRIPTION_KEY = 'canary-subscription-key-5f1d9e';
const NAMED_SECRET = 'canary-named-value-secret-77ab';
const CANARIES = [SIGNING_KEY, SUBSCRIPTION_KEY, NAMED_SECRET];
const NOW = ['--now', '2026-11-25T12:00:00Z'];

function secretDoc(): SnapshotDoc {
  const inbound =
    '<base /><validate-jwt header-name="Authorization" failed-validation-httpcode="401">' +
    `<issuer-signing-keys><key>${SIGNING_KEY}</key></issuer-signing-keys></validate-jwt>` +
    `<set-header name="Ocp-Apim-Subscription-Key" exists-action="override"><value>${SUBSCRIPTION_KEY}</value></set-header>` +
    '<set-header name="X-Named" exists-action="override"><value>{{backend-secret}}</value></set-header>';
  const doc = applyOverlay(loadSampleDoc(), {
    api: { policy: { format: 'rawxml', value: policyXml({ inbound }) } },
  });
  return doc;
}

const SECRET_NAMED_VALUE = {
  name: 'backend-secret',
  properties: { displayName: 'backend-secret', secret: true, value: NAMED_SECRET },
};

describe('secret-bearing values are redacted in every message and format (issue 10)', () => {
  it('text, JSON and SARIF (through the CLI) hold none of the canaries; policy-literal-secret reports both, located', async () => {
    const dir = makeTempDir('leaks-secrets');
    const file = path.join(dir, 'snapshot.json');
    const text = JSON.stringify(secretDoc(), null, 2);
    writeFileSync(file, text);
    for (const format of REPORTER_NAMES) {
      const run = await cli(['scan', file, '--format', format, ...NOW], { cwd: dir });
      for (const canary of CANARIES) {
        expect({ format, canary, inStdout: run.stdout.includes(canary) }).toEqual({
          format,
          canary,
          inStdout: false,
        });
        expect({ format, canary, inStderr: run.stderr.includes(canary) }).toEqual({
          format,
          canary,
          inStderr: false,
        });
      }
    }
    const json = await cli(['scan', file, '--format', 'json', ...NOW], { cwd: dir });
    type Found = { ruleId: string; severity: string; message: string; location: { file: string } };
    const findings = (JSON.parse(json.stdout) as { findings: Found[] }).findings.filter(
      (f) => f.ruleId === 'policy-literal-secret',
    );
    expect(findings.map((f) => [f.severity, f.location])).toEqual([
      ['error', { file: 'snapshot.json', ...positionInJson(text, `<key>${SIGNING_KEY}`) }],
      ['warning', { file: 'snapshot.json', ...positionInJson(text, `<value>${SUBSCRIPTION_KEY}`) }],
    ]);
    expect(findings[0]?.message).toContain(
      'issuer signing key in <issuer-signing-keys> ([redacted: 24 characters])',
    );
    expect(findings[1]?.message).toContain(
      "header 'Ocp-Apim-Subscription-Key' in <set-header> ([redacted: 30 characters])",
    );
  });

  it('the engine redacts them from any rule’s messages, not-evaluated reasons and crashes, in every reporter', () => {
    const doc = secretDoc();
    const inventory = parseSnapshot(JSON.stringify(doc, null, 2), 'snapshot.json');
    const model = normalize(inventory);
    // A snapshot cannot carry a secret named value's value (next test); a library caller's model might.
    const service = model.services[0]!;
    service.namedValues.push({
      kind: 'namedValue',
      id: `${service.id}/namedValues/backend-secret`,
      name: 'backend-secret',
      origin: service.origin,
      props: SECRET_NAMED_VALUE.properties,
    });
    const quoted = `key ${SIGNING_KEY}, header ${SUBSCRIPTION_KEY}, named ${NAMED_SECRET}`;
    const echo = defineRule({
      id: 'test-echo',
      meta: { title: 'quotes values', severity: 'warning', tags: [], requires: ['apim'] },
      *check(m) {
        const api = m.apis[0]!;
        yield violation(api, `Quoting ${quoted}.`, { path: 'policy' });
        yield notEvaluated(`Cannot tell (${quoted}).`, api);
      },
    });
    const crash = defineRule({
      id: 'test-crash',
      meta: { title: 'crashes quoting values', severity: 'error', tags: [], requires: ['apim'] },
      check() {
        throw new Error(`unexpected ${quoted}`);
      },
    });
    const result = runAudit(model, {
      rules: [echo, crash],
      settings: {},
      suppressions: [],
      now: TEST_NOW,
      files: inventory.files,
    });
    expect(result.findings[0]?.message).toBe(
      'Quoting key [redacted: 24 characters], header [redacted: 30 characters], named [redacted: 30 characters].',
    );
    expect(result.notEvaluated[0]?.reason).toContain('Cannot tell (key [redacted: 24 characters]');
    expect(result.crashes[0]?.message).toContain('unexpected key [redacted: 24 characters]');
    for (const name of REPORTER_NAMES) {
      const out = reporters[name](result, { color: false, toolVersion: '0.0.0' });
      for (const canary of CANARIES)
        expect({ name, canary, leaked: out.includes(canary) }).toEqual({ name, canary, leaked: false });
    }
  });

  it('a snapshot holding the value of a secret named value is refused, without quoting it', async () => {
    const doc = loadSampleDoc();
    (doc.apim?.[0] as { namedValues: unknown[] }).namedValues.push(SECRET_NAMED_VALUE);
    const dir = makeTempDir('leaks-named');
    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify(doc, null, 2));
    const run = await cli(['scan', 'snapshot.json', ...NOW], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must not contain secret values');
    expect(`${run.stdout}${run.stderr}`).not.toContain(NAMED_SECRET);
  });

  it('named-value references and expressions are not secrets: nothing is reported or redacted', () => {
    const doc = applyOverlay(loadSampleDoc(), {
      api: {
        policy: {
          format: 'rawxml',
          value: policyXml({
            inbound:
              '<base /><set-header name="Authorization" exists-action="override"><value>Bearer {{backend-token}}</value></set-header>',
          }),
        },
      },
    });
    const inventory = parseSnapshot(JSON.stringify(doc, null, 2), 'snapshot.json');
    const result = runAudit(normalize(inventory), {
      rules: [
        defineRule({
          id: 'test-echo',
          meta: { title: 't', severity: 'note', tags: [], requires: ['apim'] },
          *check(m) {
            yield violation(m.apis[0]!, 'Bearer {{backend-token}} is sent.', { path: 'policy' });
          },
        }),
      ],
      settings: {},
      suppressions: [],
      now: TEST_NOW,
      files: inventory.files,
    });
    expect(result.findings[0]?.message).toBe('Bearer {{backend-token}} is sent.');
  });
});
