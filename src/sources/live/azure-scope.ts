/**
 * `azure:<id>`: an APIM service resource id, a resource group id or a subscription id (with or without the
 * `/subscriptions/` prefix).
 */
import { AuditError } from '../../errors';

export type AzureScope =
  | { kind: 'subscription'; subscriptionId: string; id: string }
  | { kind: 'resourceGroup'; subscriptionId: string; resourceGroup: string; id: string }
  | { kind: 'service'; subscriptionId: string; resourceGroup: string; serviceName: string; id: string };

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SUBSCRIPTION = new RegExp(`^/?subscriptions/(${GUID})$`, 'i');
const BARE_SUBSCRIPTION = new RegExp(`^(${GUID})$`);
const RESOURCE_GROUP = new RegExp(`^/?subscriptions/(${GUID})/resourceGroups/([^/]+)$`, 'i');
const SERVICE = new RegExp(
  `^/?subscriptions/(${GUID})/resourceGroups/([^/]+)/providers/Microsoft\\.ApiManagement/service/([^/]+)$`,
  'i',
);

export function parseAzureScope(location: string, spec: string): AzureScope {
  const text = location.trim().replace(/\/+$/, '');
  let m = SERVICE.exec(text);
  if (m?.[1] && m[2] && m[3]) {
    return {
      kind: 'service',
      subscriptionId: m[1],
      resourceGroup: m[2],
      serviceName: m[3],
      id: `/subscriptions/${m[1]}/resourceGroups/${m[2]}/providers/Microsoft.ApiManagement/service/${m[3]}`,
    };
  }
  m = RESOURCE_GROUP.exec(text);
  if (m?.[1] && m[2])
    return {
      kind: 'resourceGroup',
      subscriptionId: m[1],
      resourceGroup: m[2],
      id: `/subscriptions/${m[1]}/resourceGroups/${m[2]}`,
    };
  m = SUBSCRIPTION.exec(text) ?? BARE_SUBSCRIPTION.exec(text);
  if (m?.[1]) return { kind: 'subscription', subscriptionId: m[1], id: `/subscriptions/${m[1]}` };
  throw new AuditError(
    'usage',
    `Source '${spec}': azure:<id> takes an API Management service resource id (/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<name>), a resource group id (/subscriptions/<guid>/resourceGroups/<rg>) or a subscription id (<guid>).`,
  );
}
