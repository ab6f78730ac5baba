/**
 * The HTML report's "what limits this report" section: rules not evaluated (and on what), source gaps, rule crashes
 * and expired suppressions, in the wording every report shares (./common.ts).
 */
import type { AuditResult, NotEvaluatedRecord } from '../src/engine/types';
import { crashMessage, expiredSuppressionMessage, gapMessage, notEvaluatedSubject, plural } from './common';
import { markup, type Html } from './html-escape';

/** Names a grouped not-evaluated record lists on the page (the JSON and SARIF reports list them all). */
const MAX_NAMES = 20;

function notEvaluatedRow(record: NotEvaluatedRecord): Html {
  const subject = notEvaluatedSubject(record) ?? 'the rule as a whole';
  const names = record.resources.slice(0, MAX_NAMES).map((r) => `'${r.name}'`);
  const more = record.resources.length - names.length;
  const list = record.resources.length > 1 ? `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  const listed = list ? markup`<div class="meta">${list}</div>` : '';
  return markup`<tr><td><code>${record.ruleId}</code></td><td>${subject}</td><td>${record.reason}${listed}</td></tr>`;
}

function listHtml(id: string, title: string, items: readonly string[]): Html {
  if (items.length === 0) return markup``;
  return markup`<h3 id="${id}">${title} (${items.length})</h3><ul>${items.map((i) => markup`<li>${i}</li>`)}</ul>`;
}

function notEvaluatedHtml(result: AuditResult): Html {
  if (result.notEvaluated.length === 0) return markup``;
  const { notRun, partly } = result.summary.rulesNotEvaluated;
  const rules = `${plural(notRun.length + partly.length, 'rule')}: ${notRun.length} not run, ${partly.length} in part`;
  return markup`<h3 id="not-evaluated">Not evaluated (${rules})</h3>
<table><thead><tr><th>rule</th><th>about</th><th>why</th></tr></thead><tbody>${result.notEvaluated.map(notEvaluatedRow)}</tbody></table>`;
}

export function limitsSection(result: AuditResult): Html {
  const body = markup`${notEvaluatedHtml(result)}${listHtml('gaps', 'Source gaps', result.gaps.map(gapMessage))}${listHtml(
    'crashes',
    'Rule crashes',
    result.crashes.map(crashMessage),
  )}${listHtml('expired', 'Expired suppressions', result.expiredSuppressions.map(expiredSuppressionMessage))}`;
  const content =
    body.text === ''
      ? markup`<p>Every rule that is on was evaluated on all the data; no source gap, no crash.</p>`
      : body;
  return markup`<section id="limits">
<h2>What limits this report</h2>
${content}
</section>`;
}
