/**
 * The client app behind an authorization server needs a client secret that is valid now, not about to expire,
 * and short-lived. The rule never prints `hint` (the first characters of the secret).
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import type { PasswordCredential } from '../src/inventory/types';
import { anyOf, appLookupOf, clientLinkOf, valuesOf } from './support/evidence';
import { groupServersByApp } from './support/queries';
import type { App, AuthServer, Evidence } from '../src/model/types';
import { clip, fit, fitList } from './support/message';

export interface ClientSecretExpiryOptions {
  /** Warn when the longest-lived valid secret expires within this many days. */
  warnDays: number;
  /** Note secrets whose lifetime (end - start) exceeds this many days. */
  maxLifetimeDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Grants for which APIM redeems or requests tokens with the client secret (PKCE and implicit need none). */
const SECRET_GRANTS = ['authorizationCode', 'clientCredentials', 'resourceOwnerPassword'];

interface Credential {
  index: number;
  raw: PasswordCredential;
  start: Date | undefined;
  /** `undefined` when the secret never expires (`endDateTime: null`). */
  end: Date | undefined;
}

function parseDate(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toCredential(raw: PasswordCredential, index: number): Credential {
  return { index, raw, start: parseDate(raw.startDateTime), end: parseDate(raw.endDateTime) };
}

/** Names a secret by displayName and keyId, never by `hint`. */
function nameOf(c: Credential): string {
  const name = c.raw.displayName ? `'${c.raw.displayName}'` : 'without a description';
  return c.raw.keyId ? `secret ${name} (keyId ${c.raw.keyId})` : `secret ${name}`;
}

/** A stable key for a credential: its keyId, else its description and dates (never the array index). */
function keyOf(c: Credential): string {
  return c.raw.keyId ?? `${c.raw.displayName ?? ''}@${c.raw.startDateTime ?? ''}/${c.raw.endDateTime ?? ''}`;
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);
const inDays = (n: number) => (n === 0 ? 'within a day' : `in ${days(n)}`);
const endPath = (c: Credential) => `passwordCredentials/${c.index}/endDateTime`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const endMs = (c: Credential) => c.end?.getTime() ?? Number.POSITIVE_INFINITY;

function isValidAt(c: Credential, now: Date): boolean {
  return (c.start === undefined || c.start <= now) && (c.end === undefined || now < c.end);
}

function needsSecret(server: AuthServer): boolean {
  return server.grantTypes.length === 0 || server.grantTypes.some((g) => SECRET_GRANTS.includes(g));
}

/** The servers, as many as fit in a message. */
function quoted(servers: AuthServer[], name: (value: string) => string): string {
  return fitList(
    servers.map((s) => name(s.name)),
    50,
  );
}

/** The rotation step: the new secret's value is the user's to create, so it is described, never applied. */
const ROTATE =
  "Add a new client secret to the app, store its value in the authorization server's clientSecret (or the named " +
  'value it references), then remove the old secret.';

/**
 * What every conclusion about the app's secrets rests on: its secrets, and that it is the client of a server
 * needing one (any one of them will do; never the service's name or portal host).
 */
function evidenceOf(app: App, servers: AuthServer[]): Evidence[] {
  return [
    ...valuesOf(app, 'passwordCredentials'),
    ...anyOf(servers.map((s) => [...valuesOf(s, 'properties/grantTypes'), ...clientLinkOf(s)])),
  ];
}

function noValidSecret(
  app: App,
  servers: AuthServer[],
  creds: Credential[],
  now: Date,
  evidence: Evidence[],
): RuleOutput {
  const subject = (n: (value: string) => string) =>
    `Client app '${n(app.name)}' (used by authorization server ${quoted(servers, n)})`;
  if (creds.length === 0) {
    return violation(
      app,
      fit((n) => `${subject(n)} has no client secret; expected one valid now.`),
      {
        path: 'passwordCredentials',
        key: 'no-valid-secret',
        evidence,
        detail:
          'APIM redeems the authorization code with the client secret, so the token request fails with AADSTS7000215 ' +
          "(Invalid client secret provided) or AADSTS7000218 (the request body must contain 'client_secret').",
        fix: {
          text: "Add a client secret to the app and store its value in the authorization server's clientSecret.",
        },
      },
    );
  }
  const started = creds.filter((c) => c.start === undefined || c.start <= now);
  if (started.length === 0) {
    const first = [...creds].sort((a, b) => (a.start?.getTime() ?? 0) - (b.start?.getTime() ?? 0))[0]!;
    return violation(
      app,
      fit((n) => [
        `${subject(n)} has no client secret valid now: ${nameOf(first)} starts on ${first.raw.startDateTime ?? ''}; expected one valid now.`,
        `${subject(n)} has no client secret valid now: its first secret starts on ${first.raw.startDateTime ?? ''}.`,
      ]),
      {
        path: `passwordCredentials/${first.index}/startDateTime`,
        key: 'no-valid-secret',
        evidence,
        detail:
          `${capitalized(nameOf(first))} is not valid before its start date, so until then the token request fails ` +
          'with AADSTS7000215 (Invalid client secret provided).',
        fix: {
          text: "Wait for the secret's start date, or add a secret valid now and store its value in the authorization server's clientSecret.",
        },
      },
    );
  }
  const newest = [...started].sort((a, b) => endMs(b) - endMs(a))[0]!;
  const ended = newest.end ?? now;
  const daysAgo = Math.floor((now.getTime() - ended.getTime()) / DAY_MS);
  return violation(
    app,
    fit((n) => [
      `${subject(n)} has no client secret valid now: its newest ${nameOf(newest)} expired on ${isoDate(ended)} ` +
        `(${days(daysAgo)} ago).`,
      `${subject(n)} has no client secret valid now: its newest secret expired on ${isoDate(ended)} (${days(daysAgo)} ago).`,
    ]),
    {
      path: endPath(newest),
      key: 'no-valid-secret',
      evidence,
      detail:
        `${capitalized(nameOf(newest))} is the newest. APIM redeems the authorization code with an expired secret, so the ` +
        'token request fails with AADSTS7000222 (The provided client secret keys are expired).',
      fix: { text: ROTATE },
    },
  );
}

function* checkApp(
  app: App,
  servers: AuthServer[],
  now: Date,
  options: ClientSecretExpiryOptions,
): Generator<RuleOutput> {
  const evidence = evidenceOf(app, servers);
  yield checked(app, evidence);
  const creds = app.passwordCredentials.map(toCredential);
  const valid = creds.filter((c) => isValidAt(c, now));
  if (valid.length === 0) {
    yield noValidSecret(app, servers, creds, now, evidence);
  } else {
    const newest = [...valid].sort((a, b) => endMs(b) - endMs(a))[0]!;
    const daysLeft = newest.end ? Math.floor((newest.end.getTime() - now.getTime()) / DAY_MS) : Infinity;
    if (newest.end && daysLeft < options.warnDays) {
      const ends = newest.end;
      const subject = (n: (value: string) => string) =>
        `Client app '${n(app.name)}' (used by authorization server ${quoted(servers, n)})`;
      yield violation(
        app,
        fit((n) => [
          `${subject(n)}: its last valid ${nameOf(newest)} expires ${inDays(daysLeft)} on ${isoDate(ends)}; ` +
            `expected at least ${days(options.warnDays)}.`,
          `${subject(n)}: its last valid secret expires ${inDays(daysLeft)} on ${isoDate(ends)}; ` +
            `expected at least ${days(options.warnDays)}.`,
        ]),
        {
          path: endPath(newest),
          key: 'expiring',
          severity: 'warning',
          evidence,
          detail:
            `${capitalized(nameOf(newest))} is the longest-lived valid secret of the app (warning threshold ` +
            `${days(options.warnDays)}); once it expires, the token request fails with AADSTS7000222 (The provided ` +
            'client secret keys are expired).',
          fix: { text: ROTATE },
        },
      );
    }
  }
  // Lifetime hygiene for every secret that can still be used.
  for (const c of creds.filter((x) => x.end === undefined || now < x.end)) {
    const lifetime =
      c.start && c.end ? Math.floor((c.end.getTime() - c.start.getTime()) / DAY_MS) : undefined;
    if (c.end !== undefined && (lifetime === undefined || lifetime <= options.maxLifetimeDays)) continue;
    const what =
      c.end === undefined
        ? 'has no endDateTime (never expires)'
        : `is valid for ${lifetime} days (until ${isoDate(c.end)})`;
    const expected = `expected at most ${options.maxLifetimeDays} days.`;
    yield violation(
      app,
      fit((n) => [
        `Client app '${n(app.name)}' ${nameOf(c)} ${what}; ${expected}`,
        `Client app '${clip(n(app.name), 50)}' secret ${c.raw.keyId ? `(keyId ${c.raw.keyId}) ` : ''}${what}; ${expected}`,
      ]),
      {
        path: endPath(c),
        key: `lifetime:${keyOf(c)}`,
        severity: 'note',
        evidence,
        detail:
          'A long-lived secret that leaks stays usable for long; Microsoft recommends short-lived secrets rotated ' +
          'regularly, or a certificate. Nothing fails at runtime until it expires.',
        fix: {
          text: `Replace it with a secret valid for at most ${days(options.maxLifetimeDays)} (or a certificate), store its value in the authorization server's clientSecret, then remove this one.`,
        },
      },
    );
  }
}

const DEFAULTS: ClientSecretExpiryOptions = { warnDays: 30, maxLifetimeDays: 180 };

export default defineRule({
  id: 'client-secret-expiry',
  meta: {
    title: 'Client app registrations have a valid, short-lived client secret',
    severity: 'error',
    tags: ['entra', 'credentials', 'security'],
    securitySeverity: 4.0,
    requires: ['entra', 'apim'],
    declaresEvidence: true,
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        warnDays: {
          type: 'integer',
          minimum: 0,
          description: 'Warn when the last valid secret expires within N days.',
        },
        maxLifetimeDays: {
          type: 'integer',
          minimum: 1,
          description: 'Note secrets valid for more than N days (or without an end date).',
        },
      },
    },
    defaults: DEFAULTS,
  },
  *check(model, ctx) {
    const clients = groupServersByApp(model.authorizationServers.filter(needsSecret), 'clientApp');
    for (const server of clients.missing) {
      yield notEvaluated(
        `Authorization server '${server.name}' has clientId '${server.clientId ?? ''}', which matches none of the ` +
          'applications given, so its client secrets cannot be checked.',
        server,
        [...valuesOf(server, 'properties/clientId'), ...appLookupOf(model, 'appId')],
      );
    }
    for (const [app, servers] of clients.byApp) yield* checkApp(app, servers, ctx.now, ctx.options);
  },
});
