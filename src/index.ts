/**
 * The library entry point (`require('apim-oauth-audit')`): run an audit programmatically, write custom rules
 * with the same contract as the built-in ones, format results with the bundled reporters, and diagnose why a token
 * gets a 401 (`diagnoseToken`, what the `token` command runs).
 */
export { abstainedFor, audit, failsAt, loadInventory, prepareAudit, runPreparedAudit } from './audit';
export type { AuditRequest, PreparedAudit, SnapshotOut } from './audit';
export { checked, defineRule, notEvaluated, violation } from '../rules/support/contract';
export { definePlugin, type Plugin, type PluginMeta } from './registry';
export type { AuditResult, Finding } from './engine/types';
export { baselineDocument, compareWithBaseline, parseBaseline, recordBaseline } from './engine/baseline';
export type { AppliedBaseline } from './engine/baseline';
export type { BaselineComparison, BaselineEntry, BaselineSource, BaselineState } from './engine/types';
export type {
  Checked,
  RuleContext,
  RuleDefinition,
  RuleMeta,
  RuleOutput,
  Violation,
} from '../rules/support/contract';
export type {
  CollectionEvidence,
  CollectionName,
  Evidence,
  EvidenceScope,
  ValueEvidence,
} from './model/types';
export type { Severity } from './severity';
export { unknownAt } from './model/unknown';
export { AuditError } from './errors';
export { EXIT } from './cli/exit-codes';
export type { Model } from './model/types';
export { effectivePolicies } from './policy/effective';
export { decodeInput, diagnoseToken, diagnosisToJson, formatDiagnosis, parseClaims } from './token';
export type { DecodedToken, TokenDiagnosis, TokenOutcome, TokenRequest } from './token';
export { parsePolicy } from './policy/parser';
export { reporters, REPORTER_NAMES } from '../reporters';
export type { ReporterName, ReporterOptions } from '../reporters';
export { BUILTIN_RULE_IDS, builtinRules } from '../rules';
export { RuleTester, RuleTesterError } from './testing/rule-tester';
export type {
  ExpectedError,
  ExpectedFix,
  InvalidTestCase,
  RuleTesterConfig,
  RuleTests,
  SnapshotInput,
  ValidTestCase,
} from './testing/rule-tester';
