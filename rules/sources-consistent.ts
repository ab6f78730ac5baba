/**
 * When several sources describe one entity (an app in a manifest and in the live tenant, an API in an APIOps
 * folder and in a snapshot), the audit keeps the record of the source given first; every property on which the
 * sources disagree was recorded as a `SourceConflict` when the inventories were merged. This rule reports them,
 * naming both places, so that the stale side is found before it is deployed or trusted.
 */
import { defineRule, MESSAGE_LIMIT, violation } from './support/contract';
import { fitted } from './support/outputs';
import type { Origin, SourceConflict } from '../src/inventory/types';
import type { Entity, Model, ResourceKind } from '../src/model/types';

const KIND_LABEL: Readonly<Record<ResourceKind, string>> = {
  application: 'application',
  apimService: 'API Management service',
  authorizationServer: 'authorization server',
  openidProvider: 'OpenID Connect provider',
  api: 'API',
  operation: 'operation',
  product: 'product',
  policyFragment: 'policy fragment',
  namedValue: 'named value',
  workspace: 'workspace',
};

const MAX_VALUE = 120;

function isKind(kind: string): kind is ResourceKind {
  return Object.prototype.hasOwnProperty.call(KIND_LABEL, kind);
}

/** The model entities under the names conflicts use: appId, or the service/.../resource path. */
function entitiesByConflictName(model: Model): Map<string, Entity> {
  const map = new Map<string, Entity>();
  const add = (kind: ResourceKind, name: string, entity: Entity) =>
    map.set(`${kind}|${name.toLowerCase()}`, entity);
  for (const app of model.applications) if (app.appId) add('application', app.appId, app);
  for (const service of model.services) {
    const s = service.name;
    add('apimService', s, service);
    for (const ws of service.workspaces) add('workspace', `${s}/${ws.name}`, ws);
    for (const server of service.authorizationServers)
      add('authorizationServer', `${s}/${server.name}`, server);
    for (const provider of service.openidProviders) add('openidProvider', `${s}/${provider.name}`, provider);
    for (const api of service.apis) {
      const apiName = api.workspace ? `${s}/${api.workspace.name}/${api.name}` : `${s}/${api.name}`;
      add('api', apiName, api);
      for (const operation of api.operations) add('operation', `${apiName}/${operation.name}`, operation);
    }
    for (const product of service.products) add('product', `${s}/${product.name}`, product);
    for (const fragment of service.policyFragments) {
      add(
        'policyFragment',
        fragment.workspace ? `${s}/${fragment.workspace.name}/${fragment.name}` : `${s}/${fragment.name}`,
        fragment,
      );
    }
    for (const value of service.namedValues) add('namedValue', `${s}/${value.name}`, value);
  }
  return map;
}

/** Where a value is: `file:line:column`, else the file, else the Azure resource id or Graph object. */
function place(origin: Origin): string {
  if (origin.file) {
    return origin.line !== undefined ? `${origin.file}:${origin.line}:${origin.column ?? 1}` : origin.file;
  }
  return (
    origin.resourceId ??
    (origin.graphObjectId ? `/applications/${origin.graphObjectId}` : 'an unlocated record')
  );
}

function shorten(value: string, max = MAX_VALUE): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** `application 'orders'` in messages; the appId (the name sources match apps by) goes to the detail. */
function subject(conflict: SourceConflict, entity: Entity | undefined): string {
  const label = isKind(conflict.kind) ? KIND_LABEL[conflict.kind] : conflict.kind;
  if (conflict.kind === 'application') {
    return entity && entity.name !== conflict.name
      ? `application '${entity.name}'`
      : `application ${conflict.name}`;
  }
  return `${label} '${conflict.name}'`;
}

/** Shortest a value is cut to in a message (the detail shows more of it, and where each is). */
const MIN_SHOWN = 16;

/**
 * `Sources disagree on <path> of <subject>: <source> has <value>, but <source> has <value>`, each value cut so that
 * the message fits in MESSAGE_LIMIT (whole values, up to MAX_VALUE, are in the detail).
 */
function messageOf(conflict: SourceConflict, entity: Entity | undefined): string {
  const { values } = conflict;
  const head = `Sources disagree on ${conflict.path} of ${subject(conflict, entity)}: `;
  const frame = values.map((v, i) => `${i === 0 ? '' : ', but '}${v.source} has `).join('');
  const room = Math.max(MIN_SHOWN, Math.floor((MESSAGE_LIMIT - head.length - frame.length) / values.length));
  const said = values.map((v) => `${v.source} has ${shorten(v.value, Math.min(room, MAX_VALUE))}`);
  return fitted(`${head}${said.join(', but ')}`);
}

function detailOf(conflict: SourceConflict, entity: Entity | undefined): string {
  const [kept, ...others] = conflict.values;
  const say = (v: SourceConflict['values'][number]) =>
    `${v.source} has ${shorten(v.value)} (${place(v.origin)})`;
  const app = conflict.kind === 'application' && entity && entity.name !== conflict.name;
  return (
    `${app ? `The application (appId ${conflict.name}) is described by several sources: ` : ''}` +
    `${kept ? say(kept) : ''}${others.map((v) => `, but ${say(v)}`).join('')}. The audit used the first ` +
    "source's value, so its other findings hold for that value only, and deploying the stale side overwrites " +
    'the current configuration.'
  );
}

/** A policy text: the finding points at its first character in the kept source. */
function isTextConflict(conflict: SourceConflict): boolean {
  return conflict.path === 'policy' || conflict.path === 'properties/value';
}

export default defineRule({
  id: 'sources-consistent',
  meta: {
    title: 'Sources that describe the same entity agree on its configuration',
    severity: 'warning',
    tags: ['sources', 'drift'],
    requires: [],
    // A disagreement rests only on the two values compared (the violation's own entity and path).
    declaresEvidence: true,
  },
  *check(model) {
    if (model.conflicts.length === 0) return;
    const entities = entitiesByConflictName(model);
    for (const conflict of model.conflicts) {
      const kept = conflict.values[0];
      if (!kept) continue;
      const found = entities.get(`${conflict.kind}|${conflict.name.toLowerCase()}`);
      // An entity the model does not name this way (e.g. a workspace product) is reported where the kept value is.
      const entity: Entity = found ?? {
        kind: isKind(conflict.kind) ? conflict.kind : 'apimService',
        id: `/sources/${conflict.kind}/${conflict.name}`,
        name: conflict.name,
        origin: kept.origin,
      };
      const located = found ? { path: conflict.path } : {};
      const text =
        isTextConflict(conflict) && kept.origin.file
          ? { textOffset: { origin: kept.origin, offset: 0 } }
          : {};
      yield violation(entity, messageOf(conflict, found), {
        key: conflict.path,
        ...located,
        ...text,
        detail: detailOf(conflict, found),
        fix: { text: 'Check which source is current and make the other one match it.' },
      });
    }
  },
});
