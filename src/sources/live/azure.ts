/**
 * `--source azure:<id>`: API Management read from Azure Resource Manager with `ApiManagementClient`, for one
 * service, every service of a resource group, or every service of a subscription. Read-only: secrets
 * (`listSecrets`, `listValue`) are never requested, and secret values are dropped should ARM return any.
 */
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { AuditError } from '../../errors';
import type { Inventory, InventoryService, SourceGap } from '../../inventory/types';
import { coreHttpClient } from './adapters';
import { ApimCollector, type ArmJson } from './apim-collector';
import { drain, type RawResponse } from './apim-calls';
import { parseAzureScope, type AzureScope } from './azure-scope';
import { ensureToken } from './credentials';
import { describeFailure } from './failures';
import { openSession, type LiveSession } from './session';
import type { SourceContext } from '../types';
import { pushAll } from '../../util/lists';

/** The resource group of an ARM id. */
function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '';
}

/** `azure:<id>` -> the API Management services under it (loaded by `azureSource` in ./index.ts on first use). */
export async function loadAzure(location: string, spec: string, context: SourceContext): Promise<Inventory> {
  const scope = parseAzureScope(location, spec);
  const session = openSession(context, 'azure');
  try {
    const { settings, credential } = session;
    await ensureToken(credential, settings.cloud.resourceManagerScope, 'Azure Resource Manager');
    const client = new ApiManagementClient(credential.credential, scope.subscriptionId, {
      endpoint: settings.cloud.resourceManagerEndpoint,
      credentialScopes: [settings.cloud.resourceManagerScope],
      httpClient: coreHttpClient(session.transport),
      // The live transport retries (429 with Retry-After, 5xx, resets, timeouts) for every SDK alike.
      retryOptions: { maxRetries: 0 },
      userAgentOptions: { userAgentPrefix: 'apim-oauth-audit' },
    });
    const found = await findServices(client, scope, spec, session);
    const collector = new ApimCollector(client, spec, {
      includeAllRevisions: settings.includeAllRevisions,
      attempts: settings.maxRetries + 1,
      concurrency: settings.concurrency,
    });
    const services: InventoryService[] = found.services
      ? await Promise.all(
          found.services.map((json) => collector.service(json, resourceGroupOf(json.id ?? ''))),
        )
      : [];
    context.log(`azure: ${services.length} API Management service(s) under ${scope.id}`);
    return {
      sources: [{ spec, provides: { entra: false, apim: found.services !== undefined } }],
      applications: [],
      services: services.sort((a, b) => (a.id ?? '').localeCompare(b.id ?? '')),
      gaps: [...found.gaps, ...collector.gaps],
      files: {},
      cloud: settings.cloud.name,
    };
  } finally {
    session.close();
  }
}

/** The services of the scope as ARM returns them (with properties), or a gap when they cannot be listed. */
async function findServices(
  client: ApiManagementClient,
  scope: AzureScope,
  spec: string,
  session: LiveSession,
): Promise<{ services: ArmJson[] | undefined; gaps: SourceGap[] }> {
  const services: ArmJson[] = [];
  const collect = (raw: RawResponse) => {
    if (raw.status < 200 || raw.status >= 300) return;
    const body = JSON.parse(raw.bodyAsText ?? '{}') as ArmJson & { value?: ArmJson[] };
    if (scope.kind === 'service') services.push(body);
    else pushAll(services, body.value ?? []);
  };
  try {
    if (scope.kind === 'service') {
      await client.apiManagementService.get(scope.resourceGroup, scope.serviceName, { onResponse: collect });
    } else {
      const pages =
        scope.kind === 'resourceGroup'
          ? client.apiManagementService
              .listByResourceGroup(scope.resourceGroup, { onResponse: collect })
              .byPage()
          : client.apiManagementService.list({ onResponse: collect }).byPage();
      await drain(pages);
    }
    return { services, gaps: [] };
  } catch (error) {
    const failure = describeFailure(error, session.settings.maxRetries + 1);
    if (failure.status === 401 || failure.status === 403) {
      throw new AuditError(
        'credential-failed',
        `Azure Resource Manager refused to read ${scope.id} to ${session.credential.describe} (${failure.reason}): assign ${session.credential.identity} the role "API Management Service Reader Role" (or "Reader") on ${scope.id}${failure.status === 401 ? ', and check that the credential is in the tenant of the subscription (AZURE_TENANT_ID / live.tenantId)' : ''}.`,
      );
    }
    if (failure.status === 404) {
      throw new AuditError(
        'source-unreadable',
        `Source '${spec}': ${scope.id} was not found (${failure.reason}); check the id.`,
      );
    }
    return {
      services: undefined,
      gaps: [{ source: spec, what: `API Management services of ${scope.id}`, reason: failure.reason }],
    };
  }
}
