/**
 * The effective-policy chains of the operations that policy findings point at, as a report shows them: plain,
 * bounded, serialisable data (no model objects), every string redacted of the secrets the data holds. The audit
 * computes it when a report asks (`scan --format html`, src/engine/policy-chains.ts); reporters only format it.
 */

/** A `Location` (./types.ts, which imports this file): file relative to the working directory, 1-based line and column. */
export interface ChainLocation {
  file?: string;
  line?: number;
  column?: number;
}

/** What a path's inbound does with the access token, as `api-validate-jwt` judges it (rules/support/validation-verdict.ts). */
export type ChainValidation = 'validated' | 'conditional' | 'lost' | 'none' | 'unknown';

/**
 * How a line of a policy outline is highlighted: `lost` the inbound without `<base />` that drops a broader token
 * validation, `drops` one that drops other broader statements (IP filter, rate limit, ...); `dropped` a validation that does not run on the path; `conditional` one that runs only in a branch;
 * `runs` one that runs on every request.
 */
export type ChainMark = 'lost' | 'drops' | 'dropped' | 'conditional' | 'runs';

export interface ChainLine {
  /** Nesting below the section element (the `<inbound>` line is depth 0). */
  depth: number;
  /** `<validate-jwt header-name="Authorization">`, or a text value: rebuilt from the parsed policy, redacted and cut. */
  text: string;
  location?: ChainLocation;
  mark?: ChainMark;
  /** Why the line is marked, in words. */
  note?: string;
  /** A finding of this chain points at this line (its file and line). */
  finding?: boolean;
}

export type ChainScopeName = 'global' | 'workspace' | 'product' | 'api' | 'operation';

export interface ChainScope {
  scope: ChainScopeName;
  /** The owner's name: service, workspace, product, API or `api/operation`. */
  name: string;
  /** `none`: no policy at this scope in the data; `unreadable`: a link or text that could not be read. */
  state: 'policy' | 'none' | 'unreadable';
  /** Why an unreadable policy could not be read. */
  reason?: string;
  location?: ChainLocation;
  /** The policy's inbound section, outlined (empty when it has none: then it changes nothing). */
  inbound: ChainLine[];
  /** Outline lines left out (MAX_LINES). */
  omittedLines: number;
}

/** One statement the gateway runs in inbound on the path, in order, with the scope it comes from. */
export interface ChainStatement {
  /** `validate-jwt`, `set-header`, ... */
  element: string;
  /** `the API policy of 'colors-api'`, `policy fragment 'jwt' (included by ...)`. */
  source: string;
  /** The `<when>` conditions it runs under (`otherwise` for an `<otherwise>` branch), outermost first. */
  conditions: string[];
  mark?: ChainMark;
}

export interface ChainPath {
  /** `calls with a subscription to product 'gold'`. */
  description: string;
  validation: ChainValidation;
  /** One sentence on the validation, naming the policy that lost it when one did. */
  summary: string;
  /** Global, workspace, product, API, operation: the scopes that exist on this path, broadest first. */
  scopes: ChainScope[];
  /** The effective inbound, top-level statements in order. */
  effective: ChainStatement[];
  omittedStatements: number;
}

export interface PolicyChain {
  /** The API the operations belong to. */
  api: string;
  /** Operations sharing this chain (`colors-api/get-random-color`), at most MAX_NAMES. */
  operations: string[];
  operationCount: number;
  /** Fingerprints of the findings pointing at these operations, their API, product, workspace or service. */
  findings: string[];
  paths: ChainPath[];
  omittedPaths: number;
}

export interface PolicyChainsView {
  /** One chain per group of operations with the same policies, in the order findings first point at them. */
  chains: PolicyChain[];
  /** Chains left out (MAX_CHAINS), and the operations in them. */
  omittedChains: number;
  omittedOperations: number;
}
