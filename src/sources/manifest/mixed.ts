/**
 * One application object of a manifest -> its inventory record. Each key is read by the format it belongs to
 * (translate.ts). A manifest holding keys of both formats (Teams Toolkit / Microsoft 365 Agents Toolkit
 * `aad.manifest.json` files mix them; domain reference §11) gets two readings, combined here: where both state a
 * property, the Microsoft Graph key's value is kept (the format Entra and the toolkits apply today), and where they
 * disagree the disagreement becomes a `SourceConflict` with both locations, reported by `sources-consistent` like a
 * disagreement between two sources.
 */
import type { GraphApplication, InventoryApplication, Origin, SourceConflict } from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { isRecord } from '../../util/json';
import { childPath } from '../../util/paths';
import { compareRecords, type Tagged } from '../../inventory/merge-compare';
import { PathsTable } from './paths-table';
import { ManifestReader, type Problem } from './reader';
import {
  camelCaseKeys,
  commonFields,
  fromGraph,
  fromLegacy,
  GRAPH_OWNED,
  isLegacyKey,
  LEGACY_OWNED,
} from './translate';

type Json = Record<string, unknown>;

/** One reading of an application: the values read, and where they are or why they are unknown. */
interface Reading {
  app: GraphApplication;
  paths: Record<string, string>;
  unknown: Record<string, string>;
  placeholders: Record<string, string>;
}

/** Where an application is: for conflict sides and their positions. */
interface Place {
  file: string;
  pointer: string;
  index: PositionIndex;
}

export interface ReadApplication {
  app: InventoryApplication;
  /** Properties the legacy and the Microsoft Graph keys of the manifest state differently. */
  conflicts: SourceConflict[];
}

const PLATFORMS = ['web', 'spa', 'publicClient'] as const;

function read(reader: ManifestReader, translate: (r: ManifestReader) => GraphApplication): Reading {
  const app = translate(reader);
  return { app, paths: reader.paths, unknown: reader.unknown, placeholders: reader.placeholders };
}

/** Whether a canonical path is the other or below it. */
function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** The canonical paths of every value a reading states (objects are walked, lists and scalars are values). */
function statedPaths(value: unknown, path = '', out: string[] = []): string[] {
  if (!isRecord(value)) {
    if (value !== undefined) out.push(path);
    return out;
  }
  for (const [key, item] of Object.entries(value)) statedPaths(item, childPath(path, key), out);
  return out;
}

/** The reading without empty objects (`"implicitGrantSettings": {}` states nothing). */
function pruned(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const inner = pruned(item);
    if (!(isRecord(inner) && Object.keys(inner).length === 0)) out[key] = inner;
  }
  return out;
}

/** `over`'s values on top of `under`'s, objects merged key by key. */
function overlay(under: unknown, over: unknown): unknown {
  if (over === undefined) return under;
  if (!isRecord(under) || !isRecord(over)) return over;
  const out: Json = { ...under };
  for (const [key, item] of Object.entries(over)) out[key] = overlay(under[key], item);
  return out;
}

function deletePath(record: Json, path: string): void {
  const tokens = path.split('/');
  const last = tokens.pop();
  let current: unknown = record;
  for (const token of tokens) current = isRecord(current) ? current[token] : undefined;
  if (isRecord(current) && last !== undefined) delete current[last];
}

/** The conflicts between the two readings, the Graph reading first (it is the one kept). */
function compareReadings(graph: Reading, legacy: Reading, name: string, place: Place): SourceConflict[] {
  const tagged = (reading: Reading, format: string): Tagged<GraphApplication & { origin: Origin }> => ({
    record: {
      ...(pruned(reading.app) as GraphApplication),
      origin: {
        file: place.file,
        pointer: place.pointer,
        paths: reading.paths,
        placeholders: reading.placeholders,
      },
    },
    source: `${place.file} (${format} keys)`,
    files: { [place.file]: place.index },
  });
  return compareRecords(
    'application',
    name,
    tagged(graph, 'Microsoft Graph format'),
    tagged(legacy, 'legacy Azure AD Graph format'),
    new Set(),
  );
}

/**
 * The two readings as one: the Graph reading's values and unknown values win where both state a property; the
 * legacy reading fills in the rest, with its locations.
 */
function combine(graph: Reading, legacy: Reading): Reading {
  const graphPaths = [...statedPaths(pruned(graph.app)), ...Object.keys(graph.unknown)];
  const shadowed = (path: string) => graphPaths.some((p) => within(path, p) || within(p, path));
  const app = overlay(legacy.app, graph.app) as GraphApplication;
  for (const path of Object.keys(graph.unknown)) deletePath(app as Json, path);
  const keep = (entries: Record<string, string>) =>
    Object.fromEntries(Object.entries(entries).filter(([path]) => !shadowed(path)));
  return {
    app,
    paths: { ...keep(legacy.paths), ...graph.paths },
    unknown: { ...keep(legacy.unknown), ...graph.unknown },
    placeholders: { ...keep(legacy.placeholders), ...graph.placeholders },
  };
}

/** The keys `isLegacyKey` can say yes to. */
const LEGACY_CANDIDATES: readonly string[] = [...LEGACY_OWNED, 'publicClient'];

/**
 * Whether any key of `raw` belongs to the legacy format. Asked of every application: the legacy keys are looked up
 * (a few), rather than every key of the application tested.
 */
function hasLegacyKey(raw: Json): boolean {
  for (const key of LEGACY_CANDIDATES) if (Object.hasOwn(raw, key) && isLegacyKey(raw, key)) return true;
  return false;
}

/** Whether `raw` has a key of the Microsoft Graph format. */
function hasGraphKey(raw: Json): boolean {
  for (const key of GRAPH_OWNED) if (key in raw && !isLegacyKey(raw, key)) return true;
  return false;
}

/**
 * Reads one application object (already known to have an `appId` key). Malformed values are added to `problems`,
 * each at its own pointer. Its `Origin.paths` is the equal record of `shared` when another application had one.
 */
export function readApplication(
  object: Json,
  place: Place,
  problems: Problem[],
  shared: PathsTable = new PathsTable(),
): ReadApplication {
  let raw = object;
  let realPointer: ((pointer: string) => string) | undefined;
  if (!('appId' in raw) && 'AppId' in raw) {
    // Microsoft Graph PowerShell SDK output (`Get-MgApplication | ConvertTo-Json`): PascalCase keys.
    const converted = camelCaseKeys(raw, place.pointer);
    raw = converted.value;
    realPointer = (pointer) => converted.pointers.get(pointer) ?? pointer;
  }
  const hasLegacy = hasLegacyKey(raw);
  const hasGraph = hasGraphKey(raw);
  const reader = () => new ManifestReader(problems, realPointer);
  const root = (r: ManifestReader) => r.root(raw, place.pointer);
  // One reader for the shared keys and, in the common case of one format, for that format's keys too: a large
  // folder is read without copying maps of paths, and its paths are shared (two readings are combined as maps).
  const oneReading = realPointer === undefined && !(hasLegacy && hasGraph);
  const main = oneReading ? new ManifestReader(problems, undefined, shared) : reader();
  const app = commonFields(main, root(main));
  let conflicts: SourceConflict[] = [];
  // Their keys never overlap the shared keys: read into the same record.
  if (!hasLegacy) fromGraph(main, root(main), app);
  else if (!hasGraph) fromLegacy(main, root(main), true, app);
  else {
    const graph = read(reader(), (r) => fromGraph(r, root(r)));
    // `replyUrlsWithType` lists every platform, unless Graph keys list some of them.
    const graphPlatforms = [...statedPaths(graph.app), ...Object.keys(graph.unknown)].some((p) =>
      PLATFORMS.some((platform) => within(p, `${platform}/redirectUris`)),
    );
    const legacy = read(reader(), (r) => fromLegacy(r, root(r), !graphPlatforms));
    const name = app.appId ?? (place.pointer === '' ? place.file : `${place.file}#${place.pointer}`);
    conflicts = compareReadings(graph, legacy, name, place);
    const combined = combine(graph, legacy);
    Object.assign(app, combined.app);
    Object.assign(main.paths, combined.paths);
    for (const [path, reason] of Object.entries(combined.unknown)) main.markUnknown(path, reason);
    Object.assign(main.placeholders, combined.placeholders);
  }
  const paths = oneReading
    ? main.sharedPaths(place.pointer)
    : Object.keys(main.paths).length > 0
      ? main.paths
      : undefined;
  const unknown = Object.keys(main.unknown).length > 0 ? main.unknown : undefined;
  const placeholders = Object.keys(main.placeholders).length > 0 ? main.placeholders : undefined;
  const origin = originOf(place, app.id || undefined, paths, unknown, placeholders);
  return { app: Object.assign(app, { origin }), conflicts };
}

/**
 * An application's origin, its fields in this order. The usual ones (an object id, with or without paths) are one
 * literal each: a record grown from `{ file, pointer }` keeps what it gains in a property store of its own.
 */
function originOf(
  place: Place,
  graphObjectId: string | undefined,
  paths: Record<string, string> | undefined,
  unknown: Record<string, string> | undefined,
  placeholders: Record<string, string> | undefined,
): Origin {
  const { file, pointer } = place;
  if (graphObjectId !== undefined && unknown === undefined && placeholders === undefined) {
    return paths ? { file, pointer, graphObjectId, paths } : { file, pointer, graphObjectId };
  }
  const origin: Origin = { file, pointer };
  if (graphObjectId !== undefined) origin.graphObjectId = graphObjectId;
  if (paths) origin.paths = paths;
  if (unknown) origin.unknown = unknown;
  if (placeholders) origin.placeholders = placeholders;
  return origin;
}
