/**
 * What every report format shares: the tool's identity and the wording of gaps, crashes, expired suppressions and
 * the configuration in effect. The text, JSON and SARIF reporters all import it, so the three reports agree on how
 * each limitation reads. What comes first is the engine's decision (src/engine/order.ts): reports keep its order.
 */
import type { ResourceKind } from '../src/model/types';
import type {
  AuditResult,
  BaselineComparison,
  BaselineEntry,
  BaselineSource,
  GateConfiguration,
  Location,
  NotEvaluatedRecord,
  ResourceRef,
  RuleCrash,
} from '../src/engine/types';
import type { Suppression } from '../src/config/types';

export const TOOL_NAME = 'apim-oauth-audit';
export const INFORMATION_URI = 'https://github.com/apim-oauth-audit/apim-oauth-audit';

type Gap = AuditResult['gaps'][number];

/** Not-evaluated records grouped by rule, in the order given, for the reports that show them per rule. */
export function notEvaluatedByRule(
  records: readonly NotEvaluatedRecord[],
): { ruleId: string; records: NotEvaluatedRecord[] }[] {
  const byRule = new Map<string, NotEvaluatedRecord[]>();
  for (const record of records) {
    byRule.set(record.ruleId, [...(byRule.get(record.ruleId) ?? []), record]);
  }
  return [...byRule].map(([ruleId, list]) => ({ ruleId, records: list }));
}

// ----- Wording shared by the text and SARIF reports -------------------------------------------------------

const KIND_NAMES: Readonly<Record<ResourceKind, readonly [string, string]>> = {
  application: ['application', 'applications'],
  apimService: ['API Management service', 'API Management services'],
  authorizationServer: ['authorization server', 'authorization servers'],
  openidProvider: ['OpenID Connect provider', 'OpenID Connect providers'],
  api: ['API', 'APIs'],
  operation: ['operation', 'operations'],
  product: ['product', 'products'],
  policyFragment: ['policy fragment', 'policy fragments'],
  namedValue: ['named value', 'named values'],
  workspace: ['workspace', 'workspaces'],
};

/** An entity in words: `authorization server 'entra-auth'`. */
export function resourceLabel(resource: ResourceRef): string {
  return `${KIND_NAMES[resource.kind][0]} '${resource.name}'`;
}

/**
 * Which entities a not-evaluated record is about, in words: `API 'colors-api'`, `14 APIs`; undefined for a record
 * about the rule as a whole.
 */
export function notEvaluatedSubject(record: NotEvaluatedRecord): string | undefined {
  const [first] = record.resources;
  if (!record.kind || !first) return undefined;
  return record.resources.length === 1
    ? resourceLabel(first)
    : `${record.resources.length} ${KIND_NAMES[record.kind][1]}`;
}

/** `file:line:column`, as far as it is known; undefined when the finding has no file (live sources). */
export function locationLabel(location: Location): string | undefined {
  if (location.file === undefined) return undefined;
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}

export function expiredSuppressionMessage(suppression: Suppression): string {
  return `suppression for ${suppression.rule} on ${suppression.resource} expired on ${suppression.expires ?? 'an unknown date'}; it no longer applies`;
}

export function crashMessage(crash: RuleCrash): string {
  return `rule ${crash.ruleId} crashed: ${crash.message}`;
}

/**
 * Whether a finding's file (relative to the working directory, the repository root in CI) lies inside it: not an
 * absolute path, not above it, not a drive or URI. Only such a path can carry an annotation or a repository link.
 */
export function insideRepository(file: string): boolean {
  return !file.startsWith('/') && !file.startsWith('../') && !/^[a-z]+:/i.test(file);
}

/** `1 finding`, `3 findings`, `2 entries` (with `pluralForm`): counts in the words every report uses. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** ` (1 rule crash, 2 source gaps)`: why an audit is incomplete, as the text and HTML reports say it. */
export function incompleteBecause(result: Pick<AuditResult, 'crashes' | 'gaps'>): string {
  const why = [
    result.crashes.length > 0 ? plural(result.crashes.length, 'rule crash', 'rule crashes') : '',
    result.gaps.length > 0 ? plural(result.gaps.length, 'source gap') : '',
  ].filter((w) => w !== '');
  return why.length > 0 ? ` (${why.join(', ')})` : '';
}

export function gapMessage(gap: Gap): string {
  return `${gap.source}: could not read ${gap.what}: ${gap.reason}`;
}

// ----- The configuration in effect (issue 10: whatever weakens the gate is visible in every format) ----------

/** `file` plus one line per thing that weakens the gate; shared by the text header and SARIF notifications. */
export function configurationWeakenings(configuration: GateConfiguration): string[] {
  const lines: string[] = [];
  const { suppressions, rulesOff, lowered, failOn } = configuration;
  if (suppressions.count > 0) {
    const wildcard = configuration.suppressions.wildcard.map((s) => `${s.rule} on ${s.resource}`);
    const detail = wildcard.length > 0 ? `, ${wildcard.length} with a wildcard: ${wildcard.join('; ')}` : '';
    lines.push(`${suppressions.count} suppression${suppressions.count === 1 ? '' : 's'}${detail}`);
  }
  if (rulesOff.length > 0) lines.push(`rules off: ${rulesOff.join(', ')}`);
  if (lowered.length > 0) {
    lines.push(`levels lowered: ${lowered.map((l) => `${l.ruleId} ${l.from} -> ${l.to}`).join(', ')}`);
  }
  const ruleSet = configuration.ruleSet;
  if (ruleSet && ruleSet.outside.length > 0) {
    lines.push(`rule set ${ruleSet.name}: off outside it: ${ruleSet.outside.join(', ')}`);
  }
  const tagged = configuration.tags;
  if (tagged && tagged.notRun.length > 0) {
    const count = tagged.notRun.length;
    lines.push(
      `--tag ${tagged.tags.join(',')}: ${count} rule${count === 1 ? '' : 's'} without ${tagged.tags.length === 1 ? 'the tag' : 'these tags'} not run: ${tagged.notRun.join(', ')}`,
    );
  }
  const only = configuration.only;
  if (only && only.notRun.length > 0) {
    lines.push(
      `--only ${only.rules.join(',')}: ${only.notRun.length} other rule${only.notRun.length === 1 ? '' : 's'} not run: ${only.notRun.join(', ')}`,
    );
  }
  if (failOn === 'none') lines.push('failOn none: findings never fail the run');
  if (configuration.baseline) lines.push(baselineWeakening(configuration.baseline));
  return lines;
}

// ----- Baselines (`scan --baseline`): a baseline weakens the gate, and where it came from matters ---------------

/** Where the baseline lies, in words: a file in the working tree was written by whoever wrote the tree. */
export function baselineOrigin(source: Pick<BaselineSource, 'inWorkingTree'>): string {
  return source.inWorkingTree
    ? 'in the working tree, so a pull request can add its own findings to it; a pull-request gate takes it from the base branch'
    : 'outside the working tree';
}

/** `baseline .audit-baseline.json (in the working tree, ...): the 12 findings it records do not fail the gate`. */
export function baselineWeakening(source: BaselineSource): string {
  const count = `${source.entries} finding${source.entries === 1 ? '' : 's'}`;
  return `baseline ${source.file} (${baselineOrigin(source)}): the ${count} it records do not fail the gate`;
}

/** The age warning (stderr, text, SARIF); undefined when no finding it accepts is older than the limit. */
export function staleBaselineMessage(comparison: BaselineComparison): string | undefined {
  const { stale } = comparison;
  if (stale.count === 0 || stale.oldest === undefined) return undefined;
  const one = stale.count === 1;
  return `baseline ${comparison.file}: ${stale.count} of the findings it accepts ${one ? 'was' : 'were'} recorded more than ${stale.maxAgeDays} days ago (oldest: ${stale.oldest.firstRecorded}, ${stale.oldest.days} days); fix ${one ? 'it' : 'them'}, or suppress ${one ? 'it' : 'them'} in the config with a justification and an expiry`;
}

/** A baseline entry in one line: `rule-id on API 'orders-api' (recorded 2026-01-05)`. */
export function baselineEntryLabel(entry: BaselineEntry): string {
  return `${entry.ruleId} on ${kindLabel(entry.resource.kind)} '${entry.resource.name}' (recorded ${entry.firstRecorded})`;
}

/** A resource kind in words; a kind this version does not know (a hand-edited or newer file) as written. */
function kindLabel(kind: string): string {
  return Object.hasOwn(KIND_NAMES, kind) ? KIND_NAMES[kind as ResourceKind][0] : kind;
}

function baselineEntryToJson(entry: BaselineEntry): Record<string, unknown> {
  return {
    fingerprint: entry.fingerprint,
    ruleId: entry.ruleId,
    resource: { kind: entry.resource.kind, name: entry.resource.name, id: entry.resource.id },
    message: entry.message,
    firstRecorded: entry.firstRecorded,
  };
}

/** The comparison as JSON (the JSON report's `baseline`, SARIF `runs[0].properties.baseline`). */
export function baselineToJson(comparison: BaselineComparison): Record<string, unknown> {
  const { stale } = comparison;
  return {
    file: comparison.file,
    inWorkingTree: comparison.inWorkingTree,
    entries: comparison.entries,
    counts: {
      new: comparison.new,
      unchanged: comparison.unchanged,
      absent: comparison.absent.length,
      notChecked: comparison.notChecked,
    },
    absent: comparison.absent.map(baselineEntryToJson),
    stale: {
      maxAgeDays: stale.maxAgeDays,
      count: stale.count,
      oldest: stale.oldest ? { firstRecorded: stale.oldest.firstRecorded, days: stale.oldest.days } : null,
    },
  };
}

export function configurationFileLabel(configuration: GateConfiguration): string {
  return configuration.file ?? 'none (defaults)';
}

/** The configuration as JSON (the JSON report's `configuration`, SARIF `runs[0].properties.configuration`). */
export function configurationToJson(configuration: GateConfiguration): Record<string, unknown> {
  return {
    file: configuration.file,
    failOn: configuration.failOn,
    suppressions: {
      count: configuration.suppressions.count,
      wildcard: configuration.suppressions.wildcard.map((s) => ({
        rule: s.rule,
        resource: s.resource,
        justification: s.justification,
        expires: s.expires ?? null,
      })),
    },
    rulesOff: [...configuration.rulesOff],
    lowered: configuration.lowered.map((l) => ({ ruleId: l.ruleId, from: l.from, to: l.to })),
    ...(configuration.ruleSet
      ? { ruleSet: { name: configuration.ruleSet.name, outside: [...configuration.ruleSet.outside] } }
      : {}),
    ...(configuration.baseline
      ? {
          baseline: {
            file: configuration.baseline.file,
            inWorkingTree: configuration.baseline.inWorkingTree,
            entries: configuration.baseline.entries,
          },
        }
      : {}),
    ...(configuration.tags
      ? { tags: { tags: [...configuration.tags.tags], notRun: [...configuration.tags.notRun] } }
      : {}),
    ...(configuration.only
      ? { only: { rules: [...configuration.only.rules], notRun: [...configuration.only.notRun] } }
      : {}),
  };
}

/**
 * A JSON document as text that is safe to print to a terminal or a CI log: `JSON.stringify` escapes C0 controls
 * (and no line can start with `::`), but leaves DEL, C1 controls (a terminal may read U+009B as CSI), the line and paragraph separators and the bidi
 * overrides raw; they are written as `\uXXXX` escapes here, so the document parses to the same value.
 */
export function jsonText(value: unknown): string {
  return `${safeJson(JSON.stringify(value, null, 2))}\n`;
}

function safeJson(text: string): string {
  return (
    text
      .replace(
        /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
      // An Azure Pipelines agent runs `##vso[...]` found anywhere in a logged line: `[` as \u005b parses the same.
      .replace(/##(vso)?\[/gi, (command) => `${command.slice(0, -1)}\\u005b`)
  );
}

/** Characters of JSON text gathered into one piece of `jsonTextChunks` (then escaped at once, and written). */
const PIECE_SIZE = 64 * 1024;
/** A list is written member by member from this length (a shorter one, when a member holds such a list). */
const LONG_LIST = 64;
/** How deep a document is split: down to each result of a SARIF log (log, runs, run, results). */
const MAX_SPLIT_DEPTH = 4;

/**
 * `jsonText(value)` in pieces that join to exactly that text. The long lists of a document (findings, results,
 * not-evaluated records) and the containers above them are written member by member, each member with
 * `JSON.stringify`, and the text is handed out in pieces of about `PIECE_SIZE`: a report of tens of thousands of
 * results is written to its file without ever being one string (and its UTF-8 copy) in memory. The escaping of
 * `jsonText` applies piece by piece: what it replaces (one character, or `##[` / `##vso[` inside a string) never
 * spans two pieces, since a piece ends only between members, never inside a string.
 */
export function* jsonTextChunks(value: unknown): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const part of jsonParts(value, '', MAX_SPLIT_DEPTH)) {
    batch.push(part);
    size += part.length;
    if (size >= PIECE_SIZE) {
      yield safeJson(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  batch.push('\n');
  yield safeJson(batch.join(''));
}

/** What `JSON.stringify` leaves out of an object and writes as `null` in an array. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  // An object with toJSON (a Date) is written by JSON.stringify as what toJSON returns.
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
}

/** Whether a value holds a long list within `depth` levels (only then is it written member by member). */
function holdsLongList(value: unknown, depth: number): boolean {
  if (depth === 0 || !isPlainContainer(value)) return false;
  if (Array.isArray(value)) {
    return value.length >= LONG_LIST || value.some((item) => holdsLongList(item, depth - 1));
  }
  return Object.keys(value).some((key) => holdsLongList(value[key], depth - 1));
}

/** Members of a long list stringified together (`membersText`). */
const RUN_MEMBERS = 64;

/**
 * `members` as `JSON.stringify(list, null, 2)` writes them in a list nested `level` deep: each member's text, the
 * members separated by `,`, a line break and the indentation of that level (the inside of the list, brackets and
 * the line breaks next to them left out). A member JSON.stringify leaves out of a list is written `null`, as there.
 */
function membersText(members: unknown[], level: number): string {
  let wrapped: unknown = members;
  for (let k = 1; k < level; k++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // Before the first member: `[` and a line break, then the indentation, for each of the `level` lists; after the
  // last: a line break, the indentation of the list and `]`, for each.
  const before = 2 * level + level * (level + 1);
  const after = 2 * level + level * (level - 1);
  return text.slice(before, text.length - after);
}

function* jsonParts(value: unknown, indent: string, depth: number): Generator<string> {
  if (!holdsLongList(value, depth)) {
    const text = JSON.stringify(value, null, 2);
    yield indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    let i = 0;
    while (i < value.length) {
      // Members that hold no long list are written a run at a time: one JSON.stringify for the run, not one (and
      // an indentation pass) per member, which cost a 5,000-API report about 40 ms more.
      let end = i;
      while (end < value.length && end - i < RUN_MEMBERS && !holdsLongList(value[end], depth - 1)) end++;
      yield `${i === 0 ? '[' : ','}\n${inner}`;
      if (end > i) {
        yield membersText(value.slice(i, end), inner.length / 2);
        i = end;
      } else {
        yield* jsonParts(value[i], inner, depth - 1);
        i++;
      }
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value as Record<string, unknown>)) {
    const item = (value as Record<string, unknown>)[key];
    if (omitted(item)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonParts(item, inner, depth - 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}
