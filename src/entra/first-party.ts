/**
 * First-party Microsoft applications the audit recognises by appId or resource URI.
 */
import { appIdInResource, sameResource } from './endpoints';

/** Microsoft Graph's appId, the same in every cloud. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Microsoft Graph's resource URI in each national cloud (public, US Gov L4, US Gov L5 (DoD), China). */
export const GRAPH_RESOURCES: readonly string[] = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
];

/**
 * Whether a scope entry names Microsoft Graph as its resource, by appId or by any cloud's Graph URI. (A bare
 * scope also ends up at Graph, but names no resource.)
 */
export function targetsMicrosoftGraph(resource: string | undefined): boolean {
  if (resource === undefined) return false;
  return appIdInResource(resource) === GRAPH_APP_ID || GRAPH_RESOURCES.some((g) => sameResource(g, resource));
}
