/**
 * `npm run bench:live`: a live snapshot (`--source azure:<service> --source graph`) of a large emulated tenant
 * through the real CLI and SDKs: 5,000 app registrations, 1,000 APIs × 5 operations, every API and operation
 * with a policy, 10 products, 10 authorization servers (20 referenced apps), each response delayed by 20 ms.
 *
 * Prints the wall time, the request count, the lower bound `requests × latency / concurrency` and the ratio,
 * and compares the request count with the minimum the data needs:
 *   login      1 OpenID discovery + 1 token per audience (Graph, ARM)                      =    3
 *   service    GET service; lists of authorization servers, OpenID providers, workspaces,
 *              named values, policy fragments, products; the global policy                 =    8
 *   APIs       ⌈1,000 / 100 per ARM page⌉ list pages                                        =   10
 *   per API    its operations list + its policy                                 2 × 1,000 = 2,000
 *   per op     its policy (ARM has no way to list policies of many operations)  1 × 5,000 = 5,000
 *   products   its API list + its policy                                            2 × 10 =   20
 *   Graph      20 referenced apps: 2 `$filter`s of ≤ 15 appIds in 1 `$batch`                =    1
 * Targets: wall time ≤ 1.2 × the bound; requests ≤ 1.1 × the minimum.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { loadSources } from '../src/sources';
import { toSnapshotDocument } from '../src/sources/snapshot';
import { startEmulatorThread } from '../test/sources/live/emulator/thread';

const LATENCY_MS = 20;
const CONCURRENCY = 8;
const SHAPE = { applications: 5000, apis: 1000, operationsPerApi: 5, authorizationServers: 10, products: 10 };
const ARM_PAGE = 100;
const MINIMUM =
  3 +
  8 +
  Math.ceil(SHAPE.apis / ARM_PAGE) +
  2 * SHAPE.apis +
  SHAPE.apis * SHAPE.operationsPerApi +
  2 * SHAPE.products +
  1;

async function main(): Promise<void> {
  const clientId = '5f0c2b7e-9d1a-4c3b-8e6f-2a1b0c9d8e7f';
  const secret = 'bench-secret';
  // The emulator runs in a worker thread: its CPU time is the service's, not the client's.
  const emulator = await startEmulatorThread({
    shape: SHAPE,
    clients: { [clientId]: secret },
    latencyMs: LATENCY_MS,
    armPageSize: ARM_PAGE,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-live-'));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.ca);
  const env = {
    APIM_AUDIT_CLOUD: 'AzurePublic',
    APIM_AUDIT_AUTHORITY_HOST: emulator.url,
    APIM_AUDIT_GRAPH_ENDPOINT: emulator.url,
    APIM_AUDIT_ARM_ENDPOINT: emulator.url,
    APIM_AUDIT_CA_FILE: caFile,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: clientId,
    AZURE_CLIENT_SECRET: secret,
  };
  // What `scan` and `snapshot` do to collect: the sources in phase order (APIM, then the apps it references).
  const started = performance.now();
  const inventory = await loadSources([`azure:${emulator.serviceId}`, 'graph'], dir, {
    cwd: dir,
    env,
    live: { concurrency: CONCURRENCY },
    log: () => undefined,
    progress: () => undefined,
  });
  const wallMs = performance.now() - started;
  const document = JSON.stringify(toSnapshotDocument(inventory));
  const records = await emulator.requests();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
  if (inventory.gaps.length > 0) throw new Error(`incomplete: ${JSON.stringify(inventory.gaps)}`);

  const sent = records.filter((r) => !r.inner);
  const requests = sent.length;
  const bound = (requests * LATENCY_MS) / CONCURRENCY;
  const kinds = new Map<string, number>();
  for (const r of sent) {
    const kind = r.url.startsWith('/v1.0/') ? 'graph' : r.url.startsWith('/subscriptions/') ? 'arm' : 'login';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const operations = inventory.services[0]?.apis?.reduce((n, a) => n + (a.operations?.length ?? 0), 0) ?? 0;
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(34)}${value}\n`);
  line('machine', `${cpus().length} cores, Node ${process.version}`);
  line(
    'data',
    `${SHAPE.applications} apps, ${SHAPE.apis} APIs × ${SHAPE.operationsPerApi} operations, policies on all`,
  );
  line(
    'collected',
    `${inventory.applications.length} referenced apps, ${inventory.services[0]?.apis?.length ?? 0} APIs, ${operations} operations (${(document.length / 1e6).toFixed(1)} MB snapshot)`,
  );
  line('latency / concurrency', `${LATENCY_MS} ms / ${CONCURRENCY}`);
  line('wall time', `${(wallMs / 1000).toFixed(2)} s`);
  line(
    'requests',
    `${requests} (login ${kinds.get('login') ?? 0}, ARM ${kinds.get('arm') ?? 0}, Graph ${kinds.get('graph') ?? 0})`,
  );
  line(
    'minimum requests for the data',
    `${MINIMUM} (ratio ${(requests / MINIMUM).toFixed(3)}, target ≤ 1.1)`,
  );
  line('lower bound (req × lat / conc)', `${(bound / 1000).toFixed(2)} s`);
  line('wall time / bound', `${(wallMs / bound).toFixed(3)} (target ≤ 1.2)`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
