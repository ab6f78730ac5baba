/**
 * Absent is not empty: which child collections of a record a source carries.
 *
 * A source states the collections it reads in full (a snapshot and a live `azure:` read carry every collection they
 * list). A collection it does not carry (APIOps extracts no authorization servers and no OpenID Connect providers;
 * an ARM template or a Terraform plan that only adds to a service declared elsewhere states none of its global
 * policy, products, servers...) is *unknown*, not empty: the source marks it on the record as an unknown value under
 * the collection's name, `Origin.unknown[<collection>]` = why, and how to add the data. One named entry of a
 * collection is then in one of three states (see `Lookup` in src/model/types.ts): present (listed), known absent
 * (the collection is carried and does not list it), or unknown (the collection is not carried).
 *
 * Merging a source that carries the collection makes it known (src/inventory/merge.ts).
 */
import type { Origin } from './types';
import type { ServiceCollection } from './fields';

/**
 * The child lists (and the policy, a list of at most one) a source may leave uncarried: the service's
 * collections, its global `policy` and `workspaces`; a workspace's lists; an API's `operations`; a product's `apis`.
 */
export type CarriedCollection = ServiceCollection | 'policy' | 'workspaces' | 'operations';

/** Marks `collection` of a record as not carried by its source (the first reason given is kept). */
export function markNotCarried(origin: Origin, collection: CarriedCollection, reason: string): void {
  origin.unknown ??= {};
  origin.unknown[collection] ??= reason;
}

/** Why a record's source does not carry `collection`; undefined when it does (the list is complete). */
export function notCarried(origin: Origin, collection: CarriedCollection): string | undefined {
  return origin.unknown?.[collection];
}

/**
 * The kept record's origin after merging a record of another source that describes the same entity: each of
 * `collections` the other source carries is known from then on (its entries were merged into the kept list, or the
 * kept policy taken from it). Returns a new origin when something changed; origins are shared with the sources'
 * inventories and never modified.
 */
export function carriedAfterMerge(
  kept: Origin,
  other: Origin,
  collections: readonly CarriedCollection[],
): Origin {
  const unknown = kept.unknown;
  if (!unknown) return kept;
  const settled = collections.filter((c) => unknown[c] !== undefined && notCarried(other, c) === undefined);
  if (settled.length === 0) return kept;
  const rest = Object.fromEntries(
    Object.entries(unknown).filter(([path]) => !(settled as string[]).includes(path)),
  );
  const origin: Origin = { ...kept, unknown: rest };
  if (Object.keys(rest).length === 0) delete origin.unknown;
  return origin;
}

/** How to add an API Management service's collection to the data, in words a not-evaluated reason can carry. */
export function howToAdd(collection: CarriedCollection, from: 'apiops' | 'iac'): string {
  const azure = '--source azure:<the service resource id>';
  switch (collection) {
    case 'authorizationServers':
      return from === 'apiops'
        ? `add them with ${azure}, a hand-written authorizationServers/<name>/authorizationServerInformation.json in the artifact folder, or a "links" entry in the config that names the server`
        : `add the service's own source (${azure}, a snapshot, or the template or plan that declares the service), or a "links" entry in the config that names the server`;
    case 'openidConnectProviders':
      return from === 'apiops'
        ? `add them with ${azure} or a snapshot that lists them`
        : `add the service's own source (${azure}, a snapshot, or the template or plan that declares the service)`;
    default:
      return `add the service's own source (${azure}, a snapshot, or the template or plan that declares the service)`;
  }
}
