/**
 * What the configuration says about rules, checked against the registry (built-ins and plugins) before any source
 * is read: each rule's level and options, the rule set, `--rule` ids, `--tag`, `failOn` and `failOnNotEvaluated`.
 * Every problem is collected, and all are reported together in one error (exit 2), each located by its config key
 * or option, unknown names with a "did you mean".
 */
import type { AuditConfig } from '../config/types';
import { DEFAULT_CONFIG_FILE, keyPath } from '../config/file';
import { escapePointerToken } from '../json/positions';
import { newAjv } from '../json/schema';
import { AuditError } from '../errors';
import { DEFAULT_FAIL_ON, type FailOn, type SeverityLevel } from '../severity';
import type { RuleSetting } from '../engine/run';
import type { AnyRule } from '../../rules/support/contract';
import { builtinRules } from '../../rules';
import type { Registry } from './builtin';
import { suggestion, unknownRuleMessage } from './did-you-mean';
import { inRuleSet, resolveRuleSet, type RuleSetName } from './rule-sets';

/** What `failOnNotEvaluated` / `--fail-on-not-evaluated` may name besides rule ids. */
export const NOT_EVALUATED_SELECTORS = ['all', 'security', 'none'] as const;

/** The settings of one audit that come from the command line (each replaces the config's, where it has one). */
export interface SettingsRequest {
  /** The config file as shown in messages (`.auditrc.json` when none). */
  shown?: string;
  /** `--rule id=level`: wins over the config's `rules`. */
  ruleOverrides?: Readonly<Record<string, SeverityLevel>>;
  /** `--tag`: only rules carrying one of these tags run. */
  tags?: readonly string[];
  /**
   * `--only`: exactly these rules run, each at its configured level or, when the config or the rule set turns it
   * off, at its default level (naming a rule is the most explicit choice there is). Not with `--tag`, and not with
   * `--rule <id>=off` for a rule it names.
   */
  only?: readonly string[];
  /** `--fail-on`: replaces the config's `failOn`. */
  failOn?: FailOn;
  /** `--fail-on-not-evaluated`: replaces the config's `failOnNotEvaluated`. */
  failOnNotEvaluated?: readonly string[];
  /** `--rule-set`: replaces the config's `ruleSet`. */
  ruleSet?: string;
}

/** The rules an audit runs and everything the gate needs, resolved once. */
export interface AuditSettings {
  /** The registry's rules, narrowed by `--tag` or `--only`. */
  rules: AnyRule[];
  /** Level and validated, defaulted options for every rule of the registry. */
  settings: Record<string, RuleSetting>;
  /** `--fail-on`, else the config's `failOn`, else `error`: decided here and nowhere else. */
  failOn: FailOn;
  /** Rule ids, `security` and `all`: the gate fails when one of them is not (fully) evaluated. Empty: off. */
  failOnNotEvaluated: string[];
  /** The rule set in effect; absent when neither `--rule-set` nor the config names one (every rule on). */
  ruleSet?: RuleSetName;
  /** `--only`: the rules named, in registry order; absent without `--only`. */
  only?: string[];
  /** `--tag`: the tags given; absent without `--tag`. */
  tags?: string[];
}

interface Collected<T> {
  value: T;
  problems: string[];
}

const BUILTIN_RULES = new Set<AnyRule>(Object.values(builtinRules));

/** Options merged over the rule's defaults and checked against its schema. */
function ruleOptions(
  rule: AnyRule,
  given: Record<string, unknown>,
  shown: string,
): Collected<Record<string, unknown>> {
  const options = structuredClone({ ...(rule.options?.defaults ?? {}), ...given }) as Record<string, unknown>;
  const problems: string[] = [];
  if (!rule.options) {
    if (Object.keys(given).length > 0)
      problems.push(`${shown}: rules.${rule.id}.options: this rule takes no options`);
    return { value: options, problems };
  }
  // A built-in rule's defaults are valid (test/registry/rule-option-defaults.test.ts): with nothing given there is
  // nothing to check, and no schema to compile (ajv's compiler is the largest part of a start otherwise).
  if (BUILTIN_RULES.has(rule) && Object.keys(given).length === 0) return { value: options, problems };
  const validate = newAjv().compile(rule.options.schema);
  if (!validate(options)) {
    for (const e of validate.errors ?? []) {
      const at = keyPath(`/rules/${escapePointerToken(rule.id)}/options${e.instancePath}`);
      const extra =
        e.keyword === 'additionalProperties'
          ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'`
          : '';
      problems.push(`${shown}: ${at}: ${e.message ?? e.keyword}${extra}`);
    }
  }
  return { value: options, problems };
}

function collectRuleSettings(
  rules: readonly AnyRule[],
  config: AuditConfig,
  overrides: Readonly<Record<string, SeverityLevel>>,
  shown: string,
  ruleSet: RuleSetName | undefined,
  only: ReadonlySet<string> = new Set(),
): Collected<Record<string, RuleSetting>> {
  const known = rules.map((r) => r.id);
  const problems: string[] = [];
  for (const id of Object.keys(config.rules ?? {})) {
    if (!known.includes(id)) problems.push(`${shown}: rules.${id}: ${unknownRuleMessage(id, known)}`);
  }
  for (const id of Object.keys(overrides)) {
    if (!known.includes(id)) problems.push(`--rule ${id}: ${unknownRuleMessage(id, known)}`);
  }
  const settings: Record<string, RuleSetting> = {};
  for (const rule of rules) {
    const configured = config.rules?.[rule.id];
    const fromConfig = typeof configured === 'string' ? configured : configured?.severity;
    // A rule outside the rule set is off unless the config or --rule gives it a level; one that --only names runs,
    // at its default level when the config or the set would turn it off.
    const level = only.has(rule.id)
      ? (overrides[rule.id] ?? (fromConfig === 'off' ? undefined : fromConfig))
      : (overrides[rule.id] ?? fromConfig ?? (inRuleSet(rule.id, ruleSet) ? undefined : 'off'));
    const given = typeof configured === 'object' ? (configured.options ?? {}) : {};
    const options = ruleOptions(rule, given, shown);
    problems.push(...options.problems);
    settings[rule.id] = level === undefined ? { options: options.value } : { level, options: options.value };
  }
  return { value: settings, problems };
}

/**
 * Effective level and validated, defaulted options for every rule. `overrides` (from --rule id=level) win over
 * the config; a rule outside `ruleSet` is off unless one of them gives it a level. Every problem is thrown together.
 */
export function resolveRuleSettings(
  rules: readonly AnyRule[],
  config: AuditConfig,
  overrides: Readonly<Record<string, SeverityLevel>>,
  shown = DEFAULT_CONFIG_FILE,
  ruleSet?: RuleSetName,
): Record<string, RuleSetting> {
  const { value, problems } = collectRuleSettings(rules, config, overrides, shown, ruleSet);
  if (problems.length > 0) throw new AuditError('config-invalid', 'Invalid rule configuration:', problems);
  return value;
}

function collectFailOnNotEvaluated(
  value: string | readonly string[] | undefined,
  rules: readonly AnyRule[],
  where: string,
): Collected<string[]> {
  const items = value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  const known = rules.map((r) => r.id);
  const problems: string[] = [];
  for (const item of items) {
    if ((NOT_EVALUATED_SELECTORS as readonly string[]).includes(item) || known.includes(item)) continue;
    problems.push(`${where}: ${unknownRuleMessage(item, known)}; or use security, all or none`);
  }
  if (items.includes('none') && items.length > 1) {
    problems.push(`${where}: none cannot be combined with other values`);
  }
  return { value: [...new Set(items.filter((item) => item !== 'none'))], problems };
}

/**
 * `failOnNotEvaluated` (or `--fail-on-not-evaluated`) checked against the registry: rule ids, `security`, `all`,
 * or `none` alone. Returns the selection without `none` (empty: the gate is off). Every problem is thrown at once,
 * each with `where` (the config key path or the option), unknown rule ids with a "did you mean".
 */
export function resolveFailOnNotEvaluated(
  value: string | readonly string[] | undefined,
  rules: readonly AnyRule[],
  where: string,
): string[] {
  const { value: selection, problems } = collectFailOnNotEvaluated(value, rules, where);
  if (problems.length > 0) {
    throw new AuditError('config-invalid', 'Invalid failOnNotEvaluated:', problems);
  }
  return selection;
}

/** The rules carrying one of `tags` (all rules when none is given); a tag no rule carries is a problem. */
function selectByTags(rules: readonly AnyRule[], tags: readonly string[]): Collected<AnyRule[]> {
  if (tags.length === 0) return { value: [...rules], problems: [] };
  const known = [...new Set(rules.flatMap((r) => r.meta.tags))].sort();
  const problems = tags
    .filter((tag) => !known.includes(tag))
    .map((tag) => `--tag ${tag}: no rule has this tag${suggestion(tag, known)} (tags: ${known.join(', ')})`);
  return { value: rules.filter((r) => r.meta.tags.some((t) => tags.includes(t))), problems };
}

/**
 * `--only`: the rules named (each once, in registry order). An unknown id gets a "did you mean"; `--tag` with it,
 * or `--rule <id>=off` for a rule it names, contradicts it (the user said two things; neither wins silently).
 */
function selectOnly(
  rules: readonly AnyRule[],
  only: readonly string[],
  tags: readonly string[],
  overrides: Readonly<Record<string, SeverityLevel>>,
): Collected<AnyRule[]> {
  const known = rules.map((r) => r.id);
  const problems = only
    .filter((id) => !known.includes(id))
    .map((id) => `--only ${id}: ${unknownRuleMessage(id, known)}`);
  // `--only ''` must not quietly mean every rule.
  if (only.length === 0) problems.push(`--only: name at least one rule id (run 'apim-oauth-audit rules')`);
  if (tags.length > 0) {
    problems.push(
      `--only cannot be combined with --tag: --only names the rules to run, --tag selects them by tag; use one of them`,
    );
  }
  for (const id of only) {
    if (overrides[id] === 'off') problems.push(`--only ${id} and --rule ${id}=off contradict each other`);
  }
  return { value: rules.filter((r) => only.includes(r.id)), problems };
}

/**
 * Everything the configuration and the command line say about rules and the gate, resolved against the registry
 * before any source is read. Precedence, decided here only: the command line, then the config, then the default.
 * Throws one AuditError (`config-invalid`, exit 2) listing every problem.
 */
export function resolveAuditSettings(
  registry: Registry,
  config: AuditConfig,
  request: SettingsRequest = {},
): AuditSettings {
  const shown = request.shown ?? DEFAULT_CONFIG_FILE;
  const ruleSet =
    request.ruleSet !== undefined
      ? resolveRuleSet(request.ruleSet, `--rule-set ${request.ruleSet}`)
      : resolveRuleSet(config.ruleSet, `${shown}: ruleSet`);
  const only = request.only;
  const settings = collectRuleSettings(
    registry.rules,
    config,
    request.ruleOverrides ?? {},
    shown,
    ruleSet.ruleSet,
    new Set(only ?? []),
  );
  const rules = only
    ? selectOnly(registry.rules, only, request.tags ?? [], request.ruleOverrides ?? {})
    : selectByTags(registry.rules, request.tags ?? []);
  const failOnNotEvaluated =
    request.failOnNotEvaluated !== undefined
      ? collectFailOnNotEvaluated(request.failOnNotEvaluated, registry.rules, '--fail-on-not-evaluated')
      : collectFailOnNotEvaluated(config.failOnNotEvaluated, registry.rules, `${shown}: failOnNotEvaluated`);
  const problems = [
    ...ruleSet.problems,
    ...settings.problems,
    ...rules.problems,
    ...failOnNotEvaluated.problems,
  ];
  if (problems.length > 0) throw new AuditError('config-invalid', 'Invalid configuration:', problems);
  return {
    rules: rules.value,
    settings: settings.value,
    failOn: request.failOn ?? config.failOn ?? DEFAULT_FAIL_ON,
    failOnNotEvaluated: failOnNotEvaluated.value,
    ...(ruleSet.ruleSet !== undefined ? { ruleSet: ruleSet.ruleSet } : {}),
    ...(only ? { only: rules.value.map((r) => r.id) } : {}),
    ...(!only && (request.tags ?? []).length > 0 ? { tags: [...(request.tags ?? [])] } : {}),
  };
}
