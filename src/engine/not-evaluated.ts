/**
 * Not-evaluated records: the one place that de-duplicates and groups them (./order.ts orders them). A rule reports what it could not judge
 * entity by entity; the audit result holds one record per (rule, reason, entity kind) listing the entities, so
 * that "14 APIs: the global policy is not in the data" reads as one line, not fourteen. The summary counts the
 * rules behind the records the same way every report shows them.
 */
import type { UnknownDependency } from '../model/unknown';
import type { Entity } from '../model/types';
import { isSecurityRule } from '../../rules/support/contract';
import { compareResources, compareStrings } from './order';
import {
  type NotEvaluatedRecord,
  type NotEvaluatedSummary,
  type ResourceRef,
  type RuleDescriptor,
} from './types';
import { fitted } from '../util/lists';

/** What a rule could not judge: one entity (or the whole rule), and why. */
export interface NotEvaluatedEntry {
  ruleId: string;
  reason: string;
  resource?: ResourceRef;
  /** True when the engine did not run the rule at all (a side of the audit it requires is missing). */
  notRun?: boolean;
}

function refOf(entity: Entity): ResourceRef {
  return { kind: entity.kind, id: entity.id, name: entity.name };
}

/**
 * The entries of one rule run. A check (`checked`) and a violation of the rule on one entity that rest on the
 * same unknown value say the same thing: only the violation's entry ("the finding would rest on") is kept, since
 * it tells that there may be something to fix.
 */
export class RuleEntries {
  private readonly entries: {
    entry: NotEvaluatedEntry;
    key: string | undefined;
    from: 'violation' | 'other';
  }[] = [];

  /** The ids of the entities with an entry. */
  private readonly entities = new Set<string>();

  constructor(private readonly ruleId: string) {}

  add(
    reason: string,
    entity: Entity | undefined,
    unknown?: UnknownDependency,
    from: 'violation' | 'other' = 'other',
  ): void {
    const entry: NotEvaluatedEntry = { ruleId: this.ruleId, reason };
    if (entity) {
      entry.resource = refOf(entity);
      this.entities.add(entity.id);
    }
    const key = unknown && entity ? `${entity.id}\u0000${unknown.entity.id}\u0000${unknown.path}` : undefined;
    this.entries.push({ entry, key, from });
  }

  has(entity: Entity): boolean {
    return this.entities.has(entity.id);
  }

  list(): NotEvaluatedEntry[] {
    const fromViolations = new Set(this.entries.filter((e) => e.from === 'violation').map((e) => e.key));
    return this.entries
      .filter((e) => e.from === 'violation' || e.key === undefined || !fromViolations.has(e.key))
      .map((e) => e.entry);
  }
}

/** One record per (rule, reason, entity kind), each listing its entities once, sorted by name and id. */
export function groupNotEvaluated(entries: readonly NotEvaluatedEntry[]): NotEvaluatedRecord[] {
  const groups = new Map<string, NotEvaluatedRecord>();
  // The ids each record lists, once it lists more than one (a record may list every API or server of a large
  // service; most list one, and a tree's thousands of such records need no set each).
  const listed = new Map<NotEvaluatedRecord, Set<string>>();
  for (const entry of entries) {
    const kind = entry.resource?.kind;
    const key = `${entry.ruleId}\u0000${entry.reason}\u0000${kind ?? ''}`;
    let record = groups.get(key);
    if (!record) {
      record = { ruleId: entry.ruleId, reason: entry.reason, resources: [] };
      if (kind) record.kind = kind;
      groups.set(key, record);
    }
    const resource = entry.resource;
    if (!resource) continue;
    const { resources } = record;
    const first = resources[0];
    if (first === undefined) {
      resources.push(resource);
      continue;
    }
    let ids = listed.get(record);
    if (!ids) {
      ids = new Set([first.id]);
      listed.set(record, ids);
    }
    if (!ids.has(resource.id)) {
      ids.add(resource.id);
      resources.push(resource);
    }
  }
  const records = [...groups.values()];
  // Sorted, and at its length (util/lists.ts): most records list one resource.
  for (const record of records) record.resources = fitted(record.resources.sort(compareResources));
  return records;
}

/**
 * Which rules abstained: not run at all, or run and abstaining on some entities (or parts); and the security
 * rules among them, which every report names.
 */
export function summarizeNotEvaluated(
  entries: readonly NotEvaluatedEntry[],
  rules: readonly RuleDescriptor[],
): NotEvaluatedSummary {
  const notRun = new Set(entries.filter((e) => e.notRun).map((e) => e.ruleId));
  const partly = new Set(entries.filter((e) => !e.notRun && !notRun.has(e.ruleId)).map((e) => e.ruleId));
  const security = new Set(rules.filter((r) => isSecurityRule(r.meta)).map((r) => r.id));
  const sorted = (ids: Iterable<string>) => [...ids].sort(compareStrings);
  return {
    notRun: sorted(notRun),
    partly: sorted(partly),
    security: sorted([...notRun, ...partly].filter((id) => security.has(id))),
  };
}
