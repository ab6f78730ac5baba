/**
 * Plugs the live transport into the SDKs through their documented extension points: the `httpClient` option
 * of `@azure/core-rest-pipeline` clients (identity, ARM) and a final middleware of the Graph client.
 */
import type { ApiManagementClientOptionalParams } from '@azure/arm-apimanagement';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { LiveTransport } from './transport';

type CoreHttpClient = NonNullable<ApiManagementClientOptionalParams['httpClient']>;
type PipelineRequest = Parameters<CoreHttpClient['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<CoreHttpClient['sendRequest']>>;
type HttpHeaders = PipelineResponse['headers'];
type RawHttpHeaders = ReturnType<HttpHeaders['toJSON']>;

/** `HttpHeaders` over a plain record (case-insensitive names). */
class PipelineHeaders implements HttpHeaders {
  private readonly map = new Map<string, { name: string; value: string }>();
  constructor(initial: Record<string, string>) {
    for (const [name, value] of Object.entries(initial)) this.set(name, value);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.value;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean): void {
    this.map.set(name.toLowerCase(), { name, value: String(value) });
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  toJSON(options?: { preserveCase?: boolean }): RawHttpHeaders {
    const out: RawHttpHeaders = {};
    for (const [key, entry] of this.map) out[options?.preserveCase ? entry.name : key] = entry.value;
    return out;
  }
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const [key, entry] of this.map) yield [key, entry.value];
  }
}

function requestBody(request: PipelineRequest): string | Buffer | undefined {
  const { body, formData } = request;
  if (formData) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(formData)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item !== 'string') throw new Error(`unsupported form field ${key}`);
        form.append(key, item);
      }
    }
    return form.toString();
  }
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new Error('unsupported request body type for the live transport');
}

/** The transport as a core `HttpClient`, for `@azure/identity` credentials and `ApiManagementClient`. */
export function coreHttpClient(transport: LiveTransport): CoreHttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const body = requestBody(request);
      const result = await transport.send({
        method: request.method,
        url: request.url,
        headers: request.headers.toJSON(),
        ...(body !== undefined ? { body } : {}),
        signal: request.abortSignal,
        timeoutMs: request.timeout,
      });
      return {
        request,
        status: result.status,
        headers: new PipelineHeaders(result.headers),
        bodyAsText: result.body,
      };
    },
  };
}

function headerRecord(headers: unknown): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return { ...(headers as Record<string, string>) };
}

/** The transport as the Graph client's last middleware (in place of its fetch-based HTTPMessageHandler). */
export function graphTransportMiddleware(transport: LiveTransport): Middleware {
  return {
    async execute(context: Context): Promise<void> {
      const url = typeof context.request === 'string' ? context.request : context.request.url;
      const options = context.options ?? {};
      const body = options.body;
      if (body !== undefined && body !== null && typeof body !== 'string')
        throw new Error('unsupported Graph request body for the live transport');
      const result = await transport.send({
        method: options.method ?? 'GET',
        url,
        headers: headerRecord(options.headers),
        ...(typeof body === 'string' ? { body } : {}),
      });
      const empty = result.status === 204 || result.status === 205 || result.status === 304;
      context.response = new Response(empty ? null : result.body, {
        status: result.status,
        headers: result.headers,
      });
    },
  };
}
