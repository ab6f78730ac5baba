/**
 * Which operation a request reaches (issue 14): by operation id, or by method and URL against the API's path and
 * the operations' URL templates, the way the gateway routes (literal segments before template parameters). Pure:
 * reads the effective-policy index of the model.
 */
import type { Model } from '../model/types';
import { effectivePolicies, type OperationPolicy } from '../policy/effective';

export interface OperationQuery {
  /** The API's name (resource name), display name or path. */
  api: string;
  operation?: string;
  method?: string;
  /** `/colors/random`, `/colors/colors/random` (with the API path) or a full URL. */
  url?: string;
}

export type OperationMatch =
  { kind: 'found'; policy: OperationPolicy; route: RouteFacts } | { kind: 'not-found'; message: string };

/** What the request is known to be, for `<choose>` conditions. */
export interface RouteFacts {
  method: string | undefined;
  /** The request path below the gateway host (`/colors/colors/random`), when a URL was given. */
  path: string | undefined;
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

function pathOnly(url: string): string {
  let text = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      text = new URL(text).pathname;
    } catch {
      // kept as given
    }
  }
  const query = text.search(/[?#]/);
  if (query >= 0) text = text.slice(0, query);
  return `/${text.replace(/^\/+/, '')}`;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** How well a URL template matches a path: undefined when not, else the number of literal segments matched. */
export function templateScore(template: string, path: string): number | undefined {
  const wanted = segments(template.replace(/[?#].*$/, ''));
  const given = segments(path);
  let literal = 0;
  for (let i = 0; i < wanted.length; i++) {
    const part = wanted[i] ?? '';
    if (/^\{\*[^}]*\}$/.test(part)) return literal; // {*rest}: the rest of the path
    const value = given[i];
    if (value === undefined) return undefined;
    if (/^\{[^}]+\}$/.test(part)) continue;
    if (part.includes('{')) {
      const pattern = new RegExp(
        `^${part
          .split(/\{[^}]+\}/)
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
        'i',
      );
      if (!pattern.test(value)) return undefined;
      continue;
    }
    if (lower(part) !== lower(decodeURIComponentSafe(value))) return undefined;
    literal++;
  }
  return given.length === wanted.length ? literal : undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function apiCandidates(model: Model, name: string): OperationPolicy[] {
  const ops = effectivePolicies(model).operations.filter((o) => o.api.isCurrent);
  const wanted = lower(name);
  const byName = ops.filter((o) => lower(o.api.name) === wanted);
  if (byName.length > 0) return byName;
  return ops.filter(
    (o) =>
      lower(o.api.props.displayName as string | undefined) === wanted ||
      lower(o.api.props.path).replace(/^\/+|\/+$/g, '') === wanted.replace(/^\/+|\/+$/g, ''),
  );
}

/** The operation the query names, or why none. */
export function matchOperation(model: Model, query: OperationQuery): OperationMatch {
  const ops = apiCandidates(model, query.api);
  if (ops.length === 0) {
    const names = [...new Set(effectivePolicies(model).operations.map((o) => o.api.name))].sort();
    return {
      kind: 'not-found',
      message: `no API '${query.api}' in the sources (APIs: ${names.slice(0, 20).join(', ') || 'none'})`,
    };
  }
  const services = new Set(ops.map((o) => o.api.service));
  if (services.size > 1) {
    return {
      kind: 'not-found',
      message: `API '${query.api}' exists in ${services.size} services; give sources of one service`,
    };
  }
  const path = query.url !== undefined ? pathOnly(query.url) : undefined;
  const route = { method: query.method?.toUpperCase(), path };
  const withOps = ops.filter((o) => o.operation !== undefined);
  if (withOps.length === 0) {
    // An API without operations in the data: its "all operations" view.
    const view = ops[0];
    return view ? { kind: 'found', policy: view, route } : { kind: 'not-found', message: 'no operation' };
  }
  if (query.operation !== undefined) {
    const wanted = lower(query.operation);
    const found = withOps.find(
      (o) => lower(o.operation?.name) === wanted || lower(o.operation?.props.displayName) === wanted,
    );
    if (!found) {
      return {
        kind: 'not-found',
        message: `API '${query.api}' has no operation '${query.operation}' (operations: ${withOps
          .map((o) => o.operation?.name ?? '')
          .join(', ')})`,
      };
    }
    return {
      kind: 'found',
      policy: found,
      route: { method: route.method ?? found.operation?.props.method?.toUpperCase(), path },
    };
  }
  if (path === undefined) {
    return { kind: 'not-found', message: 'name the operation: --operation <id>, or --method and --url' };
  }
  return byUrl(withOps, route, path, query);
}

function byUrl(
  ops: OperationPolicy[],
  route: RouteFacts,
  path: string,
  query: OperationQuery,
): OperationMatch {
  const apiPath = segments(ops[0]?.api.props.path ?? '');
  const given = segments(path);
  // The URL with the API's path in front (`/colors/colors/random`) or without it (`/colors/random`).
  const tails = [path];
  if (apiPath.length > 0 && apiPath.every((s, i) => lower(s) === lower(given[i]))) {
    tails.unshift(`/${given.slice(apiPath.length).join('/')}`);
  }
  let best: { op: OperationPolicy; score: number; tail: string } | undefined;
  for (const tail of tails) {
    for (const op of ops) {
      const props = op.operation?.props;
      if (!props?.urlTemplate) continue;
      if (route.method !== undefined && lower(props.method) !== lower(route.method)) continue;
      const score = templateScore(props.urlTemplate, tail);
      if (score !== undefined && (!best || score > best.score)) best = { op, score, tail };
    }
    if (best) break;
  }
  if (!best) {
    return {
      kind: 'not-found',
      message: `no operation of API '${query.api}' matches ${route.method ?? 'any method'} ${path} (operations: ${ops
        .map((o) => `${o.operation?.props.method ?? '?'} ${o.operation?.props.urlTemplate ?? '?'}`)
        .join(', ')})`,
    };
  }
  const fullPath = best.tail !== path ? path : `/${[...apiPath, ...segments(path)].join('/')}`;
  return {
    kind: 'found',
    policy: best.op,
    route: { method: route.method ?? best.op.operation?.props.method?.toUpperCase(), path: fullPath },
  };
}
