/**
 * The `github` reporter: GitHub Actions workflow commands that put each finding on its file and line in the pull
 * request (`::error file=…,line=…,col=…,title=<rule>::<message>`), for a step's log (stdout).
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and drops the rest silently, so
 * this report annotates the first 10 of each level (in report order, errors first) and ends with a plain line that
 * counts what it left out; the job summary (`--format markdown`) lists every finding. An incomplete audit is an
 * error annotation of its own, before any finding, so it is never the one dropped.
 *
 * Every value comes from the input: control characters are shown as escapes (src/util/escape.ts), the message is
 * escaped as workflow-command data (`%`, CR, LF) and the properties as property values (also `:` and `,`), so no
 * value can end the command, start another one or drive the terminal.
 */
import type { AuditResult, Finding } from '../src/engine/types';
import type { Severity } from '../src/severity';
import { escapeText, neutralizeCommandLines } from '../src/util/escape';
import { TOOL_NAME, crashMessage, gapMessage, insideRepository, plural } from './common';
import type { ReporterOptions } from './types';

/** Annotations GitHub shows per step and level (docs: "Workflow commands", annotation limits). */
export const ANNOTATIONS_PER_LEVEL = 10;

/** A message longer than this is cut (GitHub truncates annotation messages itself; ours are ≤ 200 characters). */
const MAX_MESSAGE = 4000;

const COMMANDS: Readonly<Record<Severity, 'error' | 'warning' | 'notice'>> = {
  error: 'error',
  warning: 'warning',
  note: 'notice',
};

/** Workflow-command data (the text after `::`): `%`, CR and LF percent-encoded (actions/toolkit `escapeData`). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value: as data, plus `:` and `,` (actions/toolkit `escapeProperty`). */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(level: 'error' | 'warning' | 'notice', properties: [string, string][], message: string) {
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',');
  return `::${level}${props === '' ? '' : ` ${props}`}::${escapeData(message.slice(0, MAX_MESSAGE))}`;
}

/** The annotation of one finding; a finding without a file (live data) is annotated on the run only. */
function annotation(finding: Finding): string {
  const { file, line, column } = finding.location;
  const properties: [string, string][] = [];
  // A path that leaves the repository cannot be annotated in it; GitHub would drop the annotation.
  if (file !== undefined && insideRepository(file)) {
    properties.push(['file', escapeText(file)]);
    if (line !== undefined) properties.push(['line', String(line)]);
    if (column !== undefined) properties.push(['col', String(column)]);
  }
  properties.push(['title', `${finding.ruleId} (${finding.severity})`]);
  const where = properties[0]?.[0] === 'file' ? '' : ` [${finding.logicalLocation.fullyQualifiedName}]`;
  return command(COMMANDS[finding.severity], properties, escapeText(`${finding.message}${where}`));
}

/**
 * How many annotations each level gets, and how many findings get none: the first ANNOTATIONS_PER_LEVEL of each
 * level, the incomplete-audit annotation taking one error slot. The one decision of the cap: the action's job
 * summary counts what the log left out with it.
 */
export function annotationSlots(
  counts: Readonly<Record<Severity, number>>,
  complete: boolean,
): { shown: Record<Severity, number>; left: number } {
  const reserved = complete ? 0 : 1;
  const shown = {
    error: Math.min(counts.error, ANNOTATIONS_PER_LEVEL - reserved),
    warning: Math.min(counts.warning, ANNOTATIONS_PER_LEVEL),
    note: Math.min(counts.note, ANNOTATIONS_PER_LEVEL),
  };
  const left = counts.error + counts.warning + counts.note - shown.error - shown.warning - shown.note;
  return { shown, left };
}

export function githubReporter(result: AuditResult, _options: ReporterOptions): string {
  const lines: string[] = [];
  if (!result.complete) {
    const why = [...result.gaps.map(gapMessage), ...result.crashes.map(crashMessage)].map(escapeText);
    lines.push(
      command(
        'error',
        [['title', `${TOOL_NAME}: audit incomplete`]],
        `The audit could not read everything or a rule crashed; this run is not evidence of a clean configuration.\n${why.join('\n')}`,
      ),
    );
  }
  const reported = result.findings.filter((f) => !f.suppressed);
  // Findings a baseline records are not the change's: only new ones are annotated (and fail the gate).
  const active = reported.filter((f) => f.baseline !== 'unchanged');
  const bySeverity = (severity: Severity) => active.filter((f) => f.severity === severity);
  const counts = {
    error: bySeverity('error').length,
    warning: bySeverity('warning').length,
    note: bySeverity('note').length,
  };
  const { shown, left } = annotationSlots(counts, result.complete);
  for (const severity of ['error', 'warning', 'note'] as const) {
    lines.push(...bySeverity(severity).slice(0, shown[severity]).map(annotation));
  }
  const unchanged = reported.length - active.length;
  const fromBaseline =
    result.baseline !== undefined
      ? `; ${unchanged} recorded in the baseline (not annotated), ${result.baseline.absent.length} fixed since`
      : '';
  const total = `${plural(reported.length, 'finding')} (${plural(result.summary.error, 'error')}, ${plural(result.summary.warning, 'warning')}, ${plural(result.summary.note, 'note')})`;
  const rest =
    left > 0
      ? `; ${left} not annotated (GitHub shows ${ANNOTATIONS_PER_LEVEL} per level and step): see the job summary or the full report`
      : '';
  const security = result.summary.rulesNotEvaluated.security;
  const abstained =
    security.length > 0 ? `; security rules not (fully) evaluated: ${security.join(', ')}` : '';
  // A plain log line, escaped like any text that quotes the input.
  lines.push(neutralizeCommandLines(escapeText(`${TOOL_NAME}: ${total}${fromBaseline}${rest}${abstained}.`)));
  return `${lines.join('\n')}\n`;
}
