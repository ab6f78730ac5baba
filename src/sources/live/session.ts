/**
 * One live collection: resolved settings, the transport (limits, retries, log) and the credential.
 */
import type { SourceContext } from '../types';
import { createCredential, type LiveCredential } from './credentials';
import { resolveLiveSettings, type ResolvedLiveSettings } from './settings';
import { LiveTransport } from './transport';

export interface LiveSession {
  settings: ResolvedLiveSettings;
  transport: LiveTransport;
  credential: LiveCredential;
  close(): void;
}

export function openSession(
  context: SourceContext,
  label: string,
  overrides: { tenantId?: string } = {},
): LiveSession {
  const resolved = resolveLiveSettings(context.live, context.env, context.cwd);
  const settings: ResolvedLiveSettings = overrides.tenantId
    ? { ...resolved, tenantId: overrides.tenantId }
    : resolved;
  const transport = new LiveTransport(
    settings,
    (message) => context.log(`${label}: ${message}`),
    (done, total) => context.progress(done, total, `${label}: requests`),
  );
  const credential = createCredential(settings, context.env, transport);
  return { settings, transport, credential, close: () => transport.close() };
}
