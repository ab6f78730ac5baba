/**
 * The emulator: one HTTPS server on 127.0.0.1 with a certificate made at start, serving Entra (discovery +
 * token), Microsoft Graph and ARM for one tenant. Bearers are checked (issued here, right audience). Faults
 * (status codes, Retry-After, connection resets, slow responses) are injected by pattern, and every request
 * is recorded (method, path, status) so tests can assert what the client did.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ArmEmulator } from './arm';
import { selfSignedCertificate } from './cert';
import type { EmulatedTenant } from './data';
import { EntraEmulator } from './entra';
import { GraphEmulator } from './graph';
import { armError, graphError, json, type EmulatorRequest, type EmulatorResponse } from './http';

export interface Fault {
  /** Tested against `METHOD /path?query` (decoded); `$batch` inner requests are tested as `GET /v1.0/<url>`. */
  match: RegExp;
  /** How many matching requests it affects (default: all). */
  times?: number;
  /** Drop the connection without a response. Not for `$batch` inner requests. */
  reset?: boolean;
  /** Answer after this long (then normally, unless `status` is set). Not for `$batch` inner requests. */
  delayMs?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RequestRecord {
  method: string;
  /** Path and query, decoded. */
  url: string;
  /** HTTP status, or `reset`. For `$batch` inner requests: `inner` is true. */
  status: number | 'reset';
  inner?: boolean;
}

export interface EmulatorOptions {
  tenant: EmulatedTenant;
  /** Added before every response (the benchmark's network latency). */
  latencyMs?: number;
  /** ARM page size (default 100). */
  armPageSize?: number;
  /** Graph page size without `$top` (default 100). */
  graphPageSize?: number;
  /** Largest Graph page whatever `$top` says (default 999). */
  graphMaxPageSize?: number;
  /** A GitHub Actions OIDC endpoint at `/_github/idtoken` (bearer `requestToken`; ID tokens for `subject`). */
  github?: { requestToken: string; subject: string };
  /** Token audiences accepted by Graph / ARM. */
  graphAudiences?: string[];
  armAudiences?: string[];
}

export interface Emulator {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** PEM certificate to trust. */
  ca: string;
  faults: Fault[];
  requests: RequestRecord[];
  /** Most requests in flight at once since the last reset (what the client's concurrency limit allows). */
  maxInFlight(): number;
  /** Forget recorded requests and faults. */
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function takeFault(faults: Fault[], key: string, inner: boolean): Fault | undefined {
  const fault = faults.find(
    (f) => (f.times === undefined || f.times > 0) && f.match.test(key) && !(inner && (f.reset || f.delayMs)),
  );
  if (fault?.times !== undefined) fault.times--;
  return fault;
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const tls = selfSignedCertificate();
  const entra = new EntraEmulator(options.tenant);
  const graph = new GraphEmulator(options.tenant, options.graphPageSize ?? 100, options.graphMaxPageSize);
  const arm = new ArmEmulator(options.tenant, options.armPageSize ?? 100);
  const graphAudiences = options.graphAudiences ?? ['https://graph.microsoft.com'];
  const armAudiences = options.armAudiences ?? [
    'https://management.azure.com',
    'https://management.core.windows.net',
  ];
  const faults: Fault[] = [];
  const requests: RequestRecord[] = [];

  const keyOf = (request: EmulatorRequest) => {
    const query = [...request.query].map(([k, v]) => `${k}=${v}`).join('&');
    return `${request.method} ${request.path}${query ? `?${query}` : ''}`;
  };

  const respond = (request: EmulatorRequest, fault: Fault | undefined): EmulatorResponse =>
    fault?.status !== undefined
      ? {
          status: fault.status,
          headers: fault.headers ?? {},
          body: fault.body ?? { error: { code: 'Injected', message: `injected ${fault.status}` } },
        }
      : serve(request);

  const batchInner = (request: EmulatorRequest): EmulatorResponse => {
    const key = keyOf(request);
    const response = respond(request, takeFault(faults, key, true));
    requests.push({
      method: request.method,
      url: key.slice(request.method.length + 1),
      status: response.status,
      inner: true,
    });
    return response;
  };

  const serve = (request: EmulatorRequest): EmulatorResponse => {
    if (request.path === '/_github/idtoken' && options.github)
      return entra.githubIdToken(request, options.github);
    const fromEntra = entra.handle(request);
    if (fromEntra) return fromEntra;
    const token = entra.bearer(request);
    if (request.path.startsWith('/v1.0/')) {
      if (!token || !graphAudiences.includes(token.aud))
        return graphError(
          401,
          'InvalidAuthenticationToken',
          token ? `Invalid audience ${token.aud}.` : 'Access token is empty.',
        );
      return graph.handle(request, batchInner);
    }
    if (request.path.toLowerCase().startsWith('/subscriptions/')) {
      if (!token || !armAudiences.includes(token.aud))
        return armError(
          401,
          'InvalidAuthenticationToken',
          token ? `The access token has an invalid audience ${token.aud}.` : 'The access token is missing.',
        );
      return arm.handle(request);
    }
    return json(404, { error: { code: 'NotFound', message: `Nothing at ${request.path}` } });
  };

  let base = '';
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer({ key: tls.key, cert: tls.cert, keepAlive: true }, (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', done);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', base);
        const request: EmulatorRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          base,
        };
        const key = keyOf(request);
        const fault = takeFault(faults, key, false);
        if (options.latencyMs) await sleep(options.latencyMs);
        if (fault?.reset) {
          requests.push({
            method: request.method,
            url: key.slice(request.method.length + 1),
            status: 'reset',
          });
          req.socket.destroy();
          return;
        }
        if (fault?.delayMs) await sleep(fault.delayMs);
        const response = respond(request, fault);
        requests.push({
          method: request.method,
          url: key.slice(request.method.length + 1),
          status: response.status,
        });
        if (res.destroyed) return;
        const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? {});
        res.writeHead(response.status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          ...(response.headers ?? {}),
        });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    ca: tls.cert,
    faults,
    requests,
    maxInFlight: () => maxInFlight,
    reset() {
      faults.length = 0;
      requests.length = 0;
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
