/**
 * The `junit` reporter: JUnit XML (the Ant format read by Azure DevOps' "Publish Test Results", Jenkins and GitLab)
 * for a CI's Tests tab. One test suite per rule that was on; one test case per rule and resource:
 * - a resource with a finding at or above the gate (`failOn`) is a failure listing its findings;
 * - a resource with findings only below the gate, or recorded in the baseline (`scan --baseline`), passes (they
 *   are listed in the suite's `system-out`);
 * - a resource the rule could not evaluate is skipped, with the reason (a rule that did not run at all is one
 *   skipped case);
 * - a rule with nothing to report is one passing case;
 * - a crashed rule is an error; a source that could not be read fully is an error of the `sources` suite.
 * Suppressed findings never fail; they are listed in `system-out` with their justification.
 *
 * The structure follows the Ant JUnit schema (test/fixtures/junit.xsd checks it). Values from the input are XML-
 * escaped, and characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates) are written as `\xNN`.
 */
import type { AuditResult, Finding, NotEvaluatedRecord, ResourceRef, RuleCrash } from '../src/engine/types';
import { DEFAULT_FAIL_ON, failsGate, type FailOn } from '../src/severity';
import { TOOL_NAME, locationLabel, resourceLabel } from './common';
import type { ReporterOptions } from './types';

/** Characters XML 1.0 cannot carry, not even as references: most C0 controls, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching the characters XML 1.0 forbids is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** XML 1.0 text or attribute value: markup characters as entities, unrepresentable characters as `\xNN`/`\uNNNN`. */
export function xmlText(value: string): string {
  return (
    value
      .replace(NOT_XML, (c) => {
        const code = c.charCodeAt(0);
        return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
      })
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Attribute values normalise line breaks and tabs to spaces unless written as references.
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

/** `2026-12-03T20:15:00`: the Ant schema's timestamp has no zone; the time is UTC. */
function timestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}

interface Case {
  name: string;
  /** The element inside `<testcase>`, if any. */
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string };
}

interface Suite {
  name: string;
  cases: Case[];
  out: string[];
}

function findingLine(finding: Finding): string {
  const where = locationLabel(finding.location) ?? finding.logicalLocation.fullyQualifiedName;
  const fix = finding.fix ? `\n    fix: ${finding.fix.text}` : '';
  return `${where}: ${finding.severity} [${finding.ruleId}] ${finding.message}${fix}`;
}

function resourceKey(resource: ResourceRef): string {
  return `${resource.kind}|${resource.id}`;
}

/** The test cases and output of one rule. */
function ruleSuite(
  ruleId: string,
  findings: readonly Finding[],
  records: readonly NotEvaluatedRecord[],
  crash: RuleCrash | undefined,
  failOn: FailOn,
): Suite {
  const suite: Suite = { name: ruleId, cases: [], out: [] };
  const byResource = new Map<string, { resource: ResourceRef; findings: Finding[] }>();
  for (const finding of findings) {
    if (finding.suppressed) {
      suite.out.push(
        `suppressed: ${findingLine(finding)}\n    justification: ${finding.suppressed.justification}`,
      );
      continue;
    }
    const key = resourceKey(finding.resource);
    const entry = byResource.get(key) ?? { resource: finding.resource, findings: [] };
    entry.findings.push(finding);
    byResource.set(key, entry);
  }
  for (const { resource, findings: list } of byResource.values()) {
    const failing = list.filter((f) => f.baseline !== 'unchanged' && failsGate(f.severity, failOn));
    if (failing.length === 0) {
      suite.out.push(
        ...list.map((f) =>
          f.baseline === 'unchanged'
            ? `recorded in the baseline: ${findingLine(f)}`
            : `below the gate (${failOn}): ${findingLine(f)}`,
        ),
      );
      suite.cases.push({ name: resourceLabel(resource) });
      continue;
    }
    const [first] = failing;
    suite.cases.push({
      name: resourceLabel(resource),
      outcome: {
        kind: 'failure',
        type: first?.severity ?? 'error',
        message: failing.length === 1 ? (first?.message ?? '') : `${failing.length} findings`,
        body: list.map(findingLine).join('\n'),
      },
    });
  }
  for (const record of records) {
    const subjects = record.resources.length > 0 ? record.resources : [undefined];
    for (const resource of subjects) {
      if (resource && byResource.has(resourceKey(resource))) {
        suite.out.push(`also not evaluated on ${resourceLabel(resource)}: ${record.reason}`);
        continue;
      }
      suite.cases.push({
        name: resource ? resourceLabel(resource) : `${ruleId} (the rule as a whole)`,
        outcome: { kind: 'skipped', message: `not evaluated: ${record.reason}` },
      });
    }
  }
  if (crash) {
    suite.cases.push({
      name: `${ruleId} (run)`,
      outcome: { kind: 'error', type: 'crash', message: `rule ${ruleId} crashed: ${crash.message}` },
    });
  }
  if (suite.cases.length === 0) suite.cases.push({ name: `${ruleId}: no findings` });
  return suite;
}

function sourcesSuite(result: AuditResult): Suite | undefined {
  if (result.gaps.length === 0) return undefined;
  return {
    name: 'sources',
    out: [],
    cases: result.gaps.map((gap) => ({
      name: `${gap.source}: ${gap.what}`,
      outcome: {
        kind: 'error',
        type: 'incomplete',
        message: `could not read ${gap.what}: ${gap.reason}`,
      },
    })),
  };
}

function caseXml(suite: Suite, testCase: Case): string {
  const open = `    <testcase name="${xmlText(testCase.name)}" classname="${xmlText(`${TOOL_NAME}.${suite.name}`)}" time="0"`;
  const { outcome } = testCase;
  if (!outcome) return `${open}/>`;
  if (outcome.kind === 'skipped')
    return `${open}>\n      <skipped message="${xmlText(outcome.message)}"/>\n    </testcase>`;
  const body = outcome.body === undefined ? '' : xmlText(outcome.body);
  return `${open}>\n      <${outcome.kind} message="${xmlText(outcome.message)}" type="${xmlText(outcome.type ?? outcome.kind)}">${body}</${outcome.kind}>\n    </testcase>`;
}

function suiteXml(suite: Suite, id: number, date: Date): string {
  const count = (kind: 'failure' | 'error' | 'skipped') =>
    suite.cases.filter((c) => c.outcome?.kind === kind).length;
  const attributes = [
    `name="${xmlText(suite.name)}"`,
    `package="${TOOL_NAME}"`,
    `id="${id}"`,
    `timestamp="${timestamp(date)}"`,
    'hostname="localhost"',
    `tests="${suite.cases.length}"`,
    `failures="${count('failure')}"`,
    `errors="${count('error')}"`,
    `skipped="${count('skipped')}"`,
    'time="0"',
  ];
  return [
    `  <testsuite ${attributes.join(' ')}>`,
    '    <properties/>',
    ...suite.cases.map((c) => caseXml(suite, c)),
    `    <system-out>${xmlText(suite.out.join('\n'))}</system-out>`,
    '    <system-err/>',
    '  </testsuite>',
  ].join('\n');
}

export function junitReporter(result: AuditResult, options: ReporterOptions): string {
  const failOn = result.configuration?.failOn ?? DEFAULT_FAIL_ON;
  const date = options.timestamp ?? new Date(0);
  const suites: Suite[] = [];
  const source = sourcesSuite(result);
  if (source) suites.push(source);
  for (const rule of result.rules) {
    if (rule.level === 'off') continue;
    suites.push(
      ruleSuite(
        rule.id,
        result.findings.filter((f) => f.ruleId === rule.id),
        result.notEvaluated.filter((r) => r.ruleId === rule.id),
        result.crashes.find((c) => c.ruleId === rule.id),
        failOn,
      ),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites>',
    ...suites.map((s, i) => suiteXml(s, i, date)),
    '</testsuites>',
    '',
  ].join('\n');
}
