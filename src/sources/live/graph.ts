/**
 * `--source graph`: app registrations read from Microsoft Graph (`/v1.0/applications`, only the properties the
 * audit needs). Alone it reads the whole tenant in pages of 999; after an APIM source it reads just the apps
 * APIM references (`$filter=appId in (...)`, 15 ids per filter, 20 filters per `$batch`) unless paging the
 * tenant takes fewer requests. Every app or page that cannot be read becomes a gap.
 */
import { AuthenticationHandler, Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { AuditError } from '../../errors';
import type { Inventory, InventoryApplication, SourceGap } from '../../inventory/types';
import { isGuid } from '../../entra/guid';
import { APPLICATION_FIELDS } from '../../inventory/fields';
import { graphTransportMiddleware } from './adapters';
import { ensureToken } from './credentials';
import { describeFailure, httpReason } from './failures';
import { openSession, type LiveSession } from './session';
import type { SourceContext } from '../types';
import { pushAll } from '../../util/lists';

/** What the audit reads of an application; `keyCredentials` is left out (key material, and throttled). */
export const APPLICATION_SELECT = APPLICATION_FIELDS.filter((field) => field !== 'keyCredentials');

/** Graph limits: `in` takes 15 values by default, a `$batch` 20 requests, a page 999 objects. */
export const FILTER_VALUES = 15;
export const BATCH_SIZE = 20;
export const PAGE_SIZE = 999;

interface GraphPage {
  value?: Record<string, unknown>[];
  '@odata.nextLink'?: string;
}

interface Collected {
  apps: Record<string, unknown>[];
  gaps: SourceGap[];
  /** False when nothing could be read: the Entra side is then not provided at all. */
  read: boolean;
}

/** `graph[:<tenant>]` -> the tenant's app registrations (loaded by `graphSource` in ./index.ts on first use). */
export async function loadGraph(location: string, spec: string, context: SourceContext): Promise<Inventory> {
  const session = openSession(context, 'graph', location ? { tenantId: location } : {});
  try {
    const referenced = context.referencedAppIds?.map((id) => id.toLowerCase());
    const collected =
      referenced?.length === 0
        ? { apps: [], gaps: [], read: true }
        : await collect(session, spec, referenced, context);
    // The tenant the token was issued in (its `tid`); without a request, the configured tenant id.
    const configured = session.settings.tenantId ?? context.env['AZURE_TENANT_ID'];
    const tenantId = session.credential.tenant() ?? (isGuid(configured) ? configured : undefined);
    const inventory: Inventory = {
      sources: [{ spec, provides: { entra: collected.read, apim: false } }],
      applications: collected.apps
        .map(toInventoryApplication)
        .sort((a, b) => (a.appId ?? '').localeCompare(b.appId ?? '')),
      services: [],
      gaps: collected.gaps,
      files: {},
      cloud: session.settings.cloud.name,
    };
    if (tenantId) inventory.tenantId = tenantId;
    return inventory;
  } finally {
    session.close();
  }
}

async function collect(
  session: LiveSession,
  spec: string,
  referenced: string[] | undefined,
  context: SourceContext,
): Promise<Collected> {
  const { settings, credential } = session;
  await ensureToken(credential, settings.cloud.graphScope, 'Microsoft Graph');
  const client = Client.initWithMiddleware({
    baseUrl: settings.cloud.graphEndpoint,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(settings.cloud.graphEndpoint).hostname]),
    middleware: [
      new AuthenticationHandler(
        new TokenCredentialAuthenticationProvider(credential.credential, {
          scopes: [settings.cloud.graphScope],
        }),
      ),
      graphTransportMiddleware(session.transport),
    ],
  });
  const reader = new GraphReader(client, session, spec);
  if (!referenced) return reader.wholeTenant(undefined);
  const plan = await reader.cheaperPlan(referenced.length);
  context.log(
    `graph: ${referenced.length} referenced apps; reading ${plan === 'byAppId' ? 'them by appId' : 'the whole tenant'}`,
  );
  return plan === 'byAppId' ? reader.byAppId(referenced) : reader.wholeTenant(new Set(referenced));
}

/** Requests needed to fetch `n` apps by appId: one GET for one filter, else `$batch`es of 20 filters. */
export function byAppIdRequests(n: number): number {
  const filters = Math.ceil(n / FILTER_VALUES);
  return filters <= 1 ? filters : Math.ceil(filters / BATCH_SIZE);
}

class GraphReader {
  constructor(
    private readonly client: Client,
    private readonly session: LiveSession,
    private readonly spec: string,
  ) {}

  private get attempts(): number {
    return this.session.settings.maxRetries + 1;
  }

  /** `byAppId` unless paging the tenant (size from `$count`) takes fewer requests. */
  async cheaperPlan(referenced: number): Promise<'byAppId' | 'tenant'> {
    const byId = byAppIdRequests(referenced);
    if (byId <= 1) return 'byAppId';
    try {
      const count = Number(
        await this.client.api('/applications/$count').header('ConsistencyLevel', 'eventual').get(),
      );
      // The count request itself is one more; paging wins only when strictly cheaper.
      return Number.isFinite(count) && Math.max(1, Math.ceil(count / PAGE_SIZE)) < byId
        ? 'tenant'
        : 'byAppId';
    } catch {
      return 'byAppId';
    }
  }

  /** Every application, paged; `keep` restricts the result to those appIds. */
  async wholeTenant(keep: Set<string> | undefined): Promise<Collected> {
    const apps: Record<string, unknown>[] = [];
    let page: GraphPage;
    try {
      page = (await this.client
        .api('/applications')
        .select(APPLICATION_SELECT)
        .top(PAGE_SIZE)
        .get()) as GraphPage;
    } catch (error) {
      return this.firstRequestFailed(error, '/applications', 'all');
    }
    for (let pages = 1; ; pages++) {
      for (const app of page.value ?? []) {
        if (!keep || keep.has(String(app['appId']).toLowerCase())) apps.push(app);
      }
      const next = page['@odata.nextLink'];
      if (!next) return { apps, gaps: [], read: true };
      try {
        page = (await this.client.api(next).get()) as GraphPage;
      } catch (error) {
        const { reason } = describeFailure(error, this.attempts);
        const what = `/applications (page ${pages + 1} and after; ${apps.length} applications read)`;
        return { apps, gaps: [this.gap(what, reason, 'all')], read: true };
      }
    }
  }

  /** The referenced apps, 15 per filter; several filters go in `$batch` requests of 20. */
  async byAppId(ids: string[]): Promise<Collected> {
    const filters: string[][] = [];
    for (let i = 0; i < ids.length; i += FILTER_VALUES) filters.push(ids.slice(i, i + FILTER_VALUES));
    const url = (chunk: string[]) =>
      `/applications?$filter=${encodeURIComponent(`appId in (${chunk.map((id) => `'${id}'`).join(',')})`)}&$select=${APPLICATION_SELECT.join(',')}`;
    if (filters.length === 1) {
      const chunk = filters[0] ?? [];
      const apps: Record<string, unknown>[] = [];
      try {
        // At most 15 apps: one page, unless Graph pages smaller than it documents.
        for (let next: string | undefined = url(chunk); next;) {
          const page = (await this.client.api(next).get()) as GraphPage;
          pushAll(apps, page.value ?? []);
          next = page['@odata.nextLink'];
        }
        return { apps, gaps: [], read: true };
      } catch (error) {
        if (apps.length === 0) return this.firstRequestFailed(error, describeIds(chunk), chunk);
        const reason = describeFailure(error, this.attempts).reason;
        return { apps, gaps: [this.gap(describeIds(chunk), reason, chunk)], read: true };
      }
    }
    const batches: string[][][] = [];
    for (let i = 0; i < filters.length; i += BATCH_SIZE) batches.push(filters.slice(i, i + BATCH_SIZE));
    const results = await Promise.all(
      batches.map((batch) => this.batch(batch.map((chunk) => ({ chunk, url: url(chunk) })))),
    );
    return {
      apps: results.flatMap((r) => r.apps),
      gaps: results.flatMap((r) => r.gaps),
      read: results.some((r) => r.read),
    };
  }

  /** One `$batch`; inner 429/5xx are sent again (Graph does not retry inside a batch). */
  private async batch(requests: { chunk: string[]; url: string }[]): Promise<Collected> {
    const apps: Record<string, unknown>[] = [];
    const gaps: SourceGap[] = [];
    let pending = requests.map((r, i) => ({ ...r, id: String(i + 1) }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      let responses: {
        id?: string;
        status?: number;
        headers?: Record<string, string>;
        body?: GraphPage & { error?: { code?: string } };
      }[];
      try {
        const reply = (await this.client.api('/$batch').post({
          requests: pending.map((r) => ({ id: r.id, method: 'GET', url: r.url })),
        })) as { responses?: typeof responses };
        responses = reply.responses ?? [];
      } catch (error) {
        const failure = describeFailure(error, this.attempts);
        if (failure.status === 403) throw permissionError(this.session, failure.reason);
        for (const r of pending) gaps.push(this.gap(describeIds(r.chunk), failure.reason, r.chunk));
        return { apps, gaps, read: apps.length > 0 };
      }
      const retry: typeof pending = [];
      let wait = 0;
      for (const r of pending) {
        const response = responses.find((x) => x.id === r.id);
        const status = response?.status ?? 0;
        if (status >= 200 && status < 300) {
          pushAll(apps, response?.body?.value ?? []);
        } else if (
          (status === 429 || status >= 500 || status === 0) &&
          attempt < this.session.settings.maxRetries
        ) {
          retry.push(r);
          const after = Number(response?.headers?.['Retry-After'] ?? response?.headers?.['retry-after']);
          wait = Math.max(
            wait,
            Number.isFinite(after) ? after * 1000 : this.session.settings.retryBaseMs * 2 ** attempt,
          );
        } else {
          const reason =
            status === 0
              ? 'no response for it in the batch'
              : httpReason(status, response?.body?.error?.code, attempt + 1);
          gaps.push(this.gap(describeIds(r.chunk), reason, r.chunk));
        }
      }
      if (retry.length > 0) {
        this.session.transport.stats.retries += retry.length;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      pending = retry;
    }
    return { apps, gaps, read: true };
  }

  /** The first request decides: a 403 is a missing permission (exit 2), anything else a gap. */
  private firstRequestFailed(error: unknown, what: string, applications: 'all' | string[]): Collected {
    const failure = describeFailure(error, this.attempts);
    if (failure.status === 403 || failure.status === 401) throw permissionError(this.session, failure.reason);
    return { apps: [], gaps: [this.gap(what, failure.reason, applications)], read: false };
  }

  /** A gap naming the app registrations it may hide, so the model marks what depends on them unknown. */
  private gap(what: string, reason: string, applications: 'all' | string[]): SourceGap {
    return { source: this.spec, what, reason, applications };
  }
}

function describeIds(chunk: string[]): string {
  return `applications with appId ${chunk.join(', ')}`;
}

function permissionError(session: LiveSession, reason: string): AuditError {
  return new AuditError(
    'credential-failed',
    `Microsoft Graph refused to list app registrations to ${session.credential.describe} (${reason}): grant ${session.credential.identity} the Microsoft Graph permission Application.Read.All (application permission with admin consent, or delegated).`,
  );
}

function toInventoryApplication(raw: Record<string, unknown>): InventoryApplication {
  const app: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!key.startsWith('@odata.')) app[key] = value;
  // Graph returns secretText as null after creation; drop it anyway so that no secret can ever be kept.
  if (Array.isArray(app['passwordCredentials'])) {
    app['passwordCredentials'] = (app['passwordCredentials'] as Record<string, unknown>[]).map(
      (credential) => {
        const rest = { ...credential };
        delete rest['secretText'];
        return rest;
      },
    );
  }
  const id = typeof app['id'] === 'string' ? app['id'] : undefined;
  return { ...(app as Omit<InventoryApplication, 'origin'>), origin: id ? { graphObjectId: id } : {} };
}
