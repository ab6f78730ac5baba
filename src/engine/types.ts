/**
 * What the engine produces: findings, not-evaluated records and the audit result reporters format.
 */
import type { Suppression } from '../config/types';
import type { ResourceKind } from '../model/types';
import type { FailOn, Severity, SeverityLevel } from '../severity';
import type { FixValue, RuleMeta } from '../../rules/support/contract';
import type { PolicyChainsView } from './policy-chain-types';

export interface ResourceRef {
  kind: ResourceKind;
  id: string;
  name: string;
}

export interface Location {
  /** File path relative to the working directory, `/` separators. */
  file?: string;
  line?: number;
  column?: number;
}

export interface LogicalLocation {
  /** Azure resource id or Graph object path (`/applications/<objectId>`), else the synthesized id. */
  fullyQualifiedName: string;
  kind: ResourceKind;
  name: string;
}

/**
 * An edit the tool can make to a file, resolved from a rule's `FixHint` (src/engine/fix.ts) and turned into exact
 * text replacements when a fix is applied or written to SARIF (src/fixes/). Paths are `Location.file` paths.
 */
export type FixEdit =
  /** Set (or remove) the JSON property at `path` (jsonc-parser segments), keeping the file's formatting. */
  | { kind: 'json'; file: string; path: (string | number)[]; value?: FixValue; remove?: true }
  /** Replace [start, end) of the decoded string value at `path` (a policy inside a JSON string) by `text`. */
  | { kind: 'jsonString'; file: string; path: (string | number)[]; start: number; end: number; text: string }
  /**
   * Replace [start, end) of the file's text (without BOM) by `text`: a policy XML file, or (with `literalOnly`) a
   * `.tf` attribute's expression, replaced only while it is a literal.
   */
  | {
      kind: 'text';
      file: string;
      start: number;
      end: number;
      text: string;
      literalOnly?: true;
      /** For a list literal: its items, so that a list written one item per line keeps that layout. */
      items?: string[];
    };

export interface FindingFix {
  /** The step, for this finding's source: the rule's words, then where (file and property, Terraform attribute, portal). */
  text: string;
  /** For live data: the command that makes the change. Printed, never run. */
  command?: string;
  /** The edit the tool can apply; absent for live data and for values the tool cannot know. */
  edit?: FixEdit;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** One line (at most 200 characters): subject, actual value, expected value. */
  message: string;
  /** Why it fails at runtime, naming the error users see. */
  detail?: string;
  fix?: FindingFix;
  resource: ResourceRef;
  location: Location;
  logicalLocation: LogicalLocation;
  /** Stable across runs and unrelated edits: rule + resource + key, never line numbers. */
  fingerprint: string;
  /** Present when a suppression in the config matched this finding. */
  suppressed?: { justification: string; expires?: string };
  /**
   * Present when the run compared with a baseline (`scan --baseline`): `unchanged` when the baseline records this
   * fingerprint (the finding does not fail the gate), else `new`.
   */
  baseline?: BaselineState;
}

export type BaselineState = 'new' | 'unchanged';

/**
 * What a rule could not judge, and why: one record per (rule, reason, entity kind), listing the entities
 * (src/engine/not-evaluated.ts groups them). A record without `kind` is about the rule as a whole.
 */
export interface NotEvaluatedRecord {
  ruleId: string;
  reason: string;
  /** The kind of the entities listed; absent when the record is about the rule as a whole. */
  kind?: ResourceKind;
  /** The entities not judged for this reason, sorted by name; empty for the rule as a whole. */
  resources: ResourceRef[];
}

/** The rules that abstained, by id (sorted). */
export interface NotEvaluatedSummary {
  /** Not run at all: the audit has no data for a side they require. */
  notRun: string[];
  /** Run, but not evaluated on some entities or parts (an unknown value, an app not in the data, ...). */
  partly: string[];
  /** The security rules (`isSecurityRule`) among `notRun` and `partly`: every report names them. */
  security: string[];
}

export interface RuleCrash {
  ruleId: string;
  message: string;
  stack?: string;
}

/** A rule as the audit ran it. Its docs are not part of the result: the caller hands them to the reporter. */
export interface RuleDescriptor {
  id: string;
  meta: RuleMeta;
  /** Effective severity from config, or `off`. */
  level: SeverityLevel;
}

export interface AuditSummary {
  error: number;
  warning: number;
  note: number;
  suppressed: number;
  /** Not-evaluated records (one per rule, reason and entity kind). */
  notEvaluated: number;
  /** The rules behind those records. */
  rulesNotEvaluated: NotEvaluatedSummary;
  crashed: number;
  gaps: number;
}

/** Every list is in report order (src/engine/order.ts); reporters show it as given. */
export interface AuditResult {
  findings: Finding[];
  notEvaluated: NotEvaluatedRecord[];
  crashes: RuleCrash[];
  gaps: { source: string; what: string; reason: string }[];
  /** Suppressions whose `expires` date has passed: they no longer suppress anything. */
  expiredSuppressions: Suppression[];
  rules: RuleDescriptor[];
  /** False when a source could not be read fully or a rule crashed: the report is not clean evidence. */
  complete: boolean;
  summary: AuditSummary;
  /** The sources as given (`snapshot:tenant.json`, `graph`, a bare path), each once, sorted; for the report header. */
  sources: string[];
  /** What the configuration in effect does to the gate; stated in every report format. */
  configuration?: GateConfiguration;
  /** The comparison with a baseline (`scan --baseline`); absent when the run had none. */
  baseline?: BaselineComparison;
  /** The effective policies behind the policy findings, when the caller asked (`AuditRequest.policyChains`). */
  policyChains?: PolicyChainsView;
}

/** One finding recorded in a baseline file (schemas/baseline.schema.json). */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  /** As recorded: `kind` is a string, not a ResourceKind, because the file may come from another version or hand. */
  resource: { kind: string; name: string; id: string };
  message: string;
  /** The day (UTC, `YYYY-MM-DD`) the finding was first recorded. */
  firstRecorded: string;
}

/** Where a baseline came from: stated in every report, because it decides which findings fail the gate. */
export interface BaselineSource {
  /** The file as the user named it (relative to the working directory when inside it). */
  file: string;
  /**
   * True when the file (or its real path) lies in the working tree: whoever wrote the tree (a pull request) wrote it,
   * and may have added its own findings to it.
   */
  inWorkingTree: boolean;
  /** How many findings it records. */
  entries: number;
}

/** What a baseline did to this run (src/engine/baseline/compare.ts). */
export interface BaselineComparison extends BaselineSource {
  /** Findings not in the baseline and not suppressed: the ones that fail the gate. */
  new: number;
  /** Findings in the baseline and not suppressed: reported, never failing the gate. */
  unchanged: number;
  /** Entries of the baseline no finding of this run matches although their rule ran (fixed), in entry order. */
  absent: BaselineEntry[];
  /**
   * Entries of rules this run did not evaluate (off, not run for lack of data, crashed, or unknown to it): neither
   * found nor fixed.
   */
  notChecked: number;
  /** Entries recorded more than `maxAgeDays` ago (the ones still found), and the oldest of them. */
  stale: { maxAgeDays: number; count: number; oldest?: { firstRecorded: string; days: number } };
}

/** Whatever weakens the gate, so that no report hides it (issue 10, trust model). */
export interface GateConfiguration {
  /** The config file in effect (as shown to the user), or null when the defaults apply. */
  file: string | null;
  /** The effective `failOn` (config or --fail-on); `none` never fails the run. */
  failOn: FailOn;
  suppressions: {
    count: number;
    /** Suppressions with `*` as the rule or in the resource selector. */
    wildcard: Suppression[];
  };
  /** Rules turned off (config or --rule), sorted. */
  rulesOff: string[];
  /** Rules whose level was set below their default, sorted by rule id. */
  lowered: { ruleId: string; from: Severity; to: Severity }[];
  /** The baseline the run compared with (`scan --baseline`): its findings do not fail the gate. */
  baseline?: BaselineSource;
  /** The rule set in effect (`ruleSet` / `--rule-set`), absent when none was chosen (every rule on). */
  ruleSet?: {
    name: string;
    /** Built-in rules the set leaves off (nothing turned them on), sorted. */
    outside: string[];
  };
  /** `--tag`: the tags given and every rule without one of them, not run; sorted. */
  tags?: {
    tags: string[];
    notRun: string[];
  };
  /** `--only`: the rules it named (run, whatever the config or rule set said) and every other rule, not run; sorted. */
  only?: {
    rules: string[];
    notRun: string[];
  };
}
