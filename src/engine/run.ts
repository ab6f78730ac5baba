/**
 * Runs rules over a model and turns their outputs into findings: severity from config, location from
 * origin, stable fingerprint, suppressions. A crashing rule does not stop the others; it marks the audit
 * incomplete.
 */
import type { PositionIndex } from '../json/types';
import type { Model } from '../model/types';
import {
  describeUnknownDependency,
  describeUnknownValue,
  hasUnknownValues,
  unknownIn,
  type UnknownDependency,
} from '../model/unknown';
import { entitiesWithUnknownValues, unknownDependency } from '../model/unknown-fallback';
import { secretRedactor, secretValues } from '../policy/secrets';
import { fingerprint, locate, locateTextOffset, logicalLocation } from './locate';
import {
  groupNotEvaluated,
  RuleEntries,
  summarizeNotEvaluated,
  type NotEvaluatedEntry,
} from './not-evaluated';
import { applySuppressions } from './suppressions';
import type { AnyRule, Requirement, Violation } from '../../rules/support/contract';
import type { AuditResult, Finding, RuleCrash, RuleDescriptor } from './types';
import type { SeverityLevel } from '../severity';
import type { Suppression } from '../config/types';

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
  /** Rule docs and help URIs, loaded by the caller (the engine does no I/O). */
  docs?: Readonly<Record<string, { docs?: string; helpUri?: string }>>;
  sources?: readonly string[];
}

const SIDE_NAMES: Record<Requirement, string> = {
  entra:
    'Entra app registrations (add a source with applications: a snapshot with "applications", --source graph, or manifests)',
  apim: 'API Management configuration (add a source with APIM data: a snapshot with "apim", --source azure:<id>, or an APIOps/ARM/Terraform source)',
};

export function runAudit(model: Model, plan: AuditPlan): AuditResult {
  const findings: Finding[] = [];
  const notEvaluated: NotEvaluatedEntry[] = [];
  const crashes: RuleCrash[] = [];
  const descriptors: RuleDescriptor[] = [];
  const checkUnknowns = hasUnknownValues(model);
  const unknownEntities = checkUnknowns ? entitiesWithUnknownValues(model) : [];

  for (const rule of plan.rules) {
    // Without a resolved setting (a library caller), the rule runs at its defaults.
    const setting: RuleSetting = plan.settings[rule.id] ?? {
      options: structuredClone((rule.options?.defaults ?? {}) as Record<string, unknown>),
    };
    const level: SeverityLevel = setting.level ?? rule.meta.severity;
    const descriptor: RuleDescriptor = { id: rule.id, meta: rule.meta, level };
    const doc = plan.docs?.[rule.id];
    if (doc?.docs !== undefined) descriptor.docs = doc.docs;
    if (doc?.helpUri !== undefined) descriptor.helpUri = doc.helpUri;
    descriptors.push(descriptor);
    if (level === 'off') continue;

    const missing = rule.meta.requires.filter((side) => !model.coverage[side]);
    if (missing.length > 0) {
      notEvaluated.push({
        ruleId: rule.id,
        reason: `needs ${missing.map((m) => SIDE_NAMES[m]).join(' and ')}; no source provided it`,
        notRun: true,
      });
      continue;
    }
    const records = new RuleEntries(rule.id);
    try {
      for (const output of rule.check(model, { now: plan.now, options: setting.options })) {
        if (output.type === 'notEvaluated') {
          const unknown = checkUnknowns && output.evidence ? unknownIn(output.evidence) : undefined;
          if (unknown) records.add(describeUnknownValue(unknown), output.entity, unknown);
          else records.add(output.reason, output.entity);
          continue;
        }
        if (output.type === 'checked') {
          const unknown = checkUnknowns ? unknownIn(output.evidence) : undefined;
          if (unknown) records.add(describeUnknownValue(unknown), output.entity, unknown);
          continue;
        }
        const { entity } = output;
        // A violation that may rest on a value the source could not determine is not a finding (model/unknown.ts).
        const unknown = checkUnknowns ? restsOnUnknown(model, rule, output) : undefined;
        if (unknown) {
          records.add(describeUnknownDependency(unknown), entity, unknown, 'violation');
          continue;
        }
        findings.push({
          ruleId: rule.id,
          severity:
            setting.level && setting.level !== 'off'
              ? setting.level
              : (output.severity ?? rule.meta.severity),
          message: output.message,
          resource: { kind: entity.kind, id: entity.id, name: entity.name },
          location:
            (output.textOffset && locateTextOffset(output.textOffset, plan.files)) ??
            locate(entity, output.path, plan.files),
          logicalLocation: logicalLocation(entity),
          fingerprint: fingerprint(rule.id, entity, output.key ?? output.path),
        });
      }
      // Fallback for a rule that does not declare what it reads: an entity with an unknown value was not judged
      // fully (an unknown list reads as empty), say so.
      if (!rule.meta.declaresEvidence) {
        for (const dependency of unknownEntities) {
          const { entity } = dependency;
          if (!rule.meta.requires.includes(entity.kind === 'application' ? 'entra' : 'apim')) continue;
          if (records.has(entity)) continue;
          records.add(describeUnknownValue(dependency), entity);
        }
      }
    } catch (error) {
      const crash: RuleCrash = {
        ruleId: rule.id,
        message: error instanceof Error ? error.message : String(error),
      };
      if (error instanceof Error && error.stack) crash.stack = error.stack;
      crashes.push(crash);
    }
    notEvaluated.push(...records.list());
  }

  const { findings: withSuppressions, expired } = applySuppressions(
    dedupeFingerprints(findings),
    plan.suppressions,
    plan.now,
  );
  const sorted = withSuppressions.sort(compareFindings);
  const records = groupNotEvaluated(notEvaluated);
  const active = sorted.filter((f) => !f.suppressed);
  // No report quotes a secret the data holds (policy literals, secret named values), whoever wrote the text.
  const redact = secretRedactor(secretValues(model));
  return {
    findings: sorted.map((f) => ({ ...f, message: redact(f.message) })),
    notEvaluated: records.map((r) => ({ ...r, reason: redact(r.reason) })),
    crashes: crashes.map((c) => ({
      ...c,
      message: redact(c.message),
      ...(c.stack !== undefined ? { stack: redact(c.stack) } : {}),
    })),
    gaps: model.gaps.map((g) => ({ ...g, what: redact(g.what), reason: redact(g.reason) })),
    expiredSuppressions: expired,
    rules: descriptors,
    complete: crashes.length === 0 && model.gaps.length === 0,
    summary: {
      error: active.filter((f) => f.severity === 'error').length,
      warning: active.filter((f) => f.severity === 'warning').length,
      note: active.filter((f) => f.severity === 'note').length,
      suppressed: sorted.length - active.length,
      notEvaluated: records.length,
      rulesNotEvaluated: summarizeNotEvaluated(notEvaluated, descriptors),
      crashed: crashes.length,
      gaps: model.gaps.length,
    },
    sources: [...(plan.sources ?? [])],
  };
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

/** Two violations with one fingerprint are one finding (e.g. two servers sharing one app): keep the first. */
function dedupeFingerprints(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.fingerprint) ? false : (seen.add(f.fingerprint), true)));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.location.file ?? '').localeCompare(b.location.file ?? '') ||
    (a.location.line ?? 0) - (b.location.line ?? 0) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}
