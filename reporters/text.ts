/**
 * The text reporter: findings grouped by resource for a human at a terminal, then suppressed findings, then
 * everything that limits what the report proves (rules not evaluated, expired suppressions, crashes, source gaps),
 * and a closing summary. Colour (plain ANSI, no dependency) only when the caller asks for it.
 */
import type { AuditResult, Finding, ResourceRef, Severity } from '../src/engine/types';
import type { ReporterOptions } from './index';
import {
  crashMessage,
  expiredSuppressionMessage,
  gapMessage,
  groupNotEvaluated,
  locationLabel,
  resourceLabel,
  sortCrashes,
  sortFindings,
  sortGaps,
  sortSuppressions,
  type NotEvaluatedGroup,
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

/** Groups sorted findings by resource; groups keep the order of their first finding. */
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

function notEvaluatedSection(groups: readonly NotEvaluatedGroup[], paint: Paint): string[] {
  if (groups.length === 0) return [];
  const lines = [paint(`Not evaluated (${plural(groups.length, 'rule')}):`, 'bold')];
  for (const group of groups) {
    lines.push(`  ${group.ruleId}`);
    for (const { reason, resources } of group.reasons) {
      const which = resources.length > 0 ? ` (${resources.map(resourceLabel).join(', ')})` : '';
      lines.push(`    - ${reason}${which}`);
    }
  }
  return lines;
}

function listSection(title: string, items: readonly string[], paint: Paint): string[] {
  if (items.length === 0) return [];
  return [paint(`${title} (${items.length}):`, 'bold'), ...items.map((item) => `  ${item}`)];
}

/** Which rules ran: everything not `off`, minus rules skipped as a whole or crashed. */
function evaluatedLine(result: AuditResult): string {
  const enabled = result.rules.filter((r) => r.level !== 'off');
  const off = result.rules.length - enabled.length;
  const skipped = new Set(result.notEvaluated.filter((r) => !r.resource).map((r) => r.ruleId));
  const crashed = new Set(result.crashes.map((c) => c.ruleId));
  const evaluated = enabled.filter((r) => !skipped.has(r.id) && !crashed.has(r.id)).length;
  const notes = [
    off > 0 ? `${off} off` : '',
    skipped.size > 0 ? `${skipped.size} not evaluated` : '',
    crashed.size > 0 ? `${crashed.size} crashed` : '',
  ].filter((n) => n !== '');
  const sources = [...new Set(result.sources)].sort();
  const over = sources.length > 0 ? ` over ${plural(sources.length, 'source')}: ${sources.join(', ')}` : '';
  return `Evaluated ${evaluated} of ${plural(result.rules.length, 'rule')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}${over}.`;
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
  lines.push(evaluatedLine(result));
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

export function textReporter(result: AuditResult, options: ReporterOptions): string {
  const paint = painter(options.color);
  const findings = sortFindings(result.findings);
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const ruleWidth = Math.max(0, ...findings.map((f) => f.ruleId.length));

  const sections: string[][] = [
    ...groupByResource(active).map((group) => resourceSection(group, ruleWidth, paint)),
    suppressedSection(suppressed, ruleWidth, paint),
    notEvaluatedSection(groupNotEvaluated(result.notEvaluated), paint),
    listSection(
      'Expired suppressions',
      sortSuppressions(result.expiredSuppressions).map(expiredSuppressionMessage),
      paint,
    ),
    listSection('Rule crashes', sortCrashes(result.crashes).map(crashMessage), paint),
    listSection('Source gaps', sortGaps(result.gaps).map(gapMessage), paint),
    summarySection(result, active.length, paint),
  ];
  return `${sections
    .filter((section) => section.length > 0)
    .map((section) => section.join('\n'))
    .join('\n\n')}\n`;
}
