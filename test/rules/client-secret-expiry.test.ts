import rule from '../../rules/client-secret-expiry';
import { newAjv } from '../../src/json/schema';
import { RuleTester } from '../../src';
import {
  AT,
  buildModel,
  sampleInput,
  TEST_NOW,
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
import { textFix } from '../helpers/fixes';

const ROTATE =
  "Add a new client secret to the app, store its value in the authorization server's clientSecret (or the named " +
  'value it references), then remove the old secret.';

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

/** What a violation says (never its entity, whose raw data holds the hint). */
const said = (o: Conclusion) =>
  o.type === 'violation' ? JSON.stringify([o.message, o.detail, o.fix]) : o.reason;

/** Every run also checks that no message, detail or fix reveals the secret's hint. */
function run(overlay: Overlay = {}, options: Record<string, unknown> = {}) {
  const outputs = runUnchecked(overlay, options);
  expectNoHint(outputs);
  return outputs;
}

function expectNoHint(outputs: Conclusion[]) {
  for (const o of outputs) expect(said(o)).not.toContain(HINT);
}

const SECRETS = `${AT.clientApp}/passwordCredentials`;
const EXPIRED = withSecrets(
  secret('2026-04-28T00:00:00Z', '2026-10-25T00:00:00Z'),
  secret('2025-10-01T00:00:00Z', '2026-03-30T00:00:00Z', { keyId: 'old-key', displayName: 'old' }),
);
const NOT_YET_VALID = withSecrets(secret('2026-12-01T00:00:00Z', '2027-05-01T00:00:00Z'));
const ENDS_NOW = withSecrets(secret('2026-06-01T00:00:00Z', '2026-11-25T12:00:00Z'));
const EXPIRING = withSecrets(secret('2026-06-13T00:00:00Z', '2026-12-10T00:00:00Z'));
const TWO_EXPIRING = withSecrets(
  secret('2026-06-13T00:00:00Z', '2026-12-10T00:00:00Z'),
  secret('2026-06-20T00:00:00Z', '2026-12-15T00:00:00Z', { keyId: 'second-key', displayName: 'second' }),
);
const LAST_DAY = withSecrets(secret('2026-06-13T00:00:00Z', '2026-11-25T20:00:00Z'));
const LONG_LIVED = withSecrets(secret('2026-11-01T00:00:00Z', '2028-11-01T00:00:00Z'));
const NO_END = withSecrets(secret('2026-01-01T00:00:00Z', null));
const NO_KEY_ID = withSecrets(
  secret('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', { keyId: undefined, displayName: 'yearly' }),
  secret('2023-01-01T00:00:00Z', '2026-01-01T00:00:00Z', { keyId: 'expired-key' }),
);
const WITH_GRANTS = (grantTypes: string[]): Overlay => ({
  ...withSecrets(),
  authorizationServer: { properties: { grantTypes } },
});

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    { name: 'warnDays 0', input: sampleInput(EXPIRING), options: { warnDays: 0 } },
    ...['authorizationCodeWithPkce', 'implicit'].map((grant) => ({
      name: `servers that only use ${grant} are skipped`,
      input: sampleInput(WITH_GRANTS([grant])),
    })),
  ],
  invalid: [
    {
      name: 'a client app without secrets',
      input: sampleInput(withSecrets()),
      errors: [
        {
          path: SECRETS,
          severity: 'error',
          resource: 'oauth-client-app',
          message:
            "Client app 'oauth-client-app' (used by authorization server 'colors-oauth') has no client secret; expected one valid now.",
          detail: /AADSTS7000215 \(Invalid client secret provided\) or AADSTS7000218/,
          // A secret's value is never known to the tool: described, not applied.
          fix: textFix(
            "Add a client secret to the app and store its value in the authorization server's clientSecret.",
          ),
        },
      ],
    },
    {
      name: 'expired secrets, at the newest one',
      input: sampleInput(EXPIRED),
      errors: [
        {
          path: `${SECRETS}/0/endDateTime`,
          severity: 'error',
          // The secret's name and keyId would make the message longer than the limit: they are in the detail.
          message:
            "Client app 'oauth-client-app' (used by authorization server 'colors-oauth') has no client secret valid now: its newest secret expired on 2026-10-25 (31 days ago).",
          detail: new RegExp(
            `^Secret 'apim-developer-portal' \\(keyId ${KEY_ID}\\) is the newest\\. .*AADSTS7000222 \\(The provided client secret keys are expired\\)`,
          ),
          fix: textFix(ROTATE),
        },
      ],
    },
    {
      name: 'secrets that are not valid yet',
      input: sampleInput(NOT_YET_VALID),
      errors: [
        {
          path: `${SECRETS}/0/startDateTime`,
          severity: 'error',
          message: /has no client secret valid now: its first secret starts on 2026-12-01T00:00:00Z\.$/,
          detail: /not valid before its start date, so until then the token request fails with AADSTS7000215/,
          fix: textFix(/^Wait for the secret's start date, or add a secret valid now/),
        },
      ],
    },
    {
      name: 'endDateTime is exclusive',
      input: sampleInput(ENDS_NOW),
      errors: [{ path: `${SECRETS}/0/endDateTime`, severity: 'error' }],
    },
    {
      name: 'expiring soon: a warning with the days left and the end date',
      input: sampleInput(EXPIRING),
      errors: [
        {
          path: `${SECRETS}/0/endDateTime`,
          severity: 'warning',
          message: /expires in 14 days on 2026-12-10; expected at least 30 days\.$/,
          detail: /longest-lived valid secret of the app \(warning threshold 30 days\).*AADSTS7000222/,
          fix: textFix(ROTATE),
        },
      ],
    },
    {
      name: 'expiring soon: the longest-lived valid secret',
      input: sampleInput(TWO_EXPIRING),
      errors: [
        {
          path: `${SECRETS}/1/endDateTime`,
          severity: 'warning',
          message: /secret 'second' \(keyId second-key\)/,
        },
      ],
    },
    {
      name: 'expiring soon: warnDays followed',
      input: sampleInput(),
      options: { warnDays: 200 },
      errors: [
        { severity: 'warning', message: /expected at least 200 days/, detail: /warning threshold 200 days/ },
      ],
    },
    {
      name: 'expiring soon: "within a day" on the last day',
      input: sampleInput(LAST_DAY),
      errors: [{ severity: 'warning', message: /expires within a day on 2026-11-25/ }],
    },
    {
      name: 'lifetime: a note for a secret valid for longer than maxLifetimeDays',
      input: sampleInput(LONG_LIVED),
      errors: [
        {
          path: `${SECRETS}/0/endDateTime`,
          severity: 'note',
          message: /is valid for 731 days \(until 2028-11-01\); expected at most 180 days\.$/,
          detail: /Microsoft recommends short-lived secrets rotated regularly, or a certificate/,
          fix: textFix(/^Replace it with a secret valid for at most 180 days \(or a certificate\)/),
        },
      ],
    },
    {
      name: 'lifetime: a note for a secret without end date, no warning or error',
      input: sampleInput(NO_END),
      errors: [
        { severity: 'note', message: /has no endDateTime \(never expires\); expected at most 180 days/ },
      ],
    },
    {
      name: 'lifetime: maxLifetimeDays followed',
      input: sampleInput(),
      options: { maxLifetimeDays: 170 },
      errors: [{ severity: 'note', message: /is valid for 180 days/ }],
    },
    {
      name: 'lifetime: expired secrets ignored, a secret without keyId named by its description',
      input: sampleInput(NO_KEY_ID),
      errors: [
        {
          path: `${SECRETS}/0/endDateTime`,
          severity: 'note',
          message: /secret 'yearly' is valid for 365 days/,
        },
      ],
    },
    {
      name: 'servers with a secret grant among others are checked',
      input: sampleInput(WITH_GRANTS(['implicit', 'clientCredentials'])),
      errors: [{ path: SECRETS, severity: 'error' }],
    },
  ],
});

describe('client-secret-expiry', () => {
  it('declares its severity', () => {
    expect(rule.meta.severity).toBe('error');
  });

  // The key tells findings at one path apart (fingerprints), and the rule's path is relative to its entity; the
  // RuleTester sees neither. Every run also checks that no message reveals the secret's hint.
  it.each([
    ['no secrets', withSecrets(), {}, [['no-valid-secret', 'passwordCredentials']]],
    ['expired secrets', EXPIRED, {}, [['no-valid-secret', 'passwordCredentials/0/endDateTime']]],
    [
      'a secret not valid yet',
      NOT_YET_VALID,
      {},
      [['no-valid-secret', 'passwordCredentials/0/startDateTime']],
    ],
    ['a secret ending now', ENDS_NOW, {}, [['no-valid-secret', 'passwordCredentials/0/endDateTime']]],
    ['an expiring secret', EXPIRING, {}, [['expiring', 'passwordCredentials/0/endDateTime']]],
    ['two expiring secrets', TWO_EXPIRING, {}, [['expiring', 'passwordCredentials/1/endDateTime']]],
    [
      'the sample with warnDays 200',
      {},
      { warnDays: 200 },
      [['expiring', 'passwordCredentials/0/endDateTime']],
    ],
    ['a secret on its last day', LAST_DAY, {}, [['expiring', 'passwordCredentials/0/endDateTime']]],
    ['a long-lived secret', LONG_LIVED, {}, [[`lifetime:${KEY_ID}`, 'passwordCredentials/0/endDateTime']]],
    ['a secret without end date', NO_END, {}, [[`lifetime:${KEY_ID}`, 'passwordCredentials/0/endDateTime']]],
    [
      'the sample with maxLifetimeDays 170',
      {},
      { maxLifetimeDays: 170 },
      [[`lifetime:${KEY_ID}`, 'passwordCredentials/0/endDateTime']],
    ],
    [
      'a secret without keyId',
      NO_KEY_ID,
      {},
      [['lifetime:yearly@2026-01-01T00:00:00Z/2027-01-01T00:00:00Z', 'passwordCredentials/0/endDateTime']],
    ],
    [
      'a secret grant among others',
      WITH_GRANTS(['implicit', 'clientCredentials']),
      {},
      [['no-valid-secret', 'passwordCredentials']],
    ],
  ] as [string, Overlay, Record<string, unknown>, [string, string][]][])(
    'keys and places the findings of %s',
    (_name, overlay, options, want) => {
      expect(violations(run(overlay, options)).map((v) => [v.key, v.path])).toEqual(want);
    },
  );

  describe('which servers and apps', () => {
    it('checks each client app once', () => {
      const found = violations(runRule(rule, modelWithSecondServer(withSecrets())));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("authorization server 'colors-oauth', 'colors-oauth-2'");
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
    for (const output of outputs) expect(said(output)).not.toContain('Xk7');
  });
});
