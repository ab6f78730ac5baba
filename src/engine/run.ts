/**
 * Runs rules over a model and turns their outputs into findings: severity from config, location from
 * origin, stable fingerprint, suppressions. A crashing rule does not stop the others; it marks the audit
 * incomplete. The result lists everything in report order (./order.ts).
 */
import type { PositionIndex } from '../json/types';
import type { Entity, Model, ResourceKind } from '../model/types';
import {
  describeUnknownDependency,
  describeUnknownValue,
  mayCiteUnknown,
  unknownIn,
  unknownPathsByKind,
  type UnknownDependency,
} from '../model/unknown';
import { entitiesWithUnknownValues, unknownDependency } from '../model/unknown-fallback';
import { secretRedactor, secretValues } from '../policy/secrets';
import { resolveFix } from './fix';
import { fingerprint, locate, locateTextOffset, logicalLocation } from './locate';
import {
  groupNotEvaluated,
  RuleEntries,
  summarizeNotEvaluated,
  type NotEvaluatedEntry,
} from './not-evaluated';
import { inReportOrder } from './order';
import { applySuppressions } from './suppressions';
import type { AnyRule, Requirement, RuleOutput, Violation } from '../../rules/support/contract';
import type { AuditResult, AuditSummary, Finding, FindingFix, RuleCrash, RuleDescriptor } from './types';
import type { SeverityLevel } from '../severity';
import type { Suppression } from '../config/types';
import { timed, type Timings } from './timing';
import { pushAll } from '../util/lists';

export interface RuleSetting {
  /** Explicit level from config/CLI; undefined means the rule's own severities. */
  level?: SeverityLevel;
  options: Record<string, unknown>;
}

export interface AuditPlan {
  rules: readonly AnyRule[];
  settings: Readonly<Record<string, RuleSetting>>;
  suppressions: readonly Suppression[];
  now: Date;
  files: Readonly<Record<string, PositionIndex>>;
  sources?: readonly string[];
  /** `scan --timing`: each rule's time is added here. */
  timings?: Timings;
}

const SIDE_NAMES: Record<Requirement, string> = {
  entra:
    'Entra app registrations (add a source with applications: a snapshot with "applications", --source graph, or manifests)',
  apim: 'API Management configuration (add a source with APIM data: a snapshot with "apim", --source azure:<id>, or an APIOps/ARM/Terraform source)',
};

/** What one rule produced. */
interface RuleRun {
  descriptor: RuleDescriptor;
  findings: Finding[];
  notEvaluated: NotEvaluatedEntry[];
  crash?: RuleCrash;
}

/** What the audit knows about unknown values before any rule runs (nothing to check when the model has none). */
interface Unknowns {
  check: boolean;
  /** Entities holding an unknown value, for rules that do not declare their evidence. */
  entities: readonly UnknownDependency[];
  /** The paths holding unknown values, by entity kind (a rule whose `meta.cites` names none gets no evidence). */
  paths: ReadonlyMap<ResourceKind, readonly string[]>;
}

export function runAudit(model: Model, plan: AuditPlan): AuditResult {
  const paths = unknownPathsByKind(model);
  const check = paths.size > 0;
  const unknowns: Unknowns = { check, entities: check ? entitiesWithUnknownValues(model) : [], paths };
  const { timings } = plan;
  const runs = plan.rules.map((rule) =>
    timed(timings, `rule ${rule.id}`, () => runRule(model, rule, plan, unknowns), 'rule'),
  );
  return timed(timings, 'findings (suppressions, order, redaction)', () => collect(model, plan, runs));
}

/** The result of the rules' runs: findings deduplicated and suppressed, records grouped, in report order. */
function collect(model: Model, plan: AuditPlan, runs: readonly RuleRun[]): AuditResult {
  const entries = runs.flatMap((run) => run.notEvaluated);
  const crashes = runs.flatMap((run) => (run.crash ? [run.crash] : []));
  const descriptors = runs.map((run) => run.descriptor);
  const { findings, expired } = applySuppressions(
    dedupeFingerprints(runs.flatMap((run) => run.findings)),
    plan.suppressions,
    plan.now,
  );
  const records = groupNotEvaluated(entries);
  const result: AuditResult = {
    findings,
    notEvaluated: records,
    crashes,
    gaps: model.gaps,
    expiredSuppressions: expired,
    rules: descriptors,
    complete: crashes.length === 0 && model.gaps.length === 0,
    summary: summarize(findings, records.length, entries, descriptors, crashes.length, model.gaps.length),
    sources: [...(plan.sources ?? [])],
  };
  return inReportOrder(redacted(result, model));
}

/** The rule's setting; without a resolved one (a library caller), the rule runs at its defaults. */
function resolveSetting(rule: AnyRule, plan: AuditPlan): RuleSetting {
  return (
    plan.settings[rule.id] ?? {
      options: structuredClone((rule.options?.defaults ?? {}) as Record<string, unknown>),
    }
  );
}

/** One rule, safely: off, not run (a side it needs is missing), or run with its outputs collected. */
function runRule(model: Model, rule: AnyRule, plan: AuditPlan, unknowns: Unknowns): RuleRun {
  const setting = resolveSetting(rule, plan);
  const level: SeverityLevel = setting.level ?? rule.meta.severity;
  const run: RuleRun = {
    descriptor: { id: rule.id, meta: rule.meta, level },
    findings: [],
    notEvaluated: [],
  };
  if (level === 'off') return run;
  const missing = rule.meta.requires.filter((side) => !model.coverage[side]);
  if (missing.length > 0) {
    const reason = `needs ${missing.map((m) => SIDE_NAMES[m]).join(' and ')}; no source provided it`;
    run.notEvaluated.push({ ruleId: rule.id, reason, notRun: true });
    return run;
  }
  const records = new RuleEntries(rule.id);
  try {
    const outputs = rule.check(model, {
      now: plan.now,
      options: setting.options,
      // Evidence is compared with unknown values only (judgeOutput): without any that the rule's evidence may name
      // (`meta.cites`), it need not work it out.
      evidence: unknowns.check && mayCiteUnknown(rule.meta.cites, unknowns.paths),
    });
    for (const output of outputs) {
      const finding = judgeOutput(model, rule, output, unknowns, records);
      if (finding) run.findings.push(toFinding(rule, setting, finding, plan.files));
    }
    if (!rule.meta.declaresEvidence) judgeUnreadUnknowns(rule, unknowns, records);
  } catch (error) {
    run.crash = crashOf(rule, error);
  }
  pushAll(run.notEvaluated, records.list());
  return run;
}

/**
 * One output of a rule: a not-evaluated or checked output becomes a record when it says so or rests on an unknown
 * value; a violation is returned to become a finding, unless it may rest on an unknown value (then a record).
 */
function judgeOutput(
  model: Model,
  rule: AnyRule,
  output: RuleOutput,
  unknowns: Unknowns,
  records: RuleEntries,
): Violation | undefined {
  if (output.type === 'notEvaluated') {
    const unknown = unknowns.check && output.evidence ? unknownIn(output.evidence) : undefined;
    if (unknown) records.add(describeUnknownValue(unknown), output.entity, unknown);
    else records.add(output.reason, output.entity);
    return undefined;
  }
  if (output.type === 'checked') {
    const unknown = unknowns.check ? unknownIn(output.evidence) : undefined;
    if (unknown) records.add(describeUnknownValue(unknown), output.entity, unknown);
    return undefined;
  }
  // A violation that may rest on a value the source could not determine is not a finding (model/unknown.ts).
  const unknown = unknowns.check ? restsOnUnknown(model, rule, output) : undefined;
  if (!unknown) return output;
  records.add(describeUnknownDependency(unknown), output.entity, unknown, 'violation');
  return undefined;
}

/**
 * Fallback for a rule that does not declare what it reads: an entity of the rule's side with an unknown value, on
 * which the rule reported nothing, was not judged fully (an unknown list reads as empty); say so.
 */
function judgeUnreadUnknowns(rule: AnyRule, unknowns: Unknowns, records: RuleEntries): void {
  for (const dependency of unknowns.entities) {
    const { entity } = dependency;
    if (!rule.meta.requires.includes(sideOf(entity))) continue;
    if (records.has(entity)) continue;
    records.add(describeUnknownValue(dependency), entity);
  }
}

function sideOf(entity: Entity): Requirement {
  return entity.kind === 'application' ? 'entra' : 'apim';
}

/**
 * The unknown value a violation rests on: compared with its evidence (its own entity and path always count) when
 * the rule declares evidence, else found by the conservative fallback (model/unknown-fallback.ts).
 */
function restsOnUnknown(model: Model, rule: AnyRule, output: Violation): UnknownDependency | undefined {
  if (rule.meta.declaresEvidence || output.evidence !== undefined) {
    const own = { entity: output.entity, path: output.path ?? '', knownPart: output.knownPart === true };
    return unknownIn([own, ...(output.evidence ?? [])]);
  }
  return unknownDependency(model, output.entity, output.path);
}

/** A violation located and fingerprinted: severity from the setting, else the violation's, else the rule's. */
function toFinding(
  rule: AnyRule,
  setting: RuleSetting,
  output: Violation,
  files: AuditPlan['files'],
): Finding {
  const { entity } = output;
  return {
    ruleId: rule.id,
    severity:
      setting.level && setting.level !== 'off' ? setting.level : (output.severity ?? rule.meta.severity),
    message: output.message,
    ...(output.detail !== undefined ? { detail: output.detail } : {}),
    ...(output.fix !== undefined ? { fix: resolveFix(output.fix, entity, files) } : {}),
    resource: { kind: entity.kind, id: entity.id, name: entity.name },
    location:
      (output.textOffset && locateTextOffset(output.textOffset, files)) ?? locate(entity, output.path, files),
    logicalLocation: logicalLocation(entity),
    fingerprint: fingerprint(rule.id, entity, output.key ?? output.path),
  };
}

function crashOf(rule: AnyRule, error: unknown): RuleCrash {
  const crash: RuleCrash = {
    ruleId: rule.id,
    message: error instanceof Error ? error.message : String(error),
  };
  if (error instanceof Error && error.stack) crash.stack = error.stack;
  return crash;
}

/** Two violations with one fingerprint are one finding (e.g. two servers sharing one app): keep the first. */
function dedupeFingerprints(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.fingerprint) ? false : (seen.add(f.fingerprint), true)));
}

function summarize(
  findings: readonly Finding[],
  records: number,
  entries: readonly NotEvaluatedEntry[],
  descriptors: readonly RuleDescriptor[],
  crashed: number,
  gaps: number,
): AuditSummary {
  const active = findings.filter((f) => !f.suppressed);
  return {
    error: active.filter((f) => f.severity === 'error').length,
    warning: active.filter((f) => f.severity === 'warning').length,
    note: active.filter((f) => f.severity === 'note').length,
    suppressed: findings.length - active.length,
    notEvaluated: records,
    rulesNotEvaluated: summarizeNotEvaluated(entries, descriptors),
    crashed,
    gaps,
  };
}

/**
 * No report quotes a secret the data holds (policy literals, secret named values), whoever wrote the text. Copies
 * are made with `Object.assign` rather than a spread followed by more properties, which on Node 20's V8 gives every
 * copy a hidden class of its own (an audit may have tens of thousands of not-evaluated records).
 */
function redacted(result: AuditResult, model: Model): AuditResult {
  const redact = secretRedactor(secretValues(model));
  return Object.assign({}, result, {
    findings: result.findings.map((f) =>
      Object.assign(
        {},
        f,
        { message: redact(f.message) },
        f.detail !== undefined ? { detail: redact(f.detail) } : {},
        f.fix !== undefined ? { fix: redactFix(f.fix, redact) } : {},
      ),
    ),
    notEvaluated: result.notEvaluated.map((r) => Object.assign({}, r, { reason: redact(r.reason) })),
    crashes: result.crashes.map((c) =>
      Object.assign(
        {},
        c,
        { message: redact(c.message) },
        c.stack !== undefined ? { stack: redact(c.stack) } : {},
      ),
    ),
    gaps: result.gaps.map((g) => Object.assign({}, g, { what: redact(g.what), reason: redact(g.reason) })),
  });
}

function redactFix(fix: FindingFix, redact: (text: string) => string): FindingFix {
  return Object.assign(
    {},
    fix,
    { text: redact(fix.text) },
    fix.command !== undefined ? { command: redact(fix.command) } : {},
  );
}
