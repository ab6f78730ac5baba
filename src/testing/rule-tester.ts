/**
 * A harness for rule authors, after ESLint's `RuleTester`: valid and invalid cases for one rule, each an inventory
 * snapshot (the snapshot JSON shape, `schemas/snapshot.schema.json`) that goes through the real snapshot reader,
 * the real model and the real engine, so that what a case expects is what a user would see: the finding's
 * message, detail and fix, its severity, and where the engine located it, as a JSON pointer into the case's input
 * (`path`) and a line and column in the input as the tester writes it (`JSON.stringify(input, null, 2)`). A fix can
 * be checked to resolve its finding: the tester applies its edit to the input and runs the case again.
 *
 * Under a test runner with `describe` / `it` globals (jest, mocha, vitest with globals) every case is one test;
 * without one, `run` throws on the first failing case. The rule is checked against the rule contract and each
 * case's options against the rule's schema, as the registry and the configuration do.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CorrelationLink } from '../config/types';
import { AuditError } from '../errors';
import { runAudit } from '../engine/run';
import type { AuditResult, Finding, FixEdit } from '../engine/types';
import { mergeInventories } from '../inventory/merge';
import type { Inventory } from '../inventory/types';
import { joinPointer } from '../json/positions';
import type { PositionIndex } from '../json/types';
import { normalize } from '../model/normalize';
import type { Model } from '../model/types';
import { citedBy } from '../model/unknown';
import { ruleContractProblems, resolveRuleSettings } from '../registry';
import type { Severity } from '../severity';
import { parseSnapshot, SNAPSHOT_KIND } from '../sources/snapshot';
import { MESSAGE_LIMIT, type AnyRule, type RuleOutput } from '../../rules/support/contract';
import { applyEdit } from './apply-edit';

/** A snapshot document; `kind` and `version` may be left out (the tester adds them). */
export type SnapshotInput = Record<string, unknown>;

export interface ValidTestCase {
  /** The test's name (default: the case's index and a summary of its input). */
  name?: string;
  /** One snapshot, or several sources merged as `scan a.json b.json` merges them (for rules about sources). */
  input: SnapshotInput | readonly SnapshotInput[];
  /** The rule's options (merged over its defaults and validated against its schema). */
  options?: Record<string, unknown>;
  /** Config `links` (which app registrations back which authorization server). */
  links?: readonly CorrelationLink[];
  /** The audit's clock (default: the tester's). */
  now?: Date;
  /**
   * The reasons of the not-evaluated records the case expects, in the engine's order (a string is matched
   * exactly, a RegExp is tested). Default: none; a valid case where the rule abstains fails, since not
   * evaluated is not a pass.
   */
  notEvaluated?: readonly (string | RegExp)[];
}

/** One expected finding; only the fields given are compared. */
export interface ExpectedError {
  /** Default: the rule's id. */
  ruleId?: string;
  /** The finding's message: equal to a string, or matching a RegExp. */
  message?: string | RegExp;
  /** JSON pointer into the case's input where the engine located the finding (`/applications/1/web/redirectUris/0`). */
  path?: string;
  /** Which input holds `path` when the case has several (0-based; default 0). */
  source?: number;
  line?: number;
  column?: number;
  severity?: Severity;
  /** The finding's resource name (`resource.name`). */
  resource?: string;
  /** The finding's detail (why it fails at runtime): equal to a string, or matching a RegExp. */
  detail?: string | RegExp;
  /** The finding's fix, as the engine renders it for the case's input; only the fields given are compared. */
  fix?: ExpectedFix;
}

/** An expected fix. The input is a snapshot, so a property fix is a `json` edit of `snapshot.json`. */
export interface ExpectedFix {
  /** The fix's text (the rule's step, then where in the input): equal to a string, or matching a RegExp. */
  text?: string | RegExp;
  /** The edit, compared as a whole; `null` when the fix must have none (described, not applied). */
  edit?: FixEdit | null;
  /**
   * Apply the edit to the case's input and run the case again: the finding (its fingerprint) must be gone. Like
   * ESLint's `output`, without writing out the whole fixed input.
   */
  resolves?: true;
}

export interface InvalidTestCase extends ValidTestCase {
  /** The findings the case expects, in the engine's order, or only how many. */
  errors: readonly ExpectedError[] | number;
}

export interface RuleTests {
  /** Inputs on which the rule finds nothing: snapshots, or cases with options. */
  valid: readonly (SnapshotInput | ValidTestCase)[];
  invalid: readonly InvalidTestCase[];
}

export interface RuleTesterConfig {
  /** The audit's clock for every case without its own (default: the time `run` is called). */
  now?: Date;
}

type Describe = (name: string, body: () => void) => void;
type It = (name: string, body: () => void) => void;

interface TestGlobals {
  describe?: Describe;
  it?: It;
}

/** A finding as a case sees it: the engine's finding plus its place in the case's input. */
interface ObservedFinding {
  finding: Finding;
  path: string | undefined;
  source: number | undefined;
}

export class RuleTester {
  /** Overridable like ESLint's: default to the test runner's globals, else run the body at once. */
  static describe: Describe | undefined;
  static it: It | undefined;

  private readonly now: Date | undefined;

  constructor(config: RuleTesterConfig = {}) {
    this.now = config.now;
  }

  /** Defines the tests of `rule` (under a test runner), or runs them and throws on the first failure. */
  run(rule: AnyRule, tests: RuleTests): void {
    const describe = RuleTester.describe ?? (globalThis as TestGlobals).describe ?? ((_n, body) => body());
    const it = RuleTester.it ?? (globalThis as TestGlobals).it ?? ((_n, body) => body());
    const now = this.now ?? new Date();
    const name = typeof (rule as { id?: unknown }).id === 'string' ? rule.id : 'rule';
    describe(name, () => {
      it('satisfies the rule contract', () => assertContract(rule));
      describe('valid', () => {
        for (const [i, entry] of tests.valid.entries()) {
          const test = isCase(entry) ? entry : { input: entry };
          it(caseName(test, i), () => checkValid(rule, test, now));
        }
      });
      describe('invalid', () => {
        for (const [i, test] of tests.invalid.entries()) {
          it(caseName(test, i), () => checkInvalid(rule, test, now));
        }
      });
    });
  }
}

/** Thrown when a case fails: what was expected and what the engine reported. */
export class RuleTesterError extends Error {
  override name = 'RuleTesterError';
}

function isCase(entry: SnapshotInput | ValidTestCase): entry is ValidTestCase {
  return 'input' in entry && typeof entry['input'] === 'object' && entry['input'] !== null;
}

function caseName(test: ValidTestCase, index: number): string {
  if (test.name) return test.name;
  const inputs = Array.isArray(test.input) ? test.input : [test.input];
  const summary = JSON.stringify(inputs.length === 1 ? inputs[0] : inputs);
  return `#${index} ${summary.length > 80 ? `${summary.slice(0, 77)}...` : summary}`;
}

function assertContract(rule: AnyRule): void {
  const problems = ruleContractProblems(rule);
  if (problems.length > 0)
    throw new RuleTesterError(`The rule breaks the rule contract: ${problems.join('; ')}.`);
}

interface CaseRun {
  result: AuditResult;
  observed: ObservedFinding[];
}

/** Runs one case through the snapshot reader, the model and the engine, as `scan` would. */
function runCase(rule: AnyRule, test: ValidTestCase, now: Date): CaseRun {
  assertContract(rule);
  const settings = withAuditErrors(() =>
    resolveRuleSettings([rule], { rules: { [rule.id]: { options: test.options ?? {} } } }, {}, 'options'),
  );
  const inputs = inputsOf(test);
  if (inputs.length === 0) throw new RuleTesterError('The case has no input.');
  const files = inputs.map((_, i) => (i === 0 ? 'snapshot.json' : `snapshot-${i + 1}.json`));
  const inventories = inputs.map((input, i) => withAuditErrors(() => readInput(input, files[i]!)));
  const inventory = inventories.length === 1 ? inventories[0]! : mergeInventories(inventories);
  const model = normalize(inventory, test.links ?? []);
  const result = runAudit(model, {
    rules: [rule],
    settings,
    suppressions: [],
    now: test.now ?? now,
    files: inventory.files,
    sources: inventory.sources.map((s) => s.spec),
  });
  if (rule.meta.cites) assertCited(rule, model, settings[rule.id]?.options ?? {}, test.now ?? now);
  const observed = result.findings.map((finding) => {
    const source = finding.location.file === undefined ? -1 : files.indexOf(finding.location.file);
    const index = source >= 0 ? inventory.files[files[source]!] : undefined;
    const path = index ? pointerAt(inputs[source]!, index, finding) : undefined;
    return { finding, path, source: source >= 0 ? source : undefined };
  });
  return { result, observed };
}

/** An invalid input or options, as a test failure that lists every problem. */
function withAuditErrors<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof AuditError) throw new RuleTesterError(error.render());
    throw error;
  }
}

function readInput(input: SnapshotInput, file: string): Inventory {
  const doc = { kind: SNAPSHOT_KIND, version: 1, ...input };
  return parseSnapshot(JSON.stringify(doc, null, 2), file);
}

/**
 * The JSON pointer of the value the engine located the finding at: the value starting exactly there, else (a
 * place inside a policy string) the value whose line holds it, nearest before it.
 */
function pointerAt(input: SnapshotInput, index: PositionIndex, finding: Finding): string | undefined {
  const { line, column } = finding.location;
  if (line === undefined) return undefined;
  let best: { pointer: string; column: number } | undefined;
  for (const pointer of pointersOf(input, '')) {
    const at = index.locate(pointer);
    if (!at || at.line !== line) continue;
    if (column === undefined || at.column === column) return pointer;
    if (at.column < column && (!best || at.column > best.column)) best = { pointer, column: at.column };
  }
  return best?.pointer;
}

function* pointersOf(value: unknown, pointer: string): Generator<string> {
  yield pointer;
  if (value === null || typeof value !== 'object') return;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value as Record<string, unknown>);
  for (const [key, child] of entries) yield* pointersOf(child, joinPointer(pointer, key));
}

function checkValid(rule: AnyRule, test: ValidTestCase, now: Date): void {
  const run = runCase(rule, test, now);
  assertNoCrash(run.result);
  if (run.observed.length > 0) {
    throw new RuleTesterError(
      `Should have no errors but had ${run.observed.length}:\n${run.observed.map(describeFinding).join('\n')}`,
    );
  }
  assertNotEvaluated(run.result, test.notEvaluated ?? []);
}

/** A case's inputs as a list. */
function inputsOf(test: ValidTestCase): readonly SnapshotInput[] {
  return Array.isArray(test.input) ? test.input : [test.input as SnapshotInput];
}

function checkInvalid(rule: AnyRule, test: InvalidTestCase, now: Date): void {
  const run = runCase(rule, test, now);
  assertNoCrash(run.result);
  const expected = test.errors;
  if (typeof expected === 'number' ? expected < 1 : expected.length === 0) {
    throw new RuleTesterError('Invalid cases must expect at least one error.');
  }
  const count = typeof expected === 'number' ? expected : expected.length;
  if (run.observed.length !== count) {
    throw new RuleTesterError(
      `Should have ${count} error${count === 1 ? '' : 's'} but had ${run.observed.length}:\n` +
        run.observed.map(describeFinding).join('\n'),
    );
  }
  for (const { finding } of run.observed) assertMessageShape(finding);
  if (typeof expected !== 'number') {
    for (const [i, want] of expected.entries()) {
      compareError(rule, i, want, run.observed[i]!);
      if (want.fix?.resolves) assertResolves(rule, test, now, i, run.observed[i]!.finding);
    }
  }
  assertNotEvaluated(run.result, test.notEvaluated ?? []);
}

/**
 * The message contract (issue 15) holds for every finding a case produces, whatever the case asserts: one line of at
 * most MESSAGE_LIMIT characters (why and what to do belong in `detail` and `fix`).
 */
function assertMessageShape(finding: Finding): void {
  if (finding.message.length > MESSAGE_LIMIT || /[\r\n]/.test(finding.message)) {
    throw new RuleTesterError(
      `A message must be one line of at most ${MESSAGE_LIMIT} characters (put why in detail, what to do in fix); got ${finding.message.length}: ${finding.message}`,
    );
  }
}

function compareError(rule: AnyRule, i: number, want: ExpectedError, got: ObservedFinding): void {
  const { finding } = got;
  const mismatches: string[] = [];
  const differ = (field: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && expected !== actual) {
      mismatches.push(`${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  };
  differ('ruleId', want.ruleId ?? rule.id, finding.ruleId);
  if (want.message instanceof RegExp) {
    if (!want.message.test(finding.message)) {
      mismatches.push(
        `message: expected to match ${String(want.message)}, got ${JSON.stringify(finding.message)}`,
      );
    }
  } else {
    differ('message', want.message, finding.message);
  }
  differ('path', want.path, got.path);
  if (want.path !== undefined) differ('source', want.source ?? 0, got.source);
  differ('line', want.line, finding.location.line);
  differ('column', want.column, finding.location.column);
  differ('severity', want.severity, finding.severity);
  differ('resource', want.resource, finding.resource.name);
  matchText(mismatches, 'detail', want.detail, finding.detail);
  if (want.fix !== undefined) {
    if (!finding.fix) mismatches.push('fix: expected a fix, got none');
    matchText(mismatches, 'fix.text', want.fix.text, finding.fix?.text);
    if (want.fix.edit !== undefined) {
      const edit = finding.fix?.edit ?? null;
      if (!isDeepStrictEqual(edit, want.fix.edit)) {
        mismatches.push(`fix.edit: expected ${JSON.stringify(want.fix.edit)}, got ${JSON.stringify(edit)}`);
      }
    }
  }
  if (mismatches.length > 0) {
    throw new RuleTesterError(
      `Error #${i} does not match:\n  ${mismatches.join('\n  ')}\n${describeFinding(got)}`,
    );
  }
}

/** A text field against a string (equal) or a RegExp (tested); nothing when not expected. */
function matchText(
  mismatches: string[],
  field: string,
  want: string | RegExp | undefined,
  got: string | undefined,
): void {
  if (want === undefined) return;
  const ok = want instanceof RegExp ? got !== undefined && want.test(got) : want === got;
  if (!ok) {
    const expected = want instanceof RegExp ? `to match ${String(want)}` : JSON.stringify(want);
    mismatches.push(`${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  }
}

/** Applies finding `i`'s edit to the case's input and runs the case again: that finding must be gone. */
function assertResolves(rule: AnyRule, test: InvalidTestCase, now: Date, i: number, finding: Finding): void {
  const edit = finding.fix?.edit;
  const fail = (why: string) => {
    throw new RuleTesterError(`Error #${i}: the fix does not resolve it: ${why}`);
  };
  if (!edit) return fail('it has no edit');
  const inputs = inputsOf(test);
  const source =
    edit.file === 'snapshot.json' ? 0 : Number(/^snapshot-(\d+)\.json$/.exec(edit.file)?.[1]) - 1;
  const input = inputs[source];
  if (!input) return fail(`it edits ${edit.file}, not an input of the case`);
  const fixed = inputs.map((doc, n) => (n === source ? applyEdit(doc, edit, fail) : doc));
  const again = runCase(rule, { ...test, input: fixed }, now);
  assertNoCrash(again.result);
  const left = again.observed.find((o) => o.finding.fingerprint === finding.fingerprint);
  if (left) fail(`after the edit ${JSON.stringify(edit)} the finding remains:\n${describeFinding(left)}`);
}

/**
 * The rule's evidence, worked out (as for a model with unknown values) whatever the case holds, stays within its
 * `meta.cites`: the engine gives the rule no evidence when nothing cited is unknown, so a piece outside would be
 * an unknown value the engine never sees.
 */
function assertCited(rule: AnyRule, model: Model, options: Record<string, unknown>, now: Date): void {
  const cites = rule.meta.cites!;
  let outputs: RuleOutput[];
  try {
    outputs = [...rule.check(model, { now, options, evidence: true })];
  } catch (error) {
    throw new RuleTesterError(`The rule crashed when asked for its evidence: ${String(error)}`);
  }
  for (const output of outputs) {
    for (const piece of output.evidence ?? []) {
      if (citedBy(cites, piece)) continue;
      const what =
        'collection' in piece
          ? `the ${piece.collection} collection of ${piece.parent.kind} '${piece.parent.name}'`
          : `${piece.path || '(the entity)'} of ${piece.entity.kind} '${piece.entity.name}'`;
      throw new RuleTesterError(
        `The rule's evidence names ${what}, which its meta.cites does not name (a ${output.type} output): ` +
          `add it there, or the engine may run the rule without evidence where that value is unknown.`,
      );
    }
  }
}

function assertNoCrash(result: AuditResult): void {
  const crash = result.crashes[0];
  if (crash) throw new RuleTesterError(`The rule crashed: ${crash.message}`);
}

function assertNotEvaluated(result: AuditResult, expected: readonly (string | RegExp)[]): void {
  const reasons = result.notEvaluated.map((r) => r.reason);
  const matches =
    reasons.length === expected.length &&
    expected.every((want, i) => (want instanceof RegExp ? want.test(reasons[i]!) : want === reasons[i]));
  if (!matches) {
    throw new RuleTesterError(
      `Should have ${expected.length} not-evaluated record${expected.length === 1 ? '' : 's'} ` +
        `(${expected.map(String).join('; ') || 'none'}) but had ${reasons.length}:\n` +
        reasons.map((r) => `  - ${r}`).join('\n'),
    );
  }
}

function describeFinding(got: ObservedFinding): string {
  const { finding } = got;
  const where =
    finding.location.line === undefined ? '' : ` at ${finding.location.line}:${finding.location.column ?? 0}`;
  const source = got.source ? ` (input ${got.source})` : '';
  return `  - [${finding.severity}] ${got.path ?? '(no path)'}${source}${where}: ${finding.message}`;
}
