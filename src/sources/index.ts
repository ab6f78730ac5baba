/**
 * Source specs (`<kind>:<location>` or a bare path) -> one merged inventory.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../errors';
import type { Inventory } from '../inventory/types';
import { appIdInResource, classifyScope, isGuid, splitScopes } from '../entra/endpoints';
import { targetsMicrosoftGraph } from '../entra/first-party';
import { displayPath } from '../util/package-root';
import { mergeInventories } from '../inventory/merge';
import type { SourceContext, SourceDefinition } from './types';

/* eslint-disable @typescript-eslint/no-require-imports -- each kind's module is loaded when a spec of that kind is
   loaded or a bare path is detected: a scan of a snapshot does not pay for the APIOps, ARM or Terraform readers. */
/**
 * What the loader needs to know of each kind before its module is loaded (whether the location is a path, the
 * load phase), and the module itself, required on first use. In detection order for bare paths.
 * test/sources/kinds.test.ts checks the table against each module's `SourceDefinition`.
 */
const KINDS = {
  snapshot: {
    takesPath: true,
    phase: 'files',
    module: () => (require('./snapshot') as typeof import('./snapshot')).snapshotSource,
  },
  graph: {
    takesPath: false,
    phase: 'entra',
    module: () => (require('./live') as typeof import('./live')).graphSource,
  },
  azure: {
    takesPath: false,
    phase: 'apim',
    module: () => (require('./live') as typeof import('./live')).azureSource,
  },
  terraform: {
    takesPath: true,
    phase: 'files',
    module: () => (require('./terraform') as typeof import('./terraform')).terraformSource,
  },
  manifest: {
    takesPath: true,
    phase: 'files',
    module: () => (require('./manifest') as typeof import('./manifest')).manifestSource,
  },
  apiops: {
    takesPath: true,
    phase: 'files',
    startsFirst: true,
    module: () => (require('./apiops') as typeof import('./apiops')).apiopsSource,
  },
  arm: {
    takesPath: true,
    phase: 'files',
    module: () => (require('./arm') as typeof import('./arm')).armSource,
  },
} as const satisfies Record<string, SourceKindEntry>;
/* eslint-enable @typescript-eslint/no-require-imports */

interface SourceKindEntry extends Pick<SourceDefinition, 'takesPath'> {
  phase: NonNullable<SourceDefinition['phase']>;
  /**
   * Started before the other sources of its phase: its `load` starts reading a large folder on a second thread and
   * yields once before it parses, so that the others are read on this thread meanwhile (apiops/index.ts).
   */
  startsFirst?: true;
  module(): SourceDefinition;
}

export { mergeInventories };

export type SourceKind = keyof typeof KINDS;
export const SOURCE_KINDS = Object.keys(KINDS) as SourceKind[];

/** The definition of a kind (its module is loaded on the first call). */
export function sourceDefinition(kind: SourceKind): SourceDefinition {
  return KINDS[kind].module();
}

/** Whether a kind's location is a path, and its load phase, without loading its module. */
export function sourceKindInfo(kind: SourceKind): Pick<SourceKindEntry, 'takesPath' | 'phase'> {
  const { takesPath, phase } = KINDS[kind];
  return { takesPath, phase };
}

export interface SourceSpec {
  kind: SourceKind;
  /** Absolute path for file sources; the text after `kind:` for others. */
  location: string;
  /** The spec as the user wrote it. */
  raw: string;
}

function isKind(value: string): value is SourceKind {
  return Object.prototype.hasOwnProperty.call(KINDS, value);
}

/** Parses `kind:location` (or a bare `kind` such as `graph`); a bare path is detected from its content. */
export function parseSourceSpec(raw: string, baseDir: string, cwd: string = baseDir): SourceSpec {
  const match = /^([a-z]{2,})(?::(.*))?$/s.exec(raw);
  if (match?.[1] && (match[2] !== undefined || isKind(match[1]))) {
    const kind = match[1];
    if (!isKind(kind)) {
      throw new AuditError(
        'source-unknown-kind',
        `Unknown source kind '${kind}' in '${raw}'; supported kinds: ${SOURCE_KINDS.join(', ')} (or a bare path).`,
      );
    }
    const rest = match[2] ?? '';
    return { kind, location: KINDS[kind].takesPath ? resolvePathSpec(baseDir, rest) : rest, raw };
  }
  const location = path.resolve(baseDir, raw);
  return { kind: detectKind(location, raw, cwd), location, raw };
}

/**
 * `<file>#<other path>` (a plan with its Terraform folder, a template with its parameters file) resolves both
 * paths against the same base; a path that exists as written (a `#` in a file name) is taken literally.
 */
function resolvePathSpec(baseDir: string, rest: string): string {
  const hash = rest.indexOf('#');
  const whole = path.resolve(baseDir, rest);
  if (hash <= 0 || hash === rest.length - 1 || existsSync(whole)) return whole;
  return `${path.resolve(baseDir, rest.slice(0, hash))}#${path.resolve(baseDir, rest.slice(hash + 1))}`;
}

function peekText(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function detectKind(location: string, raw: string, cwd: string): SourceKind {
  let stats;
  let peek: string | undefined;
  try {
    stats = statSync(location);
    peek = stats.isFile() ? peekText(location) : undefined;
  } catch (error) {
    throw new AuditError('source-unreadable', `Cannot read source '${raw}': ${(error as Error).message}`);
  }
  for (const kind of SOURCE_KINDS) {
    if (KINDS[kind].takesPath && sourceDefinition(kind).detect?.(location, stats, peek)) return kind;
  }
  throw new AuditError(
    'source-unknown-kind',
    `Cannot tell what kind of source '${displayPath(location, cwd)}' is; name it as <kind>:<path> (kinds: ${SOURCE_KINDS.join(', ')}).`,
  );
}

/** App ids the APIM side names: authorization server client ids and GUID resources of default scopes. */
export function referencedAppIds(inventory: Inventory, linked: readonly string[] = []): string[] | undefined {
  const ids = new Set<string>(linked.map((id) => id.toLowerCase()));
  for (const service of inventory.services) {
    for (const server of service.authorizationServers ?? []) {
      const { clientId, defaultScope, tokenBodyParameters } = server.properties;
      // Placeholders for ids unknown at plan time (`tf:...`) name no app a live source could fetch.
      if (clientId && isGuid(clientId)) ids.add(clientId.toLowerCase());
      const resources = splitScopes(defaultScope).flatMap((raw) => {
        const { resource } = classifyScope(raw);
        return resource === undefined ? [] : [resource];
      });
      const resource = tokenBodyParameters?.find((p) => p.name === 'resource')?.value;
      if (resource) resources.push(resource);
      for (const named of resources) {
        if (targetsMicrosoftGraph(named)) continue;
        const id = appIdInResource(named);
        // A custom App ID URI (api://colors-backend) names no appId: only the whole tenant can resolve it.
        if (!id) return undefined;
        ids.add(id);
      }
    }
  }
  return [...ids].sort();
}

const PHASES = ['files', 'apim', 'entra'] as const;

/**
 * The order to start the sources of a phase in (their indexes): those that start first (`startsFirst`), then the
 * rest, each in the order given.
 */
export function startOrder(kinds: readonly SourceKind[]): number[] {
  const first = (kind: SourceKind) => ('startsFirst' in KINDS[kind] ? 0 : 1);
  return kinds
    .map((_, i) => i)
    .sort((a, b) => first(kinds[a] as SourceKind) - first(kinds[b] as SourceKind) || a - b);
}

/**
 * Loads every source in phase order (files, live APIM, live Entra); within a phase, in parallel. Paths resolve
 * against `baseDir` and are shown relative to `context.cwd`.
 */
export async function loadSources(
  specs: readonly string[],
  baseDir: string,
  context: Omit<SourceContext, 'referencedAppIds'> & { linkedAppIds?: readonly string[] },
): Promise<Inventory> {
  const parsed = specs.map((raw) => parseSourceSpec(raw, baseDir, context.cwd));
  const loaded: Inventory[] = [];
  for (const phase of PHASES) {
    const inPhase = parsed.filter((s) => KINDS[s.kind].phase === phase);
    // What the earlier phases loaded, merged only for a phase that has sources (a tenant-sized folder is merged
    // once, at the end, when every source is a file).
    if (inPhase.length === 0) continue;
    const known = mergeInventories(loaded);
    const apimKnown = known.sources.some((s) => s.provides.apim);
    const loads: Promise<Inventory>[] = [];
    for (const i of startOrder(inPhase.map((spec) => spec.kind))) {
      const spec = inPhase[i] as (typeof inPhase)[number];
      loads[i] = sourceDefinition(spec.kind).load(spec.location, spec.raw, {
        ...context,
        referencedAppIds: apimKnown ? referencedAppIds(known, context.linkedAppIds) : undefined,
      });
    }
    // In the order given, whichever started first.
    const settled = await Promise.allSettled(loads);
    // When several sources fail, the error of the first one given, whichever finished first.
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      loaded.push(result.value);
    }
  }
  // The parts are used no more: the merged inventory may take over the first part's index of files.
  return mergeInventories(loaded, { partsDone: true });
}
