/**
 * Scenarios for the `token` tests: the fixed sample (examples/contoso-fixed) with its global inbound policy
 * replaced, written to a temporary snapshot, and the CLI run on it with a minted token.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, type CliRun } from '../helpers/cli';
import { BACKEND_APP_ID, loadSampleDoc, TENANT_ID } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';
import { at, mint } from './mint';

export { BACKEND_APP_ID, TENANT_ID };
export const CLIENT_APP_ID = '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
export const NOW = '2026-12-03T12:00:00Z';

export const V1_ISSUER = `https://sts.windows.net/${TENANT_ID}/`;
export const V2_ISSUER = `https://login.microsoftonline.com/${TENANT_ID}/v2.0`;
export const V2_CONFIG = `https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`;
export const V1_CONFIG = `https://login.microsoftonline.com/${TENANT_ID}/.well-known/openid-configuration`;

/** Claims of a delegated v2.0 token for the sample's backend, valid at NOW. */
export function v2Claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: BACKEND_APP_ID,
    iss: V2_ISSUER,
    ver: '2.0',
    tid: TENANT_ID,
    scp: 'Colors.Read',
    azp: CLIENT_APP_ID,
    iat: at('2026-12-03T11:30:00Z'),
    nbf: at('2026-12-03T11:30:00Z'),
    exp: at('2026-12-03T12:30:00Z'),
    ...extra,
  };
}

/** Claims of a delegated v1.0 token (aud = the App ID URI the client requested). */
export function v1Claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: `api://${BACKEND_APP_ID}`,
    iss: V1_ISSUER,
    ver: '1.0',
    tid: TENANT_ID,
    scp: 'Colors.Read',
    appid: CLIENT_APP_ID,
    iat: at('2026-12-03T11:30:00Z'),
    nbf: at('2026-12-03T11:30:00Z'),
    exp: at('2026-12-03T12:30:00Z'),
    ...extra,
  };
}

export interface Scenario {
  /** The global policy's inbound statements (the sample's validate-jwt when absent). */
  inbound?: string;
  /** The backend app's requestedAccessTokenVersion (the fixed sample: 2). */
  backendVersion?: 1 | 2 | null;
  /** Extra named values. */
  namedValues?: { name: string; value?: string; secret?: boolean }[];
}

/** A snapshot of the fixed sample with the scenario applied; returns its path. */
export function writeScenario(scenario: Scenario): string {
  const doc = loadSampleDoc('contoso-fixed');
  const service = (doc.apim ?? [])[0] as Record<string, unknown>;
  if (scenario.inbound !== undefined) {
    const policy = service['policy'] as { value: string };
    policy.value = policy.value.replace(
      /<inbound>[\s\S]*<\/inbound>/,
      `<inbound>\n${scenario.inbound}\n  </inbound>`,
    );
  }
  if (scenario.backendVersion !== undefined) {
    const backend = (doc.applications ?? []).find((a) => a['appId'] === BACKEND_APP_ID) as Record<
      string,
      unknown
    >;
    (backend['api'] as Record<string, unknown>)['requestedAccessTokenVersion'] = scenario.backendVersion;
  }
  for (const nv of scenario.namedValues ?? []) {
    (service['namedValues'] as unknown[]).push({
      name: nv.name,
      properties: {
        displayName: nv.name,
        secret: nv.secret === true,
        ...(nv.value !== undefined ? { value: nv.value } : {}),
      },
    });
  }
  const file = path.join(makeTempDir('token'), 'snapshot.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

/** `token` on a scenario for `colors-api/get-colors` (GET /colors) with the token minted from `claims`. */
export async function runToken(
  scenario: Scenario,
  claims: Record<string, unknown>,
  args: string[] = [],
  options: { alg?: 'none' | 'HS256'; header?: Record<string, unknown> } = {},
): Promise<CliRun> {
  const file = writeScenario(scenario);
  return cli([
    'token',
    '--source',
    `snapshot:${file}`,
    '--api',
    'colors-api',
    '--operation',
    'get-colors',
    ...(args.includes('--now') ? [] : ['--now', NOW]),
    '--no-config',
    ...args,
    mint(claims, options),
  ]);
}

/** A validate-jwt with the given children and attributes. */
export function validateJwt(
  children: string,
  attributes = 'header-name="Authorization" require-scheme="Bearer"',
): string {
  return `    <validate-jwt ${attributes} failed-validation-httpcode="401">\n${children}\n    </validate-jwt>`;
}
