/**
 * Microsoft Graph v1.0 `/applications` as documented: `$select`, `$top` (default 100, at most 999), `$filter`
 * by `appId` (`eq`, or `in` with at most 15 values), `@odata.nextLink` paging with an opaque `$skiptoken`,
 * `/applications/$count` (needs `ConsistencyLevel: eventual`) and JSON `$batch` of at most 20 requests.
 */
import type { EmulatedTenant } from './data';
import { graphError, header, json, withQuery, type EmulatorRequest, type EmulatorResponse } from './http';

/** The application properties this emulator knows; `$select` of anything else is a 400, as in Graph. */
const PROPERTIES = new Set([
  'id',
  'appId',
  'displayName',
  'identifierUris',
  'signInAudience',
  'isFallbackPublicClient',
  'api',
  'web',
  'spa',
  'publicClient',
  'passwordCredentials',
  'keyCredentials',
  'requiredResourceAccess',
  'tags',
  'createdDateTime',
  'publisherDomain',
]);

const COLLECTIONS = new Set([
  'identifierUris',
  'passwordCredentials',
  'keyCredentials',
  'requiredResourceAccess',
  'tags',
]);

const MAX_IN_VALUES = 15;

type AppFilter = (app: Record<string, unknown>) => boolean;

function parseFilter(filter: string | null): AppFilter | string {
  if (filter === null) return () => true;
  const eq = /^appId eq '([^']*)'$/i.exec(filter.trim());
  if (eq) {
    const id = (eq[1] ?? '').toLowerCase();
    return (app) => String(app['appId']).toLowerCase() === id;
  }
  const inList = /^appId in \((.*)\)$/i.exec(filter.trim());
  if (inList) {
    const values = (inList[1] ?? '').split(',').map((v) => v.trim());
    if (values.some((v) => !/^'[^']*'$/.test(v))) return `Invalid filter clause: ${filter}`;
    if (values.length > MAX_IN_VALUES)
      return `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${MAX_IN_VALUES}.`;
    const ids = new Set(values.map((v) => v.slice(1, -1).toLowerCase()));
    return (app) => ids.has(String(app['appId']).toLowerCase());
  }
  return `Unsupported or invalid query filter clause specified for property 'appId' of resource 'Application': ${filter}`;
}

export class GraphEmulator {
  constructor(
    private readonly tenant: EmulatedTenant,
    private readonly defaultPageSize: number,
    /** Graph may return fewer objects than `$top` asks for (server-side paging). */
    private readonly maxPageSize = 999,
  ) {}

  /** Serves `/v1.0/...`; the caller has checked the bearer. */
  handle(request: EmulatorRequest, inner: (r: EmulatorRequest) => EmulatorResponse): EmulatorResponse {
    const path = request.path;
    if (path === '/v1.0/applications' && request.method === 'GET') return this.list(request);
    if (path === '/v1.0/applications/$count' && request.method === 'GET') {
      if (header(request, 'ConsistencyLevel') !== 'eventual')
        return graphError(400, 'Request_BadRequest', '$count requires the ConsistencyLevel header.');
      return {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: String(this.tenant.applications.length),
      };
    }
    if (path === '/v1.0/$batch' && request.method === 'POST') return this.batch(request, inner);
    return graphError(404, 'Request_ResourceNotFound', `Resource '${path}' does not exist.`);
  }

  private list(request: EmulatorRequest): EmulatorResponse {
    const q = request.query;
    const select =
      q
        .get('$select')
        ?.split(',')
        .map((s) => s.trim()) ?? undefined;
    const unknown = select?.find((s) => !PROPERTIES.has(s));
    if (unknown)
      return graphError(
        400,
        'Request_BadRequest',
        `Could not find a property named '${unknown}' on type 'microsoft.graph.application'.`,
      );
    const top = q.get('$top') === null ? this.defaultPageSize : Number(q.get('$top'));
    if (!Number.isInteger(top) || top < 1 || top > 999)
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${q.get('$top')}'. Must be between 1 and 999 inclusive.`,
      );
    const size = Math.min(top, this.maxPageSize);
    const filter = parseFilter(q.get('$filter'));
    if (typeof filter === 'string') return graphError(400, 'Request_UnsupportedQuery', filter);
    const skipToken = q.get('$skiptoken');
    const offset = skipToken === null ? 0 : Number(Buffer.from(skipToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0)
      return graphError(400, 'Request_BadRequest', 'Invalid skip token.');
    const matching = this.tenant.applications.filter(filter);
    const page = matching.slice(offset, offset + size).map((app) => project(app, select));
    const body: Record<string, unknown> = {
      '@odata.context': `${request.base}/v1.0/$metadata#applications${select ? `(${select.join(',')})` : ''}`,
      value: page,
    };
    if (offset + size < matching.length) {
      const token = Buffer.from(String(offset + size)).toString('base64url');
      // As Graph writes them: `$select=id,appId&$top=999&$skiptoken=...` (no %24 or %2C).
      const query = withQuery(q, { $skiptoken: token }).replace(/%24/g, '$').replace(/%2C/gi, ',');
      body['@odata.nextLink'] = `${request.base}/v1.0/applications${query}`;
    }
    return json(200, body);
  }

  private batch(request: EmulatorRequest, inner: (r: EmulatorRequest) => EmulatorResponse): EmulatorResponse {
    let parsed: { requests?: { id?: string; method?: string; url?: string }[] };
    try {
      parsed = JSON.parse(request.body) as typeof parsed;
    } catch {
      return graphError(400, 'BadRequest', 'Invalid batch payload.');
    }
    const requests = parsed.requests ?? [];
    if (requests.length === 0 || requests.length > 20)
      return graphError(400, 'BadRequest', `Batch must hold 1 to 20 requests; got ${requests.length}.`);
    const responses = requests.map((r) => {
      const url = new URL(`${request.base}/v1.0${r.url ?? ''}`);
      const response = inner({
        ...request,
        method: r.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        body: '',
      });
      return { id: r.id, status: response.status, headers: response.headers ?? {}, body: response.body };
    });
    // Graph documents that responses may come back in any order; reverse them so callers cannot rely on it.
    return json(200, { responses: responses.reverse() });
  }
}

function project(app: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return app;
  const out: Record<string, unknown> = {};
  for (const key of select) out[key] = app[key] ?? (COLLECTIONS.has(key) ? [] : null);
  return out;
}
