/**
 * The text reporter, for a human at a terminal: the configuration in effect, the findings grouped by file (see
 * ./text-findings.ts), suppressed findings, then everything that limits what the report proves (rules not
 * evaluated, expired suppressions, crashes, source gaps), and a closing summary. Colour only when the caller asks.
 */
import type { AuditResult, Finding, ResourceRef } from '../src/engine/types';
import { escapeStrings, neutralizeCommandLines } from '../src/util/escape';
import type { ReporterOptions } from './types';
import {
  baselineEntryLabel,
  configurationFileLabel,
  configurationWeakenings,
  crashMessage,
  expiredSuppressionMessage,
  gapMessage,
  notEvaluatedByRule,
  notEvaluatedSubject,
  staleBaselineMessage,
  incompleteBecause,
  plural,
} from './common';
import { painter, type Paint } from './paint';
import {
  DEFAULT_WIDTH,
  compactFindingSections,
  findingSections,
  suppressedSection,
  type Layout,
} from './text-findings';

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

/**
 * After the findings, when the run compared with a baseline: how many findings it accepted (not listed), and the
 * entries no finding matched (fixed), one line each; then the age warning.
 */
function baselineSection(result: AuditResult, paint: Paint): string[] {
  const { baseline } = result;
  if (!baseline) return [];
  const fixed = baseline.absent;
  const notChecked =
    baseline.notChecked > 0 ? `, ${baseline.notChecked} not checked (their rules did not run)` : '';
  const lines = [
    paint(
      `Baseline ${baseline.file}: ${baseline.unchanged} unchanged (not listed), ${fixed.length} fixed${notChecked}${fixed.length > 0 ? ':' : '.'}`,
      'bold',
    ),
    ...fixed.map((entry) => `  fixed  ${baselineEntryLabel(entry)}`),
  ];
  const stale = staleBaselineMessage(baseline);
  if (stale !== undefined) lines.push(paint(`Warning: ${stale}.`, 'yellow'));
  return lines;
}

/** Counts per severity of the findings listed (with a baseline: the new ones only). */
function severityCounts(
  result: AuditResult,
  active: readonly Finding[],
): Record<'error' | 'warning' | 'note', number> {
  if (!result.baseline) return result.summary;
  const count = (severity: string) => active.filter((f) => f.severity === severity).length;
  return { error: count('error'), warning: count('warning'), note: count('note') };
}

function summarySection(result: AuditResult, active: readonly Finding[], paint: Paint): string[] {
  const { summary } = result;
  const lines: string[] = [];
  const kind = result.baseline ? 'new finding' : 'finding';
  if (active.length === 0) {
    lines.push(paint(result.baseline ? 'No new findings.' : 'No findings.', 'green'));
  } else {
    const { error, warning, note } = severityCounts(result, active);
    const counts = [
      paint(plural(error, 'error'), error > 0 ? 'red' : 'dim'),
      paint(plural(warning, 'warning'), warning > 0 ? 'yellow' : 'dim'),
      paint(plural(note, 'note'), note > 0 ? 'cyan' : 'dim'),
    ];
    lines.push(`${paint(plural(active.length, kind), 'bold')}: ${counts.join(', ')}.`);
  }
  if (summary.suppressed > 0) lines.push(`${summary.suppressed} suppressed.`);
  lines.push(evaluatedLine(result), ...securityLine(result, paint));
  if (!result.complete) {
    const because = incompleteBecause(result);
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
  const layout: Layout = { width: options.width ?? DEFAULT_WIDTH, paint };
  const compact = options.compact === true;
  const findings = result.findings;
  // With a baseline, the findings it records (`unchanged`) are counted in the baseline section, not listed.
  const active = findings.filter((f) => !f.suppressed && f.baseline !== 'unchanged');
  const suppressed = findings.filter((f) => f.suppressed);

  const sections: string[][] = [
    configurationSection(result, paint),
    ...(compact ? compactFindingSections(active, layout) : findingSections(active, layout)),
    suppressedSection(suppressed, layout, compact),
    baselineSection(result, paint),
    notEvaluatedSection(result, paint),
    listSection('Expired suppressions', result.expiredSuppressions.map(expiredSuppressionMessage), paint),
    listSection('Rule crashes', result.crashes.map(crashMessage), paint),
    listSection('Source gaps', result.gaps.map(gapMessage), paint),
    summarySection(result, active, paint),
  ];
  return neutralizeCommandLines(
    `${sections
      .filter((section) => section.length > 0)
      .map((section) => section.join('\n'))
      .join('\n\n')}\n`,
  );
}
