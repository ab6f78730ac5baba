/**
 * The shape of `.auditrc.json` once validated: what the config may say about sources, rules, links between the
 * two portals, suppressions and the live sources. Types only; loading lives in `file.ts`.
 */
import type { FailOn, SeverityLevel } from '../severity';

export type RuleConfigValue = SeverityLevel | { severity?: SeverityLevel; options?: Record<string, unknown> };

export interface AuditConfig {
  sources?: string[];
  failOn?: FailOn;
  failOnNotEvaluated?: string | string[];
  /** `recommended`, `all` or a dated set such as `2026-12` (src/registry/rule-sets.ts); absent: every rule on. */
  ruleSet?: string;
  rules?: Record<string, RuleConfigValue>;
  links?: CorrelationLink[];
  suppressions?: Suppression[];
  /** Longest a suppression may run, in days from now (default 365). */
  maxSuppressionDays?: number;
  plugins?: string[];
  live?: LiveSettings;
}

export interface Suppression {
  rule: string;
  resource: string;
  justification: string;
  expires?: string;
}

/** A config `links` entry: names an authorization server and the app registrations behind it. */
export interface CorrelationLink {
  authorizationServer: string;
  /** APIM service name, when several services have a server of that name. */
  service?: string;
  clientAppId?: string;
  backendAppId?: string;
}

/** Settings of the live sources (`graph`, `azure:<id>`), from `.auditrc.json` `live` and the environment. */
export interface LiveSettings {
  tenantId?: string;
  clientId?: string;
  /** A known cloud, or a custom one given by its three endpoints. */
  cloud?: 'AzurePublic' | 'AzureUSGovernment' | 'AzureChina' | CustomCloud;
  /** Parallel requests (default 8). */
  concurrency?: number;
  /** Per-request timeout in seconds (default 30). */
  timeoutSeconds?: number;
  /** Retries of throttled (429) and failed (5xx, reset) requests (default 4). */
  maxRetries?: number;
  /** Also collect non-current API revisions. */
  includeAllRevisions?: boolean;
}

export interface CustomCloud {
  authorityHost: string;
  graphEndpoint: string;
  resourceManagerEndpoint: string;
}
