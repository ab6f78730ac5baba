/**
 * Resource instances of an ARM template -> inventory records. Child resources are attached to their parents by
 * name segments (`service/api/policy`), whatever order or nesting the template uses. Values the template does
 * not determine are left out of the record and listed in `Origin.unknown` under their canonical path, so the
 * engine reports the findings that depend on them as not evaluated instead of guessing.
 *
 * This module orders the resources and drives the build; the records are made by builder.ts, children are
 * placed by attach.ts, and evaluated values are settled into JSON by settle.ts.
 */
import type { InventoryApplication, InventoryService } from '../../inventory/types';
import { attach, fitSegments, place } from './attach';
import { APIM_SERVICE_TYPE, Builder, key, type BuildContext, type Container } from './builder';
import { isGraphApplicationType } from './scope';
import { markUnknown } from './settle';
import type { ResourceInstance, WalkGap } from './template';
import { SERVICE_COLLECTIONS } from '../../inventory/fields';
import { howToAdd, markNotCarried } from '../../inventory/collections';

export type { BuildContext } from './builder';

export interface BuiltInventory {
  services: InventoryService[];
  applications: InventoryApplication[];
}

const APIM_SERVICE = APIM_SERVICE_TYPE.toLowerCase();

const ORDER: Record<string, number> = { '': 0, workspaces: 0, apis: 1, products: 1 };

function rank(instance: ResourceInstance): number {
  const levels = apimLevels(instance.type);
  if (!levels) return 9;
  const inner = levels[0] === 'workspaces' ? levels.slice(1) : levels;
  return inner.length === 0 ? 0 : inner.length === 1 ? (ORDER[inner[0] ?? ''] ?? 2) : 3 + inner.length;
}

function apimLevels(type: string): string[] | undefined {
  const lower = type.toLowerCase();
  if (lower === APIM_SERVICE) return [];
  if (!lower.startsWith(`${APIM_SERVICE}/`)) return undefined;
  return lower.slice(APIM_SERVICE.length + 1).split('/');
}

export function buildInventory(
  instances: readonly ResourceInstance[],
  gaps: readonly WalkGap[],
  ctx: BuildContext,
): BuiltInventory {
  const builder = new Builder(ctx);
  const ordered = instances
    .map((instance, i) => ({ instance, i }))
    .sort((a, b) => rank(a.instance) - rank(b.instance) || a.i - b.i);
  for (const { instance } of ordered) {
    if (isGraphApplicationType(instance.type)) {
      builder.application(instance);
      continue;
    }
    const levels = apimLevels(instance.type);
    if (!levels) continue;
    const placement = place(builder, instance, levels, instance.segments);
    attach(builder, instance, placement);
  }
  for (const gap of gaps) markLoopGap(builder, gap);
  for (const container of builder.services.values()) {
    if (!container.declared) markUndeclaredService(container, ctx.file);
  }
  return {
    services: [...builder.services.values()].map((c) => c.record as InventoryService),
    applications: builder.applications,
  };
}

/**
 * A service the template only adds to (an `existing` resource, or children named under a service it does not
 * declare) is stated only in part: its global policy and every collection beyond what the template adds are
 * unknown, not empty (src/inventory/collections.ts).
 */
function markUndeclaredService(container: Container, file: string): void {
  const reason = `service '${container.record.name}' is not declared in ${file} (the template only adds to it), so its`;
  const origin = container.record.origin;
  if (!container.record.policy) {
    markNotCarried(origin, 'policy', `${reason} global policy is not known; ${howToAdd('policy', 'iac')}`);
  }
  for (const collection of SERVICE_COLLECTIONS) {
    const what = collection === 'apis' ? 'other APIs' : collection;
    markNotCarried(origin, collection, `${reason} ${what} are not known; ${howToAdd(collection, 'iac')}`);
  }
}

function markLoopGap(builder: Builder, gap: WalkGap): void {
  if (!gap.type || !gap.segments) return;
  const levels = apimLevels(gap.type);
  if (!levels || levels.length === 0) return;
  const service = builder.services.get(key(fitSegments(gap.segments, levels.length + 1)[0]));
  if (!service) return;
  const level = levels[0] ?? '';
  const collection = SERVICE_COLLECTIONS.find((c) => c.toLowerCase() === level) ?? level;
  markUnknown(service.record.origin, collection, gap.reason);
}
