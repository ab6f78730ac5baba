/**
 * The findings of the text report, laid out like ESLint's `stylish` formatter: grouped by file, one line per finding
 * that starts with the full `file:line:col` (terminals and VS Code make it a link), then the finding's detail, fix
 * and command on indented lines wrapped to the terminal's width. `--compact` gives one line per finding
 * (`file:line:col: severity [rule] message`), for grep and editors' problem matchers. Findings without a file (live
 * data) are grouped under their logical location, the Azure resource id or Graph object.
 */
import type { Finding } from '../src/engine/types';
import { locationLabel, resourceLabel } from './common';
import { SEVERITY_STYLE, type Paint, type Style } from './paint';
import { wrapCommand, wrapWords } from './wrap';

/** How wide the report may be, and how it is painted. */
export interface Layout {
  width: number;
  paint: Paint;
}

/** The width of files and pipes (and of a terminal that does not say): deterministic output. */
export const DEFAULT_WIDTH = 100;

/** The indent of a finding's detail, fix and command under its line. */
const INDENT = '    ';

interface FindingGroup {
  heading: string;
  findings: Finding[];
}

/** Groups in the order of their first finding (the engine's report order already keeps a file together). */
function groupByFile(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const finding of findings) {
    const { file } = finding.location;
    const heading = file ?? finding.logicalLocation.fullyQualifiedName;
    const key = `${file === undefined ? 'logical' : 'file'}\u0000${heading}`;
    const group = groups.get(key);
    if (group) group.findings.push(finding);
    else groups.set(key, { heading, findings: [finding] });
  }
  return [...groups.values()];
}

/** The first column: `file:line:col`, or for a finding without a file the resource it is about. */
function where(finding: Finding): string {
  return locationLabel(finding.location) ?? resourceLabel(finding.resource);
}

interface Columns {
  where: number;
  severity: number;
  rule: number;
}

function columnsOf(findings: readonly Finding[]): Columns {
  return {
    where: Math.max(0, ...findings.map((f) => where(f).length)),
    severity: Math.max(0, ...findings.map((f) => f.severity.length)),
    rule: Math.max(0, ...findings.map((f) => f.ruleId.length)),
  };
}

function findingLine(finding: Finding, columns: Columns, paint: Paint): string {
  const location = paint(where(finding).padEnd(columns.where), 'dim');
  const severity = paint(finding.severity.padEnd(columns.severity), SEVERITY_STYLE[finding.severity]);
  const rule = paint(finding.ruleId.padEnd(columns.rule), 'dim');
  return `  ${location}  ${severity}  ${rule}  ${finding.message}`;
}

/**
 * `label` and `text` as indented lines, wrapped to the layout's width; continuation lines hang under the text,
 * and `continuationIndent` more (a command's arguments).
 */
function block(
  text: string,
  layout: Layout,
  options: {
    label?: string;
    style?: Style;
    textStyle?: Style;
    wrap?: typeof wrapWords;
    continuationIndent?: number;
  } = {},
): string[] {
  const { label = '', wrap = wrapWords, continuationIndent = 0 } = options;
  const lead = label === '' ? '' : `${label} `;
  const first = INDENT.length + lead.length;
  const rest = first + continuationIndent;
  const bodies = wrap(text, Math.max(1, layout.width - first), Math.max(1, layout.width - rest));
  const paintedLead = label === '' ? '' : `${options.style ? layout.paint(label, options.style) : label} `;
  const paint = (body: string): string => (options.textStyle ? layout.paint(body, options.textStyle) : body);
  return bodies.map((body, index) =>
    index === 0 ? `${INDENT}${paintedLead}${paint(body)}` : `${' '.repeat(rest)}${paint(body)}`,
  );
}

/**
 * What follows a finding's line: the resource when the message does not name it (and the first column does not
 * show it), why it fails at runtime, the fix, and for live data the command (printed, never run).
 */
function findingNotes(finding: Finding, layout: Layout): string[] {
  const lines: string[] = [];
  const named = finding.location.file === undefined || finding.message.includes(`'${finding.resource.name}'`);
  if (!named) lines.push(...block(resourceLabel(finding.resource), layout, { textStyle: 'dim' }));
  if (finding.detail) lines.push(...block(finding.detail, layout));
  if (finding.fix) {
    lines.push(...block(finding.fix.text, layout, { label: 'fix:', style: 'green' }));
    if (finding.fix.command) {
      lines.push(
        ...block(finding.fix.command, layout, {
          label: 'run:',
          style: 'cyan',
          wrap: wrapCommand,
          continuationIndent: 2,
        }),
      );
    }
  }
  return lines;
}

/** One section per file (or logical location): its heading, then each finding with its notes. */
export function findingSections(findings: readonly Finding[], layout: Layout): string[][] {
  return groupByFile(findings).map((group) => {
    const columns = columnsOf(group.findings);
    const lines = [layout.paint(group.heading, 'bold')];
    for (const finding of group.findings) {
      lines.push(findingLine(finding, columns, layout.paint), ...findingNotes(finding, layout));
    }
    return lines;
  });
}

function compactLine(finding: Finding, paint: Paint): string {
  const location = locationLabel(finding.location) ?? finding.logicalLocation.fullyQualifiedName;
  const severity = paint(finding.severity, SEVERITY_STYLE[finding.severity]);
  return `${paint(`${location}:`, 'dim')} ${severity} ${paint(`[${finding.ruleId}]`, 'dim')} ${finding.message}`;
}

/** `--compact`: one section, one line per finding, in report order. */
export function compactFindingSections(findings: readonly Finding[], layout: Layout): string[][] {
  return findings.length === 0 ? [] : [findings.map((finding) => compactLine(finding, layout.paint))];
}

/** `Rotated by the pipeline (until 2027-06-30)`; `; until ...` in a compact line, already in parentheses. */
function justification(finding: Finding, compact: boolean): string {
  const { justification: why = '', expires } = finding.suppressed ?? {};
  if (!expires) return why;
  return compact ? `${why}; until ${expires}` : `${why} (until ${expires})`;
}

/**
 * Suppressed findings after the active ones, each with its justification instead of detail and fix: the team
 * decided to accept it. `--compact` keeps one line per finding.
 */
export function suppressedSection(
  suppressed: readonly Finding[],
  layout: Layout,
  compact: boolean,
): string[] {
  if (suppressed.length === 0) return [];
  const lines = [layout.paint(`Suppressed (${suppressed.length}):`, 'bold')];
  if (compact) {
    for (const finding of suppressed) {
      lines.push(`  ${compactLine(finding, layout.paint)} (justification: ${justification(finding, true)})`);
    }
    return lines;
  }
  const columns = columnsOf(suppressed);
  for (const finding of suppressed) {
    lines.push(
      findingLine(finding, columns, layout.paint),
      ...block(justification(finding, false), layout, { label: 'justification:' }),
    );
  }
  return lines;
}
