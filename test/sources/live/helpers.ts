/**
 * Shared set-up of the live tests: the emulator serving a tenant, and the environment that points the real
 * SDKs at it (custom cloud endpoints, the emulator's CA, an environment service principal).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceContext } from '../../../src/sources/types';
import { tenantFromSnapshot, type EmulatedTenant } from './emulator/data';
import { startEmulator, type Emulator, type EmulatorOptions } from './emulator/server';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

export const CLIENT_ID = '5f0c2b7e-9d1a-4c3b-8e6f-2a1b0c9d8e7f';
export const CLIENT_SECRET = 'emulator-secret-value-Zq8~';

/** An app trusting GitHub Actions OIDC tokens of this subject (no secret). */
export const FEDERATED_ID = '8c7b6a59-4d3e-4f2a-9b1c-0d9e8f7a6b5c';
export const GITHUB_SUBJECT = 'repo:contoso/apim-config:ref:refs/heads/main';
export const GITHUB_REQUEST_TOKEN = 'github-request-token-Vq3';

export const CONTOSO_FILE = 'examples/contoso/snapshot.json';
export const CONTOSO_SERVICE_ID =
  '/subscriptions/2b7e0c5d-1f3a-4e6b-9d8c-5a4b3c2d1e0f/resourceGroups/rg-colors/providers/Microsoft.ApiManagement/service/contoso-apim';

export function contosoTenant(): EmulatedTenant {
  const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, CONTOSO_FILE), 'utf8')) as Parameters<
    typeof tenantFromSnapshot
  >[0];
  return {
    ...tenantFromSnapshot(doc, { [CLIENT_ID]: CLIENT_SECRET }),
    federated: { [FEDERATED_ID]: GITHUB_SUBJECT },
  };
}

export interface LiveFixture {
  emulator: Emulator;
  env: Record<string, string>;
  dir: string;
}

/** Starts the emulator and writes its CA where `APIM_AUDIT_CA_FILE` points. */
export async function startFixture(options: Partial<EmulatorOptions> = {}): Promise<LiveFixture> {
  const emulator = await startEmulator({
    tenant: contosoTenant(),
    github: { requestToken: GITHUB_REQUEST_TOKEN, subject: GITHUB_SUBJECT },
    ...options,
  });
  const dir = makeTempDir('live');
  const caFile = path.join(dir, 'emulator-ca.pem');
  writeFileSync(caFile, emulator.ca);
  const tenantId = (options.tenant ?? contosoTenant()).tenantId;
  const env: Record<string, string> = {
    APIM_AUDIT_AUTHORITY_HOST: emulator.url,
    APIM_AUDIT_GRAPH_ENDPOINT: emulator.url,
    APIM_AUDIT_ARM_ENDPOINT: emulator.url,
    // The emulated tenant is in the public cloud: its token audiences and login host are the public ones.
    APIM_AUDIT_CLOUD: 'AzurePublic',
    APIM_AUDIT_CA_FILE: caFile,
    APIM_AUDIT_TIMEOUT_SECONDS: '2',
    APIM_AUDIT_RETRY_BASE_MS: '1',
    APIM_AUDIT_MAX_RETRIES: '3',
    AZURE_TENANT_ID: tenantId,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
  };
  return { emulator, env, dir };
}

/** A source context as the CLI builds it, with the log collected. */
export function sourceContext(
  env: Record<string, string>,
  extra: Partial<SourceContext> = {},
): SourceContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    cwd: REPO_ROOT,
    env,
    live: {},
    log: (m) => lines.push(m),
    progress: () => undefined,
    referencedAppIds: undefined,
    ...extra,
    lines,
  };
}
