/**
 * Test helpers: the bundled fixed sample as a starting point, JSON merge-patch overlays (the format the rule
 * docs' examples use), model building and single-rule runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AnyRule, Checked, RuleOutput, Violation, NotEvaluated } from '../../rules/support/contract';
import type { Model } from '../../src/model/types';
import { normalize } from '../../src/model/normalize';
import { hasUnknownValues } from '../../src/model/unknown';
import { type CorrelationLink } from '../../src/config/types';
import { mergeInventories } from '../../src/inventory/merge';
import { parseSnapshot } from '../../src/sources/snapshot';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** The fixed instant rule tests evaluate time against (the sample's secrets are valid at this time). */
export const TEST_NOW = new Date('2026-11-25T12:00:00Z');
/** Ids of the fixed sample that messages quote (examples/contoso-fixed/snapshot.json). */
export const TENANT_ID = '4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00';
export const BACKEND_APP_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';

export type SnapshotDoc = Record<string, unknown> & {
  applications?: Record<string, unknown>[];
  apim?: Record<string, unknown>[];
};

export function loadSampleDoc(which: 'contoso' | 'contoso-fixed' = 'contoso-fixed'): SnapshotDoc {
  return JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'examples', which, 'snapshot.json'), 'utf8'),
  ) as SnapshotDoc;
}

/** RFC 7386 JSON merge patch: objects merge recursively, arrays and scalars replace, null deletes. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Named parts of the fixed sample that examples patch:
 * backendApp = applications[0], clientApp = applications[1], service = apim[0],
 * authorizationServer = apim[0].authorizationServers[0], api = apim[0].apis[0].
 * `snapshot` patches the document root (e.g. to drop `applications`).
 */
export type Overlay = Partial<
  Record<
    'snapshot' | 'backendApp' | 'clientApp' | 'service' | 'authorizationServer' | 'api' | 'secondSource',
    unknown
  >
>;

/**
 * `secondSource` (an overlay itself): a second snapshot source, the fixed sample with that overlay applied,
 * loaded after the first and merged with it as `loadSources` merges sources (for rules about several sources,
 * which one snapshot cannot express). Kept beside the document, not in it, so the document stays a snapshot.
 */
const secondSources = new WeakMap<SnapshotDoc, SnapshotDoc>();

export function applyOverlay(doc: SnapshotDoc, overlay: Overlay): SnapshotDoc {
  let result = structuredClone(doc);
  const apps = result.applications ?? [];
  const service = (result.apim ?? [])[0] as Record<string, unknown[]> | undefined;
  const patchAt = (list: unknown[] | undefined, index: number, patch: unknown) => {
    if (patch === undefined) return;
    if (!list || list[index] === undefined)
      throw new Error(`overlay target #${index} does not exist in the sample`);
    list[index] = mergePatch(list[index], patch);
  };
  patchAt(apps, 0, overlay.backendApp);
  patchAt(apps, 1, overlay.clientApp);
  patchAt(service?.['authorizationServers'], 0, overlay.authorizationServer);
  patchAt(service?.['apis'], 0, overlay.api);
  patchAt(result.apim, 0, overlay.service);
  if (overlay.snapshot !== undefined) result = mergePatch(result, overlay.snapshot) as SnapshotDoc;
  if (overlay.secondSource !== undefined) {
    secondSources.set(result, applyOverlay(doc, overlay.secondSource as Overlay));
  }
  return result;
}

/** The fixed sample with an overlay applied: a snapshot input for the RuleTester. */
export function sampleInput(overlay: Overlay = {}): SnapshotDoc {
  return applyOverlay(loadSampleDoc(), overlay);
}

/** JSON pointers of the sample's named parts, for the RuleTester's expected `path`. */
export const AT = {
  backendApp: '/applications/0',
  clientApp: '/applications/1',
  service: '/apim/0',
  authorizationServer: '/apim/0/authorizationServers/0',
  api: '/apim/0/apis/0',
} as const;

/** `text` as a RegExp source that matches it literally. */
export function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A RegExp for a RuleTester message that contains every one of `texts`, in any order. */
export function containing(...texts: string[]): RegExp {
  return new RegExp(`^${texts.map((t) => `(?=.*${escaped(t)})`).join('')}`);
}

/**
 * Client app redirect URIs per platform; every platform is listed so that the sample's own URIs do not survive
 * the merge patch.
 */
export function clientRedirectUris(web: string[], spa: string[] = [], publicClient: string[] = []): Overlay {
  return {
    clientApp: {
      web: { redirectUris: web },
      spa: { redirectUris: spa },
      publicClient: { redirectUris: publicClient },
    },
  };
}

/** The sample's authorization server with a clientId that is the appId of no app in the data. */
export const UNKNOWN_CLIENT: Overlay = {
  authorizationServer: { properties: { clientId: '00000000-0000-4000-8000-000000000000' } },
};

export function buildModel(doc: SnapshotDoc, links: CorrelationLink[] = []): Model {
  const first = parseSnapshot(JSON.stringify(doc, null, 2), 'snapshot.json');
  const second = secondSources.get(doc);
  if (!second) return normalize(first, links);
  const other = parseSnapshot(
    JSON.stringify(second, null, 2),
    'second-source.json',
    'snapshot:second-source.json',
  );
  return normalize(mergeInventories([first, other]), links);
}

/** Model of the fixed sample with an overlay applied. */
export function modelWith(overlay: Overlay = {}, links: CorrelationLink[] = []): Model {
  return buildModel(applyOverlay(loadSampleDoc(), overlay), links);
}

/**
 * Model of the fixed sample (overlay applied) plus `colors-oauth-2`, a copy of its authorization server: two
 * servers sharing the client and backend apps, for tests that app-level findings are reported once.
 */
export function modelWithSecondServer(overlay: Overlay = {}): Model {
  const doc = applyOverlay(loadSampleDoc(), overlay);
  const service = doc.apim?.[0] as { authorizationServers: Record<string, unknown>[] };
  const copy = structuredClone(service.authorizationServers[0]!);
  delete copy['id'];
  service.authorizationServers.push({ ...copy, name: 'colors-oauth-2' });
  return buildModel(doc);
}

/** What a rule concludes: its violations and not-evaluated outputs. */
export type Conclusion = Violation | NotEvaluated;

/**
 * The rule's conclusions on a model. `checked` outputs (what an entity judged clean rested on) are left out: the
 * engine compares them with unknown values (test/engine/evidence.test.ts); `checkedOutputs` returns them.
 */
export function runRule(
  rule: AnyRule,
  model: Model,
  options: Record<string, unknown> = {},
  now: Date = TEST_NOW,
): Conclusion[] {
  return allOutputs(rule, model, options, now).filter((o): o is Conclusion => o.type !== 'checked');
}

export function checkedOutputs(
  rule: AnyRule,
  model: Model,
  options: Record<string, unknown> = {},
): Checked[] {
  return allOutputs(rule, model, options, TEST_NOW).filter((o): o is Checked => o.type === 'checked');
}

/**
 * The rule's outputs, evidence included. On a model without unknown values (where the engine reads no evidence) the
 * rule is run a second time told so (`RuleContext.evidence` false), and its conclusions must be the same apart
 * from their evidence: every rule test checks that skipping evidence changes no finding.
 */
function allOutputs(rule: AnyRule, model: Model, options: Record<string, unknown>, now: Date): RuleOutput[] {
  const merged = { ...(rule.options?.defaults ?? {}), ...options };
  const outputs = [...rule.check(model, { now, options: merged })];
  if (!hasUnknownValues(model)) {
    const unread = conclusionsWithoutEvidence([
      ...rule.check(model, { now, options: merged, evidence: false }),
    ]);
    const read = conclusionsWithoutEvidence(outputs);
    if (!isDeepStrictEqual(read, unread)) {
      throw new Error(
        `${rule.id}: conclusions differ when told evidence is not read (RuleContext.evidence false):\n` +
          `with evidence: ${JSON.stringify(read.map(describe))}\nwithout: ${JSON.stringify(unread.map(describe))}`,
      );
    }
  }
  return outputs;
}

function conclusionsWithoutEvidence(outputs: RuleOutput[]): RuleOutput[] {
  return outputs
    .filter((o) => o.type !== 'checked')
    .map((o) => {
      const copy = { ...o };
      delete copy.evidence;
      return copy;
    });
}

function describe(output: RuleOutput): string {
  return output.type === 'violation' ? output.message : output.type === 'notEvaluated' ? output.reason : '';
}

/** `run(overlay, options)` for one rule on the fixed sample: the starting point of every rule test. */
export function runnerFor(rule: AnyRule) {
  return (overlay: Overlay = {}, options: Record<string, unknown> = {}): Conclusion[] =>
    runRule(rule, modelWith(overlay), options);
}

export function violations(outputs: RuleOutput[]): Violation[] {
  return outputs.filter((o): o is Violation => o.type === 'violation');
}

export function notEvaluatedOutputs(outputs: RuleOutput[]): NotEvaluated[] {
  return outputs.filter((o): o is NotEvaluated => o.type === 'notEvaluated');
}

/** Asserts that the outputs are exactly one violation (nothing not-evaluated) and returns it. */
export function onlyViolation(outputs: RuleOutput[]): Violation {
  expect(notEvaluatedOutputs(outputs)).toEqual([]);
  const found = violations(outputs);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Asserts that the outputs hold no violation and returns the first not-evaluated output. */
export function onlyNotEvaluated(outputs: RuleOutput[]): NotEvaluated | undefined {
  expect(violations(outputs)).toEqual([]);
  return notEvaluatedOutputs(outputs)[0];
}
