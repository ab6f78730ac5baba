import rule from '../../rules/client-secret-expiry';
import { newAjv } from '../../src/json/schema';
import {
  buildModel,
  type Conclusion,
  loadSampleDoc,
  modelWithSecondServer,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  UNKNOWN_CLIENT,
  violations,
  type Overlay,
} from '../helpers/sample';

const KEY_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const HINT = 'Qz9';

function secret(start: string | null, end: string | null, extra: Record<string, unknown> = {}) {
  return {
    keyId: KEY_ID,
    displayName: 'apim-developer-portal',
    startDateTime: start,
    endDateTime: end,
    hint: HINT,
    ...extra,
  };
}

function withSecrets(...creds: Record<string, unknown>[]): Overlay {
  return { clientApp: { passwordCredentials: creds } };
}

const runUnchecked = runnerFor(rule);

/** Every run also checks that no message reveals the secret's hint. */
function run(overlay: Overlay = {}, options: Record<string, unknown> = {}) {
  const outputs = runUnchecked(overlay, options);
  expectNoHint(outputs);
  return outputs;
}

function expectNoHint(outputs: Conclusion[]) {
  for (const o of outputs) expect(o.type === 'violation' ? o.message : o.reason).not.toContain(HINT);
}

describe('client-secret-expiry', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  describe('no valid secret (error)', () => {
    it('reports a client app without secrets', () => {
      const found = violations(run(withSecrets()));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.kind).toBe('application');
      expect(v?.entity.name).toBe('oauth-client-app');
      expect(v?.path).toBe('passwordCredentials');
      expect(v?.key).toBe('no-valid-secret');
      expect(v?.severity).toBeUndefined();
      expect(rule.meta.severity).toBe('error');
      expect(v?.message).toContain("used by authorization server 'colors-oauth'");
      expect(v?.message).toMatch(/no client secret.*AADSTS7000215 or AADSTS7000218/);
    });

    it('reports expired secrets at the newest one', () => {
      const found = violations(
        run(
          withSecrets(
            secret('2026-04-28T00:00:00Z', '2026-10-25T00:00:00Z'),
            secret('2025-10-01T00:00:00Z', '2026-03-30T00:00:00Z', { keyId: 'old-key', displayName: 'old' }),
          ),
        ),
      );
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.path).toBe('passwordCredentials/0/endDateTime');
      expect(v?.key).toBe('no-valid-secret');
      expect(v?.message).toContain(
        `newest secret 'apim-developer-portal' (keyId ${KEY_ID}) expired on 2026-10-25`,
      );
      expect(v?.message).toContain('(31 days ago)');
      expect(v?.message).toContain('AADSTS7000222');
    });

    it('reports secrets that are not valid yet', () => {
      const found = violations(run(withSecrets(secret('2026-12-01T00:00:00Z', '2027-05-01T00:00:00Z'))));
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('passwordCredentials/0/startDateTime');
      expect(found[0]?.message).toContain('starts on 2026-12-01T00:00:00Z');
    });

    it('treats endDateTime as exclusive', () => {
      const found = violations(run(withSecrets(secret('2026-06-01T00:00:00Z', '2026-11-25T12:00:00Z'))));
      expect(found[0]?.key).toBe('no-valid-secret');
    });
  });

  describe('expiring soon (warning)', () => {
    it('warns with the days left and the end date', () => {
      const found = violations(run(withSecrets(secret('2026-06-13T00:00:00Z', '2026-12-10T00:00:00Z'))));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.severity).toBe('warning');
      expect(v?.key).toBe('expiring');
      expect(v?.path).toBe('passwordCredentials/0/endDateTime');
      expect(v?.message).toContain('expires in 14 days on 2026-12-10');
      expect(v?.message).toContain('(warning threshold 30 days)');
    });

    it('looks at the longest-lived valid secret', () => {
      const found = violations(
        run(
          withSecrets(
            secret('2026-06-13T00:00:00Z', '2026-12-10T00:00:00Z'),
            secret('2026-06-20T00:00:00Z', '2026-12-15T00:00:00Z', {
              keyId: 'second-key',
              displayName: 'second',
            }),
          ),
        ),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('passwordCredentials/1/endDateTime');
      expect(found[0]?.message).toContain("secret 'second' (keyId second-key)");
    });

    it('follows warnDays', () => {
      expect(run({}, { warnDays: 200 }).map((o) => (o.type === 'violation' ? o.key : o.type))).toEqual([
        'expiring',
      ]);
      expect(
        run(withSecrets(secret('2026-06-13T00:00:00Z', '2026-12-10T00:00:00Z')), { warnDays: 0 }),
      ).toEqual([]);
    });

    it('says "within a day" on the last day', () => {
      const [v] = violations(run(withSecrets(secret('2026-06-13T00:00:00Z', '2026-11-25T20:00:00Z'))));
      expect(v?.message).toContain('expires within a day on 2026-11-25');
    });
  });

  describe('lifetime (note)', () => {
    it('notes a secret valid for longer than maxLifetimeDays', () => {
      const found = violations(run(withSecrets(secret('2026-11-01T00:00:00Z', '2028-11-01T00:00:00Z'))));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.severity).toBe('note');
      expect(v?.key).toBe(`lifetime:${KEY_ID}`);
      expect(v?.path).toBe('passwordCredentials/0/endDateTime');
      expect(v?.message).toContain(
        'is valid for 731 days (until 2028-11-01), longer than the maximum of 180 days',
      );
    });

    it('notes a secret without end date, and does not warn or fail', () => {
      const found = violations(run(withSecrets(secret('2026-01-01T00:00:00Z', null))));
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('note');
      expect(found[0]?.message).toContain('never expires');
    });

    it('follows maxLifetimeDays', () => {
      const found = violations(run({}, { maxLifetimeDays: 170 }));
      expect(found.map((v) => v.key)).toEqual([`lifetime:${KEY_ID}`]);
      expect(found[0]?.message).toContain('is valid for 180 days');
    });

    it('ignores expired secrets and keys secrets without keyId by description and dates', () => {
      const found = violations(
        run(
          withSecrets(
            secret('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', {
              keyId: undefined,
              displayName: 'yearly',
            }),
            secret('2023-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { keyId: 'expired-key' }),
          ),
        ),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.key).toBe('lifetime:yearly@2026-01-01T00:00:00Z/2027-01-01T00:00:00Z');
      expect(found[0]?.message).toContain("secret 'yearly' is valid for 365 days");
    });
  });

  describe('which servers and apps', () => {
    it('checks each client app once', () => {
      const found = violations(runRule(rule, modelWithSecondServer(withSecrets())));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("authorization server 'colors-oauth', 'colors-oauth-2'");
    });

    it.each([['authorizationCodeWithPkce'], ['implicit']])('skips servers that only use %s', (grant) => {
      expect(run({ ...withSecrets(), authorizationServer: { properties: { grantTypes: [grant] } } })).toEqual(
        [],
      );
    });

    it('checks servers with a secret grant among others', () => {
      const outputs = run({
        ...withSecrets(),
        authorizationServer: { properties: { grantTypes: ['implicit', 'clientCredentials'] } },
      });
      expect(violations(outputs)).toHaveLength(1);
    });

    it('is not evaluated when the client app is not among the applications', () => {
      const ne = onlyNotEvaluated(run(UNKNOWN_CLIENT));
      expect(ne?.entity?.kind).toBe('authorizationServer');
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain("clientId '00000000-0000-4000-8000-000000000000'");
    });
  });

  it('has an options schema with integer minimums', () => {
    const validate = newAjv().compile(rule.options!.schema);
    expect(validate(rule.options!.defaults)).toBe(true);
    expect(validate({ warnDays: 0, maxLifetimeDays: 1 })).toBe(true);
    expect(validate({ warnDays: -1 })).toBe(false);
    expect(validate({ warnDays: 1.5 })).toBe(false);
    expect(validate({ maxLifetimeDays: 0 })).toBe(false);
    expect(validate({ maxLifetime: 90 })).toBe(false);
  });

  it('does not reveal the hint of the expired secret in the broken sample', () => {
    const outputs = runRule(rule, buildModel(loadSampleDoc('contoso')));
    expect(violations(outputs).length).toBeGreaterThan(0);
    for (const output of outputs)
      expect(JSON.stringify(output.type === 'violation' ? output.message : output.reason)).not.toContain(
        'Xk7',
      );
  });
});
