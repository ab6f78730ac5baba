/**
 * The text reporter: findings grouped by resource for a human at a terminal, then suppressed findings, then
 * everything that limits what the report proves (rules not evaluated, expired suppressions, crashes, source gaps),
 * and a closing summary. Colour (plain ANSI, no dependency) only when the caller asks for it.
 */
import type { AuditResult, Finding, ResourceRef } from '../src/engine/types';
import type { Severity } from '../src/severity';
import { escapeStrings, neutralizeCommandLines } from '../src/util/escape';
import type { ReporterOptions } from './types';
import {
  configurationFileLabel,
  configurationWeakenings,
  crashMessage,
  expiredSuppressionMessage,
  gapMessage,
  locationLabel,
  notEvaluatedByRule,
  notEvaluatedSubject,
  resourceLabel,
} from './common';

type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green';

/** Open/close pairs that reset only what they set, so styles nest. */
const ANSI: Readonly<Record<Style, readonly [string, string]>> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
};

const SEVERITY_STYLE: Readonly<Record<Severity, Style>> = { error: 'red', warning: 'yellow', note: 'cyan' };
const SEVERITY_WIDTH = 'warning'.length;

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduce((acc, style) => `${ANSI[style][0]}${acc}${ANSI[style][1]}`, text);
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

interface ResourceGroup {
  resource: ResourceRef;
  fullyQualifiedName: string;
  findings: Finding[];
}

/** Groups findings by resource; groups keep the order of their first finding. */
function groupByResource(findings: readonly Finding[]): ResourceGroup[] {
  const groups = new Map<string, ResourceGroup>();
  for (const finding of findings) {
    const key = `${finding.resource.kind}\u0000${finding.resource.id}`;
    const group = groups.get(key);
    if (group) group.findings.push(finding);
    else
      groups.set(key, {
        resource: finding.resource,
        fullyQualifiedName: finding.logicalLocation.fullyQualifiedName,
        findings: [finding],
      });
  }
  return [...groups.values()];
}

function findingLine(finding: Finding, ruleWidth: number, paint: Paint): string {
  const severity = paint(finding.severity.padEnd(SEVERITY_WIDTH), SEVERITY_STYLE[finding.severity]);
  const rule = paint(finding.ruleId.padEnd(ruleWidth), 'dim');
  const where = locationLabel(finding.location);
  return `  ${severity}  ${rule}  ${finding.message}${where === undefined ? '' : `  ${paint(`(${where})`, 'dim')}`}`;
}

function resourceSection(group: ResourceGroup, ruleWidth: number, paint: Paint): string[] {
  const files = [
    ...new Set(group.findings.map((f) => f.location.file).filter((f): f is string => f !== undefined)),
  ];
  const heading = `${paint(resourceLabel(group.resource), 'bold')}${files.length > 0 ? `  ${files.join(', ')}` : ''}`;
  const lines = [heading];
  if (group.fullyQualifiedName !== group.resource.name)
    lines.push(`  ${paint(group.fullyQualifiedName, 'dim')}`);
  for (const finding of group.findings) lines.push(findingLine(finding, ruleWidth, paint));
  return lines;
}

function suppressedSection(suppressed: readonly Finding[], ruleWidth: number, paint: Paint): string[] {
  if (suppressed.length === 0) return [];
  const lines = [paint(`Suppressed (${suppressed.length}):`, 'bold')];
  for (const finding of suppressed) {
    lines.push(findingLine(finding, ruleWidth, paint));
    const expires = finding.suppressed?.expires ? ` (until ${finding.suppressed.expires})` : '';
    lines.push(
      `  ${' '.repeat(SEVERITY_WIDTH)}  justification: ${finding.suppressed?.justification ?? ''}${expires}`,
    );
  }
  return lines;
}

/** How many names a grouped record lists before "and N more" (the JSON and SARIF reports list them all). */
const NAMES_SHOWN = 8;

/** `'a', 'b', 'c' and 4 more`. */
function names(resources: readonly ResourceRef[]): string {
  const shown = resources.slice(0, NAMES_SHOWN).map((r) => `'${r.name}'`);
  const more = resources.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** `Not evaluated (3 rules: 1 not run, 2 in part)`: the same counts as the closing summary. */
function rulesCount(result: AuditResult): string {
  const { notRun, partly } = result.summary.rulesNotEvaluated;
  const parts = [
    notRun.length > 0 ? `${notRun.length} not run` : '',
    partly.length > 0 ? `${partly.length} in part` : '',
  ].filter((p) => p !== '');
  return `${plural(notRun.length + partly.length, 'rule')}: ${parts.join(', ')}`;
}

function notEvaluatedSection(result: AuditResult, paint: Paint): string[] {
  const byRule = notEvaluatedByRule(result.notEvaluated);
  if (byRule.length === 0) return [];
  const notRun = new Set(result.summary.rulesNotEvaluated.notRun);
  const lines = [paint(`Not evaluated (${rulesCount(result)}):`, 'bold')];
  for (const { ruleId, records } of byRule) {
    lines.push(`  ${ruleId}${notRun.has(ruleId) ? ' (not run)' : ''}`);
    for (const record of records) {
      const subject = notEvaluatedSubject(record);
      lines.push(`    - ${subject === undefined ? '' : `${subject} — `}${record.reason}`);
      if (record.resources.length > 1) lines.push(`        ${names(record.resources)}`);
    }
  }
  return lines;
}

function listSection(title: string, items: readonly string[], paint: Paint): string[] {
  if (items.length === 0) return [];
  return [paint(`${title} (${items.length}):`, 'bold'), ...items.map((item) => `  ${item}`)];
}

/**
 * Which rules ran: everything not `off`, minus the rules not run or crashed; of those, how many only in part. The
 * counts are the summary's (`rulesNotEvaluated`), as in the "Not evaluated" section.
 */
function evaluatedLine(result: AuditResult): string {
  const enabled = result.rules.filter((r) => r.level !== 'off');
  const off = result.rules.length - enabled.length;
  const { notRun, partly } = result.summary.rulesNotEvaluated;
  const crashed = new Set(result.crashes.map((c) => c.ruleId));
  const evaluated = enabled.filter((r) => !notRun.includes(r.id) && !crashed.has(r.id)).length;
  const inPart = partly.filter((id) => !crashed.has(id)).length;
  const notes = [
    inPart > 0 ? `${inPart} of them in part` : '',
    notRun.length > 0 ? `${notRun.length} not run` : '',
    off > 0 ? `${off} off` : '',
    crashed.size > 0 ? `${crashed.size} crashed` : '',
  ].filter((n) => n !== '');
  const { sources } = result;
  const over = sources.length > 0 ? ` over ${plural(sources.length, 'source')}: ${sources.join(', ')}` : '';
  return `Evaluated ${evaluated} of ${plural(result.rules.length, 'rule')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}${over}.`;
}

/** Security rules that abstained are always named, fully or in part. */
function securityLine(result: AuditResult, paint: Paint): string[] {
  const { security } = result.summary.rulesNotEvaluated;
  if (security.length === 0) return [];
  return [
    paint(
      `Security ${security.length === 1 ? 'rule' : 'rules'} not (fully) evaluated: ${security.join(', ')}.`,
      'yellow',
    ),
  ];
}

/** The header: the config file in effect, then whatever in it weakens the gate (issue 10). */
function configurationSection(result: AuditResult, paint: Paint): string[] {
  const { configuration } = result;
  if (!configuration) return [];
  const weakenings = configurationWeakenings(configuration).map((line) => paint(`  ${line}`, 'yellow'));
  const ruleSet = configuration.ruleSet ? `, rule set ${configuration.ruleSet.name}` : '';
  return [`Config: ${configurationFileLabel(configuration)}${ruleSet}`, ...weakenings];
}

function summarySection(result: AuditResult, active: number, paint: Paint): string[] {
  const { summary } = result;
  const lines: string[] = [];
  if (active === 0) {
    lines.push(paint('No findings.', 'green'));
  } else {
    const counts = [
      paint(plural(summary.error, 'error'), summary.error > 0 ? 'red' : 'dim'),
      paint(plural(summary.warning, 'warning'), summary.warning > 0 ? 'yellow' : 'dim'),
      paint(plural(summary.note, 'note'), summary.note > 0 ? 'cyan' : 'dim'),
    ];
    lines.push(`${paint(plural(active, 'finding'), 'bold')}: ${counts.join(', ')}.`);
  }
  if (summary.suppressed > 0) lines.push(`${summary.suppressed} suppressed.`);
  lines.push(evaluatedLine(result), ...securityLine(result, paint));
  if (!result.complete) {
    const why = [
      result.crashes.length > 0 ? plural(result.crashes.length, 'rule crash', 'rule crashes') : '',
      result.gaps.length > 0 ? plural(result.gaps.length, 'source gap') : '',
    ].filter((w) => w !== '');
    const because = why.length > 0 ? ` (${why.join(', ')})` : '';
    lines.push(
      paint(
        `Audit incomplete${because}: this report is not evidence of a clean configuration.`,
        'red',
        'bold',
      ),
    );
  }
  return lines;
}

export function textReporter(raw: AuditResult, options: ReporterOptions): string {
  // Every string of the result may come from the input (names, paths, quoted values): escaped once, here.
  const result = escapeStrings(raw);
  const paint = painter(options.color);
  const findings = result.findings;
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const ruleWidth = Math.max(0, ...findings.map((f) => f.ruleId.length));

  const sections: string[][] = [
    configurationSection(result, paint),
    ...groupByResource(active).map((group) => resourceSection(group, ruleWidth, paint)),
    suppressedSection(suppressed, ruleWidth, paint),
    notEvaluatedSection(result, paint),
    listSection('Expired suppressions', result.expiredSuppressions.map(expiredSuppressionMessage), paint),
    listSection('Rule crashes', result.crashes.map(crashMessage), paint),
    listSection('Source gaps', result.gaps.map(gapMessage), paint),
    summarySection(result, active.length, paint),
  ];
  return neutralizeCommandLines(
    `${sections
      .filter((section) => section.length > 0)
      .map((section) => section.join('\n'))
      .join('\n\n')}\n`,
  );
}
