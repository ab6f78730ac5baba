/**
 * The one HTTP layer under the three Azure SDKs (identity, Graph, ARM): at most `concurrency` requests in
 * flight, a per-request timeout, retries of 429 (after Retry-After), 5xx, connection resets and timeouts with
 * exponential backoff, and a request log (method, path, status, duration; never headers or bodies, so never
 * tokens). The SDKs keep their own logic (auth, paging, (de)serialisation); their retries are switched off so
 * that one policy applies everywhere and `$batch`, resets and 500s are handled the same way.
 */
import { request as httpsRequest, Agent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface TransportSettings {
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  /** Extra trusted CA certificates (PEM). */
  ca: string | undefined;
}

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignalLike | undefined;
  /** A shorter timeout the caller asks for (the SDK's `request.timeout`); the setting caps it. */
  timeoutMs?: number | undefined;
}

export interface HttpResult {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** The part of an AbortSignal the SDKs hand over. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface TransportStats {
  /** HTTP requests sent (each retry counts). */
  requests: number;
  retries: number;
  /** Requests by host kind: the bench splits them into login, Graph and ARM. */
  byPath: Map<string, number>;
}

/** A request that failed for good: retries exhausted on resets or timeouts. */
export class TransportError extends Error {
  override readonly name = 'LiveTransportError';
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network',
    readonly attempts: number,
  ) {
    super(message);
  }
}

class AbortError extends Error {
  override readonly name = 'AbortError';
}

/** FIFO semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** 5xx that a retry can fix (not 501 Not Implemented / 505 HTTP Version Not Supported). */
function retryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Delay asked for by `Retry-After` (seconds or HTTP date) or the ms variants ARM uses, capped at 5 minutes. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'] ?? headers['x-ms-retry-after-ms'];
  if (ms !== undefined && /^\d+$/.test(ms.trim())) return Math.min(Number(ms), 300_000);
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number(value) * 1000, 300_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(date - now, 0), 300_000);
}

function describeUrl(url: URL): string {
  return `${url.pathname}${url.search}`;
}

export class LiveTransport {
  readonly stats: TransportStats = { requests: 0, retries: 0, byPath: new Map() };
  /**
   * The last request that failed below HTTP (TLS, connection), in words: an SDK that wraps the error (MSAL
   * reports an untrusted login certificate as `endpoints_resolution_error`) loses the cause; this keeps it.
   */
  lastFailure: string | undefined;
  private readonly limiter: Limiter;
  private readonly agent: Agent;
  private started = 0;
  private finished = 0;

  constructor(
    private readonly settings: TransportSettings,
    private readonly log: (message: string) => void,
    private readonly progress: (done: number, total: number) => void = () => undefined,
  ) {
    this.limiter = new Limiter(settings.concurrency);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: settings.concurrency,
      // One TLS context for all connections: building one per connection from ~150 roots costs ~40 ms each.
      ...(settings.ca
        ? { secureContext: createSecureContext({ ca: [...rootCertificates, settings.ca] }) }
        : {}),
    });
  }

  /** Sends with retries. A final 429/5xx is returned (the SDK turns it into its error); resets/timeouts throw. */
  async send(call: HttpCall): Promise<HttpResult> {
    const url = new URL(call.url);
    if (url.protocol !== 'https:')
      throw new Error(`only https is supported, not ${url.protocol} (${url.host})`);
    const shown = `${call.method} ${describeUrl(url)}`;
    this.started++;
    this.progress(this.finished, this.started);
    try {
      for (let attempt = 0; ; attempt++) {
        const last = attempt >= this.settings.maxRetries;
        let result: HttpResult;
        try {
          result = await this.limiter.run(() => this.once(call, url, shown));
        } catch (error) {
          if (error instanceof AbortError || !(error instanceof TransportError) || last) {
            if (error instanceof TransportError)
              throw new TransportError(
                `${error.message} (${attempt + 1} attempt${attempt === 0 ? '' : 's'})`,
                error.kind,
                attempt + 1,
              );
            throw error;
          }
          await this.backoff(shown, error.message, this.backoffMs(attempt));
          continue;
        }
        if (!retryableStatus(result.status) || last) return result;
        const wait = retryAfterMs(result.headers) ?? this.backoffMs(attempt);
        await this.backoff(shown, `HTTP ${result.status}`, wait);
      }
    } finally {
      this.finished++;
      this.progress(this.finished, this.started);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private backoffMs(attempt: number): number {
    const base = this.settings.retryBaseMs * 2 ** attempt;
    return Math.min(Math.round(base * (0.8 + Math.random() * 0.4)), 30_000);
  }

  private async backoff(shown: string, why: string, ms: number): Promise<void> {
    this.stats.retries++;
    this.log(`${shown}: ${why}; retrying in ${ms} ms`);
    await sleep(ms);
  }

  private count(url: URL): void {
    this.stats.requests++;
    const key = url.pathname.startsWith('/v1.0/')
      ? 'graph'
      : url.pathname.toLowerCase().startsWith('/subscriptions/')
        ? 'arm'
        : 'login';
    this.stats.byPath.set(key, (this.stats.byPath.get(key) ?? 0) + 1);
  }

  /** One HTTP exchange under the concurrency limit and the timeout. */
  // Long: request, response stream, timer and abort share one settle-once `finish`; apart they would not read.
  private once(call: HttpCall, url: URL, shown: string): Promise<HttpResult> {
    if (call.signal?.aborted) return Promise.reject(new AbortError('The request was aborted.'));
    this.count(url);
    const startedAt = performance.now();
    return new Promise<HttpResult>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, result?: HttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
        const ms = Math.round(performance.now() - startedAt);
        if (error) this.lastFailure = `${url.host}: ${error.message}`;
        this.log(`${shown} ${result ? result.status : (error?.message ?? 'failed')} ${ms}ms`);
        if (error) reject(error);
        else if (result) resolve(result);
      };
      const headers: Record<string, string> = { ...call.headers, 'accept-encoding': 'gzip, deflate' };
      if (call.body !== undefined) headers['content-length'] = String(Buffer.byteLength(call.body));
      const req = httpsRequest(url, { method: call.method, headers, agent: this.agent }, (res) => {
        const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
        const stream: Readable =
          encoding === 'gzip'
            ? res.pipe(createGunzip())
            : encoding === 'deflate'
              ? res.pipe(createInflate())
              : res;
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error) =>
          finish(new TransportError(`response failed: ${error.message}`, 'network', 1)),
        );
        res.on('aborted', () =>
          finish(new TransportError('connection reset while reading the response', 'network', 1)),
        );
        stream.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      const timeoutMs = Math.min(this.settings.timeoutMs, call.timeoutMs || Infinity);
      const timer = setTimeout(() => {
        finish(new TransportError(`timed out after ${timeoutMs / 1000} s`, 'timeout', 1));
        req.destroy();
      }, timeoutMs);
      const onAbort = () => {
        finish(new AbortError('The request was aborted.'));
        req.destroy();
      };
      call.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ? `${error.code}: ` : '';
        const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(error.code ?? '');
        if (tls) {
          // Not transient: an untrusted or mismatched certificate will not get better with retries.
          finish(
            Object.assign(new Error(`TLS certificate not trusted (${code}${error.message})`), {
              name: 'LiveTlsError',
            }),
          );
          return;
        }
        finish(new TransportError(`connection failed (${code}${error.message})`, 'network', 1));
      });
      if (call.body !== undefined) req.write(call.body);
      req.end();
    });
  }
}
