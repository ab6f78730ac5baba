/**
 * What went wrong with one request, in words a gap can carry: the status and service error code, or the
 * transport failure (timeout, reset) after its retries. Works on ARM `RestError`s, Graph `GraphError`s and the
 * transport's own errors, without depending on their classes.
 */

export interface Failure {
  /** HTTP status; undefined for timeouts, resets and other transport failures. */
  status: number | undefined;
  /** Service error code (`AuthorizationFailed`, `Authorization_RequestDenied`), when given. */
  code: string | undefined;
  /** One line for a gap or a message. */
  reason: string;
  /** A credential/identity problem surfaced by the SDK while sending (not a resource problem). */
  credential: boolean;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function field(error: object, key: string): unknown {
  return (error as Record<string, unknown>)[key];
}

function oneLine(text: string, max = 240): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Retries already happened in the transport; `attempts` says how many tries a final 429/5xx took. */
export function describeFailure(error: unknown, attempts: number): Failure {
  if (!(error instanceof Error))
    return { status: undefined, code: undefined, reason: String(error), credential: false };
  const credential = /AuthenticationError|CredentialUnavailableError|AuthenticationRequiredError/.test(
    error.name,
  );
  const statusValue = field(error, 'statusCode') ?? field(error, 'status');
  const status = typeof statusValue === 'number' && statusValue > 0 ? statusValue : undefined;
  // A transport failure inside the Graph client arrives as a GraphError whose body is the original error text.
  const body = field(error, 'body');
  const transport =
    error.name === 'LiveTransportError'
      ? error.message
      : typeof body === 'string' && body.startsWith('LiveTransportError: ')
        ? body.slice('LiveTransportError: '.length)
        : undefined;
  if (transport) return { status: undefined, code: undefined, reason: transport, credential: false };
  const rawCode = field(error, 'code');
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : undefined;
  if (status === undefined)
    return { status, code, reason: oneLine(`${error.name}: ${error.message}`), credential };
  return { status, code, reason: httpReason(status, code, attempts), credential };
}

/** `HTTP 503 Service Unavailable (ServerBusy) after 5 attempts`. */
export function httpReason(status: number, code: string | undefined, attempts: number): string {
  const retried =
    status === 429 || status >= 500 ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
  const text = STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : '';
  return `HTTP ${status}${text}${code ? ` (${code})` : ''}${retried}`;
}
