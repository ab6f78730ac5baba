/**
 * Source specs (`<kind>:<location>` or a bare path) -> one merged inventory.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../engine/errors';
import type { Inventory } from '../inventory/types';
import { displayPath } from '../util/package-root';
import { readSnapshotFile, SNAPSHOT_KIND } from './snapshot';

export const SOURCE_KINDS = ['snapshot'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceSpec {
  kind: SourceKind;
  location: string;
  /** The spec as the user wrote it. */
  raw: string;
}

/** Parses `kind:location`; a bare path (no known kind prefix) is detected from its content. */
export function parseSourceSpec(raw: string, baseDir: string, cwd: string = baseDir): SourceSpec {
  const match = /^([a-z]+):(.*)$/.exec(raw);
  if (match && match[1] && match[1].length > 1) {
    const kind = match[1];
    if (!(SOURCE_KINDS as readonly string[]).includes(kind)) {
      throw new AuditError(
        'source-unknown-kind',
        `Unknown source kind '${kind}' in '${raw}'; supported kinds: ${SOURCE_KINDS.join(', ')} (or a bare path to a snapshot file).`,
      );
    }
    return { kind: kind as SourceKind, location: path.resolve(baseDir, match[2] ?? ''), raw };
  }
  return {
    kind: detectKind(path.resolve(baseDir, raw), raw, cwd),
    location: path.resolve(baseDir, raw),
    raw,
  };
}

function detectKind(file: string, raw: string, cwd: string): SourceKind {
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      throw new AuditError(
        'source-unknown-kind',
        `Cannot tell what kind of source the folder '${raw}' is; name it as <kind>:<path> (kinds: ${SOURCE_KINDS.join(', ')}).`,
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof AuditError) throw error;
    throw new AuditError('source-unreadable', `Cannot read source '${raw}': ${(error as Error).message}`);
  }
  if (text.includes(`"${SNAPSHOT_KIND}"`)) return 'snapshot';
  throw new AuditError(
    'source-unknown-kind',
    `Cannot tell what kind of source '${displayPath(file, cwd)}' is (no "kind": "${SNAPSHOT_KIND}"); name it as <kind>:<path> (kinds: ${SOURCE_KINDS.join(', ')}).`,
  );
}

export function loadSource(spec: SourceSpec, cwd: string): Inventory {
  switch (spec.kind) {
    case 'snapshot':
      return readSnapshotFile(spec.location, spec.raw, cwd);
  }
}

export function mergeInventories(parts: readonly Inventory[]): Inventory {
  const merged: Inventory = { sources: [], applications: [], services: [], gaps: [], files: {} };
  for (const part of parts) {
    if (part.tenantId && !merged.tenantId) merged.tenantId = part.tenantId;
    if (part.cloud && !merged.cloud) merged.cloud = part.cloud;
    merged.sources.push(...part.sources);
    merged.applications.push(...part.applications);
    merged.services.push(...part.services);
    merged.gaps.push(...part.gaps);
    Object.assign(merged.files, part.files);
  }
  return merged;
}

/** Loads every source; paths resolve against `baseDir`, and are shown relative to `cwd`. */
export function loadSources(specs: readonly string[], baseDir: string, cwd: string = baseDir): Inventory {
  return mergeInventories(specs.map((raw) => loadSource(parseSourceSpec(raw, baseDir, cwd), cwd)));
}
