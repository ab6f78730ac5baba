/**
 * Turns an entity + canonical property path into a file location and a logical location. Rules never do this.
 */
import { sha256Hex } from '../util/digest';
import type { Origin } from '../inventory/types';
import type { PositionIndex } from '../json/types';
import { locateNearest } from '../json/schema';
import type { Entity } from '../model/types';
import type { Location, LogicalLocation } from './types';

/** The JSON pointer in the entity's file of a canonical property path (`Origin.paths`, else appended). */
export function pointerFor(entity: Entity, path: string | undefined): string | undefined {
  const { origin } = entity;
  if (origin.pointer === undefined) return undefined;
  if (!path) return origin.pointer;
  const mapped = origin.paths?.[path];
  if (mapped !== undefined) return mapped;
  // Canonical paths are `/`-separated keys: only a `~` in a key needs escaping in the pointer.
  return `${origin.pointer}/${path.includes('~') ? path.replace(/~/g, '~0') : path}`;
}

/** Location of a character inside a text whose origin is known (a policy in a JSON string or XML file). */
export function locateTextOffset(
  textOffset: { origin: Origin; offset: number },
  files: Readonly<Record<string, PositionIndex>>,
): Location | undefined {
  const { origin, offset } = textOffset;
  if (!origin.file) return undefined;
  const position = files[origin.file]?.locateOffset(origin.pointer ?? '', offset);
  return position ? { file: origin.file, line: position.line, column: position.column } : undefined;
}

export function locate(
  entity: Entity,
  path: string | undefined,
  files: Readonly<Record<string, PositionIndex>>,
): Location {
  const { origin } = entity;
  if (!origin.file) return {};
  const index = files[origin.file];
  const pointer = pointerFor(entity, path);
  if (index && pointer !== undefined) {
    const position = locateNearest(index, pointer);
    if (position) return { file: origin.file, line: position.line, column: position.column };
  }
  if (origin.line !== undefined) {
    return origin.column !== undefined
      ? { file: origin.file, line: origin.line, column: origin.column }
      : { file: origin.file, line: origin.line };
  }
  return { file: origin.file };
}

export function logicalLocation(entity: Entity): LogicalLocation {
  const { origin } = entity;
  const fullyQualifiedName =
    origin.resourceId ?? (origin.graphObjectId ? `/applications/${origin.graphObjectId}` : entity.id);
  return { fullyQualifiedName, kind: entity.kind, name: entity.name };
}

/**
 * Same finding, same fingerprint: rule + entity identity + the violation's key (or property path). Line numbers
 * and message wording are deliberately left out so edits elsewhere in a file do not churn code-scanning alerts.
 */
export function fingerprint(ruleId: string, entity: Entity, discriminator: string | undefined): string {
  const identity = `${entity.kind}|${entity.id.toLowerCase()}`;
  return sha256Hex(`${ruleId}\u0000${identity}\u0000${discriminator ?? ''}`).slice(0, 32);
}
