/** Small HTTP helpers shared by the emulator's handlers. */

export interface EmulatorRequest {
  method: string;
  /** Path without the query string, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** `https://127.0.0.1:<port>`: absolute links (nextLink, issuer) start with it. */
  base: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string. */
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, body, headers };
}

export function armError(status: number, code: string, message: string): EmulatorResponse {
  return json(status, { error: { code, message } });
}

export function graphError(status: number, code: string, message: string): EmulatorResponse {
  return json(status, { error: { code, message, innerError: { date: new Date().toISOString() } } });
}

export function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The query as `?a=b&c=d` with the given parameters replaced (or removed when undefined). */
export function withQuery(query: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `?${text}` : '';
}
