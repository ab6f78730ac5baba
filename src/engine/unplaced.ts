/**
 * Entities that no file describes and that have no live identity either: an authorization server known only from a
 * config `links` entry, an APIOps API folder without its information file or policy. A finding on one still needs a
 * file and line (code scanning drops a result without them), so it is placed where its nearest enclosing entity is
 * (API, workspace, service). Live records (a resource id or Graph object id, no file) are left alone: they are
 * located in the snapshot `scan --snapshot-out` writes, or have only their logical location.
 */
import type { PositionIndex } from '../json/types';
import type { Entity, Model } from '../model/types';
import { allEntities } from '../model/unknown';
import { locate } from './locate';

/** The enclosing entities of `entity`, nearest first. */
function enclosing(entity: Entity): Entity[] {
  const chain: Entity[] = [];
  const parentOf = (e: Entity): Entity | undefined => {
    if ('api' in e && isEntity(e.api)) return e.api;
    if ('workspace' in e && isEntity(e.workspace)) return e.workspace;
    if ('service' in e && isEntity(e.service)) return e.service;
    return undefined;
  };
  for (let parent = parentOf(entity); parent && chain.length < 4; parent = parentOf(parent))
    chain.push(parent);
  return chain;
}

function isEntity(value: unknown): value is Entity {
  return typeof value === 'object' && value !== null && 'origin' in value && 'kind' in value;
}

function isUnplaced(entity: Entity): boolean {
  const { origin } = entity;
  return origin.file === undefined && origin.resourceId === undefined && origin.graphObjectId === undefined;
}

/**
 * Gives each unplaced entity of the model the file, line and column of its nearest enclosing entity that has a
 * file (the entity's own `origin` object is replaced, never the shared one of a record). Returns how many it placed.
 */
export function placeUnplaced(model: Model, files: Readonly<Record<string, PositionIndex>>): number {
  let placed = 0;
  // Each entity once (an API of a service is also in `model.apis`), in the order first met; only the unplaced are
  // remembered (few or none: every entity of a 5,000-API tree in one set took some 50 ms).
  const seen = new Set<Entity>();
  const place = (entity: Entity): void => {
    if (!isUnplaced(entity) || seen.has(entity)) return;
    seen.add(entity);
    const parent = enclosing(entity).find((e) => e.origin.file !== undefined);
    if (!parent) return;
    const at = locate(parent, undefined, files);
    if (at.file === undefined) return;
    // No pointer or path table: the entity's own paths mean nothing in its parent's record.
    const rest = { ...entity.origin };
    delete rest.pointer;
    delete rest.paths;
    entity.origin = {
      ...rest,
      file: at.file,
      ...(at.line !== undefined ? { line: at.line } : {}),
      ...(at.column !== undefined ? { column: at.column } : {}),
    };
    placed += 1;
  };
  for (const entity of allEntities(model)) place(entity);
  for (const api of model.apis) {
    place(api);
    for (const operation of api.operations) place(operation);
  }
  return placed;
}
