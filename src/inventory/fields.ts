/**
 * Field lists of inventory records that several layers must agree on: what Graph is asked for, what merging
 * copies and compares, and what the model reads (so an unknown value there may change a finding).
 */
import type { GraphApplication, InventoryService } from './types';

/** The application properties the audit reads (every field of `GraphApplication`), in Graph's order. */
export const APPLICATION_FIELDS: readonly (keyof GraphApplication)[] = [
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
];

/** The child lists of an API Management service record (workspaces aside), in inventory order. */
export const SERVICE_COLLECTIONS = [
  'authorizationServers',
  'openidConnectProviders',
  'apis',
  'products',
  'policyFragments',
  'namedValues',
] as const satisfies readonly (keyof InventoryService)[];

export type ServiceCollection = (typeof SERVICE_COLLECTIONS)[number];

/** The service child lists other than `apis`: all of them but the one an API itself belongs to. */
export const SERVICE_COLLECTIONS_BESIDES_APIS = SERVICE_COLLECTIONS.filter((c) => c !== 'apis');
