/**
 * The HTML reporter: one self-contained page for a person reading the scheduled audit (a security lead), opened
 * from disk. Everything is rendered here, escaped (./html-escape.ts); the inline script only filters the findings
 * the page shows, and the Content-Security-Policy allows nothing else (./html-assets.ts). The page states what
 * every report states: whether the audit is complete, what weakens the gate, what was not evaluated.
 */
import type { AuditResult, Finding, RuleDescriptor } from '../src/engine/types';
import { SEVERITIES } from '../src/severity';
import {
  TOOL_NAME,
  configurationFileLabel,
  configurationWeakenings,
  locationLabel,
  resourceLabel,
  incompleteBecause,
  plural,
} from './common';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './html-assets';
import { chainsSection, type ChainFindingRef } from './html-chains';
import { Html, lines, markup, safeHref } from './html-escape';
import { limitsSection } from './html-limits';
import type { ReporterOptions, RuleDoc } from './types';

/** Findings rendered on the page; the summary counts all of them, and the page says how many are left out. */
export const MAX_RENDERED_FINDINGS = 1000;
/** Rows of the per-API summary. */
const MAX_API_ROWS = 100;

/** Findings not tied to one API (an app registration, an authorization server, the whole service). */
const NO_API = '(not tied to one API)';

/** The API a finding is about, from its resource id (`.../apis/<name>[/operations/...]`). */
export function apiOf(finding: Finding): string {
  if (finding.resource.kind === 'api') return finding.resource.name;
  const match = /\/apis\/([^/]+)/.exec(finding.resource.id);
  return match?.[1] ?? NO_API;
}

/** The `## Remediation` section of a rule's doc (else its `## Why`), without the heading. */
export function remediationOf(doc: RuleDoc | undefined): string | undefined {
  if (!doc?.docs) return undefined;
  for (const heading of ['Remediation', 'Why']) {
    const match = new RegExp(`^## ${heading}[^\\n]*\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(doc.docs);
    const text = match?.[1]?.trim();
    if (text) return text;
  }
  return undefined;
}

function headerSection(result: AuditResult, options: ReporterOptions): Html {
  const sources = result.sources.length > 0 ? result.sources.join(', ') : 'none given';
  return markup`<header>
<h1>OAuth 2.0 audit: API Management and Microsoft Entra ID</h1>
<p class="meta">${TOOL_NAME} ${options.toolVersion} \u2014 sources: ${sources}</p>
</header>`;
}

/** Audit incomplete, and security rules that abstained: first on the page, impossible to miss. */
function bannerSection(result: AuditResult): Html {
  const parts: Html[] = [];
  if (!result.complete) {
    const because = incompleteBecause(result);
    parts.push(
      markup`<div class="banner" id="incomplete" role="alert">Audit incomplete${because}: this report is not evidence of a clean configuration. See <a href="#limits">what limits this report</a>.</div>`,
    );
  }
  const { security } = result.summary.rulesNotEvaluated;
  if (security.length > 0) {
    const rules = security.length === 1 ? 'rule' : 'rules';
    parts.push(
      markup`<div class="config" id="security-not-evaluated" role="note">Security ${rules} not (fully) evaluated: ${security.join(', ')}.</div>`,
    );
  }
  return markup`${parts}`;
}

function configurationSection(result: AuditResult): Html {
  const { configuration } = result;
  if (!configuration) return markup``;
  const weakenings = configurationWeakenings(configuration);
  const ruleSet = configuration.ruleSet ? `, rule set ${configuration.ruleSet.name}` : '';
  const list =
    weakenings.length > 0
      ? markup`<p><b>This configuration weakens the gate:</b></p><ul>${weakenings.map((w) => markup`<li>${w}</li>`)}</ul>`
      : markup`<p>Nothing in it weakens the gate.</p>`;
  return markup`<section id="configuration" class="config">
<div>Configuration: <span class="mono">${configurationFileLabel(configuration)}</span>${ruleSet}; fails on ${configuration.failOn}.</div>
${list}
</section>`;
}

interface Counts {
  error: number;
  warning: number;
  note: number;
  suppressed: number;
}

function countBy(findings: readonly Finding[], key: (f: Finding) => string): Map<string, Counts> {
  const counts = new Map<string, Counts>();
  for (const finding of findings) {
    const k = key(finding);
    const c = counts.get(k) ?? { error: 0, warning: 0, note: 0, suppressed: 0 };
    if (finding.suppressed) c.suppressed++;
    else c[finding.severity]++;
    counts.set(k, c);
  }
  return counts;
}

function total(c: Counts): number {
  return c.error + c.warning + c.note + c.suppressed;
}

function countCells(c: Counts): Html {
  return markup`<td class="n">${c.error}</td><td class="n">${c.warning}</td><td class="n">${c.note}</td><td class="n">${c.suppressed}</td>`;
}

const COUNT_HEADS = markup`<th>errors</th><th>warnings</th><th>notes</th><th>suppressed</th>`;

function summaryTables(result: AuditResult, titles: ReadonlyMap<string, string>): Html {
  if (result.findings.length === 0) return markup`<p>No findings.</p>`;
  const byRule = [...countBy(result.findings, (f) => f.ruleId)].map(
    ([rule, c]) =>
      markup`<tr><td><button type="button" class="link" data-only-rule="${rule}">${rule}</button></td><td>${titles.get(rule) ?? ''}</td>${countCells(c)}</tr>`,
  );
  const apis = [...countBy(result.findings, apiOf)].sort(
    (a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]),
  );
  const byApi = apis
    .slice(0, MAX_API_ROWS)
    .map(
      ([api, c]) =>
        markup`<tr><td><button type="button" class="link" data-only-api="${api}">${api}</button></td>${countCells(c)}</tr>`,
    );
  const moreApis =
    apis.length > MAX_API_ROWS
      ? markup`<p class="meta">${apis.length - MAX_API_ROWS} more APIs not listed.</p>`
      : '';
  return markup`<h3>By rule</h3>
<table id="by-rule"><thead><tr><th>rule</th><th>title</th>${COUNT_HEADS}</tr></thead><tbody>${byRule}</tbody></table>
<h3>By API</h3>
<table id="by-api"><thead><tr><th>API</th>${COUNT_HEADS}</tr></thead><tbody>${byApi}</tbody></table>${moreApis}`;
}

function summarySection(result: AuditResult, titles: ReadonlyMap<string, string>): Html {
  const { summary } = result;
  const cards = SEVERITIES.map(
    (s) =>
      markup`<button type="button" class="card ${s}" data-only-severity="${s}" title="Show only ${s}s"><b id="count-${s}">${summary[s]}</b>${s}s</button>`,
  );
  const { baseline } = result;
  const extra = [
    summary.suppressed > 0 ? `${summary.suppressed} suppressed` : '',
    summary.notEvaluated > 0 ? plural(summary.notEvaluated, 'not-evaluated record') : '',
    baseline
      ? `baseline ${baseline.file}: ${baseline.new} new, ${baseline.unchanged} recorded in it, ${plural(baseline.absent.length, 'entry', 'entries')} fixed since`
      : '',
  ].filter((e) => e !== '');
  return markup`<section id="summary">
<h2>Summary</h2>
<div class="cards">${cards}</div>
${extra.length > 0 ? markup`<p>${extra.join(', ')}.</p>` : ''}
${summaryTables(result, titles)}
</section>`;
}

function filtersForm(result: AuditResult, rendered: readonly Finding[]): Html {
  const rules = [...new Set(result.findings.map((f) => f.ruleId))].sort();
  const apis = [...new Set(result.findings.map(apiOf))].sort();
  const severities = SEVERITIES.map(
    (s) => markup`<label><input type="checkbox" name="severity" value="${s}" checked> ${s}</label>`,
  );
  return markup`<form id="filters" role="search">
<fieldset><legend>Severity</legend>${severities}</fieldset>
<label>Rule <select id="filter-rule"><option value="">all rules</option>${rules.map((r) => markup`<option value="${r}">${r}</option>`)}</select></label>
<label>API <select id="filter-api"><option value="">all APIs</option>${apis.map((a) => markup`<option value="${a}">${a}</option>`)}</select></label>
<label>Resource <input type="search" id="filter-resource" placeholder="name, id or file"></label>
<label><input type="checkbox" id="filter-suppressed"> suppressed</label>
<button type="button" id="filter-reset">Reset</button>
<span>Showing <b id="shown-count">${rendered.length}</b> of ${rendered.length}</span>
</form>`;
}

interface Anchors {
  /** Rule id -> its number in the rules section. */
  rules: ReadonlyMap<string, number>;
  /** Fingerprint -> the chains (0-based) it is on. */
  chains: ReadonlyMap<string, number[]>;
}

function findingRows(finding: Finding, where: string, anchors: Anchors): Html[] {
  const rows: Html[] = [
    markup`<dt>Location</dt><dd class="mono">${where}</dd>`,
    markup`<dt>Resource</dt><dd>${resourceLabel(finding.resource)} <span class="meta mono">${finding.resource.id}</span></dd>`,
  ];
  if (finding.detail) rows.push(markup`<dt>Detail</dt><dd><pre>${lines(finding.detail)}</pre></dd>`);
  if (finding.fix) {
    rows.push(markup`<dt>Fix</dt><dd><pre>${lines(finding.fix.text)}</pre></dd>`);
    if (finding.fix.command)
      rows.push(markup`<dt>Command</dt><dd><pre>${lines(finding.fix.command)}</pre></dd>`);
  }
  if (finding.suppressed) {
    const until = finding.suppressed.expires ? ` (until ${finding.suppressed.expires})` : '';
    rows.push(markup`<dt>Suppressed</dt><dd>${finding.suppressed.justification}${until}</dd>`);
  }
  const rule = anchors.rules.get(finding.ruleId);
  if (rule !== undefined) {
    rows.push(
      markup`<dt>Remediation</dt><dd><a href="#rule-${rule}">${finding.ruleId}: why, and how to fix it per tool</a></dd>`,
    );
  }
  const chains = (anchors.chains.get(finding.fingerprint) ?? []).map(
    (i, k) => markup`${k > 0 ? ', ' : ''}<a href="#chain-${i + 1}">chain ${i + 1}</a>`,
  );
  if (chains.length > 0) rows.push(markup`<dt>Effective policy</dt><dd>${chains}</dd>`);
  return rows;
}

function findingHtml(finding: Finding, index: number, anchors: Anchors): Html {
  const where = locationLabel(finding.location) ?? finding.logicalLocation.fullyQualifiedName;
  const { resource } = finding;
  const search = [
    resource.kind,
    resource.name,
    resource.id,
    where,
    finding.logicalLocation.fullyQualifiedName,
  ]
    .join(' ')
    .toLowerCase();
  const classes = `finding ${finding.severity}${finding.suppressed ? ' suppressed' : ''}`;
  const suppressed = finding.suppressed
    ? markup` <span class="meta">(suppressed)</span>`
    : finding.baseline === 'unchanged'
      ? markup` <span class="meta">(recorded in the baseline)</span>`
      : '';
  return markup`<article class="${classes}" id="finding-${index + 1}" data-severity="${finding.severity}" data-rule="${finding.ruleId}" data-api="${apiOf(finding)}" data-suppressed="${finding.suppressed ? 'true' : 'false'}" data-search="${search}">
<div class="head"><span class="sev ${finding.severity}">${finding.severity}</span> <code>${finding.ruleId}</code> <span class="message">${finding.message}</span>${suppressed}</div>
<dl>${findingRows(finding, where, anchors)}</dl>
</article>`;
}

function findingsSection(result: AuditResult, anchors: Anchors): Html {
  if (result.findings.length === 0) return markup``;
  const rendered = result.findings.slice(0, MAX_RENDERED_FINDINGS);
  const left = result.findings.length - rendered.length;
  const capped =
    left > 0
      ? markup`<p class="banner" id="findings-capped">${left} more findings are not shown on this page (it shows the first ${MAX_RENDERED_FINDINGS}, in report order); the JSON and SARIF reports list all of them. The summary counts all.</p>`
      : '';
  return markup`<section id="findings">
<h2>Findings (${result.findings.length})</h2>
${filtersForm(result, rendered)}
${capped}
<p id="no-match" hidden>No finding matches the filters.</p>
${rendered.map((f, i) => findingHtml(f, i, anchors))}
</section>`;
}

function rulesSection(result: AuditResult, shown: readonly RuleDescriptor[], options: ReporterOptions): Html {
  if (shown.length === 0) return markup``;
  const counts = countBy(result.findings, (f) => f.ruleId);
  const items = shown.map((rule, i) => {
    const doc = options.ruleDocs?.[rule.id];
    const remediation = remediationOf(doc);
    const href = doc?.helpUri ? safeHref(doc.helpUri) : undefined;
    const c = counts.get(rule.id);
    const link = href ? markup`; <a href="${href}" rel="noreferrer noopener">rule documentation</a>` : '';
    const text = remediation
      ? markup`<pre class="doc">${lines(remediation)}</pre>`
      : markup`<p class="meta">No remediation text was found for this rule.</p>`;
    return markup`<article class="rule" id="rule-${i + 1}">
<h3><code>${rule.id}</code> \u2014 ${rule.meta.title}</h3>
<p class="meta">level ${rule.level}; tags ${rule.meta.tags.join(', ')}${c ? `; ${total(c)} findings` : ''}${link}</p>
${text}
</article>`;
  });
  return markup`<section id="rules"><h2>Rules and remediation</h2>${items}</section>`;
}

/** Which findings sit on which policy chain, both ways. */
function chainLinks(result: AuditResult): {
  chains: Map<string, number[]>;
  refs: Map<string, ChainFindingRef>;
} {
  const chains = new Map<string, number[]>();
  (result.policyChains?.chains ?? []).forEach((chain, i) => {
    for (const fp of chain.findings) chains.set(fp, [...(chains.get(fp) ?? []), i]);
  });
  const refs = new Map<string, ChainFindingRef>();
  result.findings.forEach((f, i) => {
    if (!chains.has(f.fingerprint) || refs.has(f.fingerprint)) return;
    const anchor = i < MAX_RENDERED_FINDINGS ? `finding-${i + 1}` : undefined;
    refs.set(f.fingerprint, { anchor, label: `${f.severity} ${f.ruleId}: ${f.message}` });
  });
  return { chains, refs };
}

export function htmlReporter(result: AuditResult, options: ReporterOptions): string {
  // The rules the page speaks of: those with findings or not-evaluated records, in the result's order.
  const named = new Set([
    ...result.findings.map((f) => f.ruleId),
    ...result.notEvaluated.map((r) => r.ruleId),
  ]);
  const shownRules = result.rules.filter((r) => named.has(r.id));
  const titles = new Map(result.rules.map((r) => [r.id, r.meta.title]));
  const { chains, refs } = chainLinks(result);
  const anchors: Anchors = { rules: new Map(shownRules.map((r, i) => [r.id, i + 1])), chains };
  const title = `${TOOL_NAME} report${result.complete ? '' : ' (incomplete)'}`;
  // The style and script are the tool's own constants, allowed by their hashes in the policy.
  const page = markup`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
${headerSection(result, options)}
${bannerSection(result)}
${configurationSection(result)}
${summarySection(result, titles)}
${findingsSection(result, anchors)}
${chainsSection(result.policyChains, refs)}
${limitsSection(result)}
${rulesSection(result, shownRules, options)}
<script>${new Html(SCRIPT)}</script>
</body>
</html>
`;
  return page.text;
}
