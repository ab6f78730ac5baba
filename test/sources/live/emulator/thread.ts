/**
 * The emulator in a worker thread, for the benchmark: its CPU time (TLS, JSON) then runs beside the client's
 * instead of on the same event loop, as a real service would. The worker runs this same module (compiled:
 * the benchmark runs from `dist/`), so that building the benchmark builds the worker too.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { syntheticTenant, type SyntheticShape } from './data';
import { startEmulator, type RequestRecord } from './server';

export interface ThreadEmulatorOptions {
  shape: SyntheticShape;
  clients: Record<string, string>;
  latencyMs: number;
  armPageSize: number;
}

export interface ThreadEmulator {
  url: string;
  ca: string;
  tenantId: string;
  serviceId: string;
  requests(): Promise<RequestRecord[]>;
  close(): Promise<void>;
}

type Reply =
  | { kind: 'ready'; url: string; ca: string; tenantId: string; serviceId: string }
  | { kind: 'requests'; requests: RequestRecord[] }
  | { kind: 'closed' };

const MARK = 'apim-oauth-audit-emulator-thread';

export function startEmulatorThread(options: ThreadEmulatorOptions): Promise<ThreadEmulator> {
  const worker = new Worker(__filename, { workerData: { [MARK]: options } });
  const next = <K extends Reply['kind']>(kind: K) =>
    new Promise<Extract<Reply, { kind: K }>>((resolve, reject) => {
      const onMessage = (message: Reply) => {
        if (message.kind !== kind) return;
        worker.off('message', onMessage);
        resolve(message as Extract<Reply, { kind: K }>);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  return next('ready').then((ready) => ({
    url: ready.url,
    ca: ready.ca,
    tenantId: ready.tenantId,
    serviceId: ready.serviceId,
    requests: async () => {
      const reply = next('requests');
      worker.postMessage('requests');
      return (await reply).requests;
    },
    close: async () => {
      const reply = next('closed');
      worker.postMessage('close');
      await reply;
      await worker.terminate();
    },
  }));
}

/** In the worker: build the synthetic tenant and serve it until told to close. */
function serveInWorker(options: ThreadEmulatorOptions): void {
  const port = parentPort;
  if (!port) return;
  const tenant = syntheticTenant(options.shape, options.clients);
  void startEmulator({ tenant, latencyMs: options.latencyMs, armPageSize: options.armPageSize }).then(
    (emulator) => {
      port.postMessage({
        kind: 'ready',
        url: emulator.url,
        ca: emulator.ca,
        tenantId: tenant.tenantId,
        serviceId: tenant.services[0]?.id ?? '',
      } satisfies Reply);
      port.on('message', (message: string) => {
        if (message === 'requests') port.postMessage({ kind: 'requests', requests: emulator.requests });
        if (message === 'close') void emulator.close().then(() => port.postMessage({ kind: 'closed' }));
      });
    },
  );
}

const data = workerData as Record<string, ThreadEmulatorOptions> | null;
if (!isMainThread && data?.[MARK]) serveInWorker(data[MARK]);
