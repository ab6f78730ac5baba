/**
 * The `markdown` reporter: what a reviewer reads in a pull-request comment or a job summary. The verdict and the
 * counts by severity first, then the findings grouped by resource with `file:line` links, what the configuration
 * weakens, and (collapsed) what could not be evaluated. It stays under GitHub's comment limit (65,536 characters):
 * whatever does not fit is cut with a count, never silently.
 *
 * Every value comes from the input and is escaped as markdown text: no value can open a link, an image, an HTML
 * tag, a table cell or a heading, or mention a user or team.
 */
import type { AuditResult, Finding, NotEvaluatedRecord, ResourceRef } from '../src/engine/types';
import { DEFAULT_FAIL_ON, failsGate, type FailOn } from '../src/severity';
import {
  TOOL_NAME,
  configurationFileLabel,
  configurationWeakenings,
  crashMessage,
  expiredSuppressionMessage,
  gapMessage,
  locationLabel,
  notEvaluatedByRule,
  notEvaluatedSubject,
  resourceLabel,
  plural,
  insideRepository,
} from './common';
import type { ReporterOptions } from './types';

/** Below GitHub's 65,536-character comment limit, with room for what a workflow adds around the report. */
export const MARKDOWN_LIMIT = 65_000;

/** Characters kept for the closing lines (what was cut, the summary line) whatever the findings take. */
const RESERVED = 2_000;

/**
 * Markdown text of one input value, placed inside a line the reporter starts (so no value starts a block): line
 * breaks become spaces; the characters that open inline markup (emphasis, code, links and images, HTML, table
 * cells, strike-through) are backslash-escaped; `&` is an entity, so no value spells one; and `@` is followed by a
 * zero-width space, so that no name mentions a user or team.
 */
export function mdText(value: string): string {
  return value
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/@/g, '@&#8203;');
}

/** An identifier of ours (a rule id, a severity) as inline code; a plugin's rule id cannot close the span. */
function mdCode(value: string): string {
  return `\`${value.replace(/[`\r\n]/g, '')}\``;
}

/** A repository-relative path as a link target: each segment percent-encoded. */
function linkTarget(file: string, line: number | undefined, base: string | undefined): string {
  // encodeURIComponent leaves ( ) ' ! * ~ as they are; a parenthesis would end the link's destination.
  const encoded = file
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[()'!*~]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
  const anchor = line !== undefined ? `#L${line}` : '';
  return `${base === undefined ? '' : `${base.replace(/\/+$/, '')}/`}${encoded}${anchor}`;
}

/** `[file:line:col](file#Lline)`; plain text for a path outside the repository or live data. */
function locationLink(finding: Finding, base: string | undefined): string {
  const label = locationLabel(finding.location);
  const file = finding.location.file;
  if (label === undefined || file === undefined) return mdText(finding.logicalLocation.fullyQualifiedName);
  if (!insideRepository(file)) return mdText(label);
  return `[${mdText(label)}](${linkTarget(file, finding.location.line, base)})`;
}

const ICONS = { error: '🔴', warning: '🟠', note: '🔵' } as const;

function verdict(result: AuditResult, failOn: FailOn, active: readonly Finding[]): string {
  if (!result.complete) return `### ⛔ ${TOOL_NAME}: audit incomplete`;
  const failing = active.filter((f) => failsGate(f.severity, failOn)).length;
  if (failing > 0) {
    return `### ❌ ${TOOL_NAME}: ${plural(failing, 'finding')} at or above \`${failOn}\``;
  }
  return active.length === 0
    ? `### ✅ ${TOOL_NAME}: no findings`
    : `### ✅ ${TOOL_NAME}: no findings at or above \`${failOn}\``;
}

function countsTable(result: AuditResult): string[] {
  const { summary } = result;
  return [
    '| | severity | findings |',
    '| --- | --- | ---: |',
    `| ${ICONS.error} | error | ${summary.error} |`,
    `| ${ICONS.warning} | warning | ${summary.warning} |`,
    `| ${ICONS.note} | note | ${summary.note} |`,
    ...(summary.suppressed > 0 ? [`| | suppressed | ${summary.suppressed} |`] : []),
  ];
}

/** The findings of one resource, in report order. */
interface Group {
  resource: ResourceRef;
  findings: Finding[];
}

function byResource(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const finding of findings) {
    const key = `${finding.resource.kind}|${finding.resource.id}`;
    const group = groups.get(key);
    if (group) group.findings.push(finding);
    else groups.set(key, { resource: finding.resource, findings: [finding] });
  }
  return [...groups.values()];
}

/** One line per finding (a value never starts a line, so none can start a block). */
function findingItem(finding: Finding, base: string | undefined): string {
  const head = `- ${ICONS[finding.severity]} **${finding.severity}** ${mdCode(finding.ruleId)} ${locationLink(finding, base)}: ${mdText(finding.message)}`;
  return finding.fix ? `${head}<br>*Fix:* ${mdText(finding.fix.text)}` : head;
}

/** Adds blocks while they fit in `budget` characters; returns how many were added. */
function fill(out: string[], blocks: readonly string[], budget: { left: number }): number {
  let added = 0;
  for (const block of blocks) {
    const cost = block.length + 1;
    if (cost > budget.left) break;
    out.push(block);
    budget.left -= cost;
    added++;
  }
  return added;
}

function findingBlocks(active: readonly Finding[], base: string | undefined): string[] {
  const blocks: string[] = [];
  for (const group of byResource(active)) {
    blocks.push(`\n**${mdText(resourceLabel(group.resource))}**\n`);
    for (const finding of group.findings) blocks.push(findingItem(finding, base));
  }
  return blocks;
}

function notEvaluatedBlocks(records: readonly NotEvaluatedRecord[], notRun: ReadonlySet<string>): string[] {
  const blocks: string[] = [];
  for (const { ruleId, records: list } of notEvaluatedByRule(records)) {
    blocks.push(`- ${mdCode(ruleId)}${notRun.has(ruleId) ? ' (not run)' : ''}`);
    for (const record of list) {
      const subject = notEvaluatedSubject(record);
      blocks.push(`  - ${subject === undefined ? '' : `${mdText(subject)}: `}${mdText(record.reason)}`);
    }
  }
  return blocks;
}

export function markdownReporter(result: AuditResult, options: ReporterOptions): string {
  const limit = options.maxLength ?? MARKDOWN_LIMIT;
  const base = options.linkBase;
  const failOn = result.configuration?.failOn ?? DEFAULT_FAIL_ON;
  const reported = result.findings.filter((f) => !f.suppressed);
  // Findings a baseline records are counted, not listed: a reviewer reads what the change brings.
  const active = reported.filter((f) => f.baseline !== 'unchanged');
  const head: string[] = [verdict(result, failOn, active), ''];
  if (!result.complete) {
    head.push(
      '> [!CAUTION]',
      '> The audit could not read everything or a rule crashed: this report is not evidence of a clean configuration.',
      '',
    );
  }
  head.push(...countsTable(result), '');
  const sources = result.sources.map(mdText).join(', ');
  if (sources !== '') head.push(`Sources: ${sources}`, '');
  const { configuration } = result;
  const weakenings = configuration ? configurationWeakenings(configuration) : [];
  if (configuration && weakenings.length > 0) {
    head.push(
      `**The configuration weakens the gate** (config: ${mdText(configurationFileLabel(configuration))}):`,
      ...weakenings.map((w) => `- ${mdText(w)}`),
      '',
    );
  }
  if (result.baseline) {
    const { absent } = result.baseline;
    head.push(
      `Baseline: ${plural(active.length, 'new finding')}, ${reported.length - active.length} recorded in it (not listed), ${plural(absent.length, 'entry', 'entries')} fixed since.`,
      '',
    );
  }
  const problems = [
    ...result.gaps.map(gapMessage),
    ...result.crashes.map(crashMessage),
    ...result.expiredSuppressions.map(expiredSuppressionMessage),
  ];
  const out: string[] = [];
  const budget = { left: limit - RESERVED };
  fill(out, head, budget);
  if (problems.length > 0) {
    out.push('**Limits of this report:**');
    const shown = fill(
      out,
      problems.map((p) => `- ${mdText(p)}`),
      budget,
    );
    if (shown < problems.length) out.push(`- … and ${problems.length - shown} more (see the full report)`);
    out.push('');
  }
  const blocks = findingBlocks(active, base);
  if (blocks.length > 0) {
    out.push('#### Findings');
    const added = fill(out, blocks, budget);
    const shownFindings = blocks.slice(0, added).filter((b) => b.startsWith('- ')).length;
    if (shownFindings < active.length) {
      out.push(
        '',
        `*… and ${active.length - shownFindings} more ${active.length - shownFindings === 1 ? 'finding' : 'findings'} not shown here (comment size limit); see the full report.*`,
      );
    }
    out.push('');
  }
  const { rulesNotEvaluated } = result.summary;
  const abstained = rulesNotEvaluated.notRun.length + rulesNotEvaluated.partly.length;
  if (abstained > 0) {
    const items = notEvaluatedBlocks(result.notEvaluated, new Set(rulesNotEvaluated.notRun));
    out.push(
      '<details>',
      `<summary>Not evaluated: ${plural(abstained, 'rule')} (${rulesNotEvaluated.notRun.length} not run, ${rulesNotEvaluated.partly.length} in part)</summary>`,
      '',
    );
    const added = fill(out, items, budget);
    if (added < items.length) out.push(`- … ${items.length - added} more lines (see the full report)`);
    out.push('', '</details>', '');
  }
  if (rulesNotEvaluated.security.length > 0) {
    out.push(
      `**Security rules not (fully) evaluated:** ${rulesNotEvaluated.security.map(mdCode).join(', ')}`,
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
