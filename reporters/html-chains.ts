/**
 * The HTML report's "effective policies" section: for the operations policy findings point at, each call path's
 * scopes broadest first (global, workspace, product, API, operation), each scope's inbound section outlined, and
 * the line that lost the token validation highlighted. The data is the audit's (`AuditResult.policyChains`,
 * src/engine/policy-chains.ts): already bounded and redacted; here it is only laid out and escaped.
 */
import type {
  ChainLine,
  ChainPath,
  ChainScope,
  ChainValidation,
  PolicyChain,
  PolicyChainsView,
} from '../src/engine/policy-chain-types';
import { locationLabel } from './common';
import { markup, type Html } from './html-escape';

const SCOPE_TITLES: Readonly<Record<ChainScope['scope'], string>> = {
  global: 'Global (all APIs)',
  workspace: 'Workspace',
  product: 'Product',
  api: 'API',
  operation: 'Operation',
};

const VALIDATION_WORDS: Readonly<Record<ChainValidation, string>> = {
  validated: 'token validated',
  conditional: 'validated only conditionally',
  lost: 'token validation lost',
  none: 'no token validation',
  unknown: 'not known',
};

/** A finding of the report as a chain links to it: its anchor (when rendered) and how it reads. */
export interface ChainFindingRef {
  anchor: string | undefined;
  label: string;
}

function lineHtml(line: ChainLine): Html {
  const classes = [
    'ol',
    `d${Math.min(line.depth, 8)}`,
    line.mark ? `mark-${line.mark}` : '',
    line.finding ? 'finding-here' : '',
  ]
    .filter((c) => c !== '')
    .join(' ');
  const where = line.location ? locationLabel(line.location) : undefined;
  const mark = line.mark ? markup` data-mark="${line.mark}"` : '';
  const title = where ? markup` title="${where}"` : '';
  const note = line.note ? markup` <span class="note">\u2190 ${line.note}</span>` : '';
  return markup`<div class="${classes}"${mark}${title}><span class="t">${line.text}</span>${note}</div>`;
}

function scopeHtml(scope: ChainScope): Html {
  const where = scope.location ? locationLabel(scope.location) : undefined;
  const place = where ? markup` <span class="meta mono">${where}</span>` : '';
  const head = markup`<div><b>${SCOPE_TITLES[scope.scope]}</b> ${scope.name}${place}</div>`;
  if (scope.state === 'none') {
    return markup`<li class="scope none">${head}<div>no policy in the data at this scope</div></li>`;
  }
  if (scope.state === 'unreadable') {
    const reason = scope.reason ?? '';
    return markup`<li class="scope unreadable">${head}<div class="verdict v-unknown">not readable: ${reason}</div></li>`;
  }
  if (scope.inbound.length === 0) {
    return markup`<li class="scope">${head}<div class="meta">no inbound section: it changes nothing for inbound</div></li>`;
  }
  const more =
    scope.omittedLines > 0
      ? markup`<div class="meta">\u2026 ${scope.omittedLines} more lines not shown</div>`
      : '';
  return markup`<li class="scope">${head}<div class="outline mono">${scope.inbound.map(lineHtml)}${more}</div></li>`;
}

function pathHtml(path: ChainPath): Html {
  const statements = path.effective.map((s) => {
    const when =
      s.conditions.length > 0 ? markup` <span class="meta">when ${s.conditions.join(' and ')}</span>` : '';
    const mark = s.mark ? markup` class="mark-${s.mark}"` : '';
    return markup`<li${mark}><code>${s.element}</code> \u2014 ${s.source}${when}</li>`;
  });
  const more =
    path.omittedStatements > 0 ? markup`<li class="meta">\u2026 ${path.omittedStatements} more</li>` : '';
  const count = path.effective.length + path.omittedStatements;
  return markup`<div class="path">
<h4>${path.description}</h4>
<p class="verdict v-${path.validation}">${VALIDATION_WORDS[path.validation]}: ${path.summary}</p>
<ol class="scopes">${path.scopes.map(scopeHtml)}</ol>
<details><summary>What runs in inbound on this path (${count} statements)</summary>
<ol>${statements}${more}</ol></details>
</div>`;
}

/** Worst first: a chain's heading shows its worst path's verdict. */
const VALIDATION_ORDER: readonly ChainValidation[] = ['lost', 'none', 'conditional', 'unknown', 'validated'];

function chainHtml(chain: PolicyChain, index: number, findings: ReadonlyMap<string, ChainFindingRef>): Html {
  const worst = VALIDATION_ORDER.find((v) => chain.paths.some((p) => p.validation === v)) ?? 'unknown';
  const more = chain.operationCount - chain.operations.length;
  const names = `${chain.operations.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const operations = chain.operationCount === 1 ? 'operation' : `${chain.operationCount} operations`;
  const refs = chain.findings.map((fp) => {
    const ref = findings.get(fp);
    if (!ref) return '';
    return markup`<li>${ref.anchor ? markup`<a href="#${ref.anchor}">${ref.label}</a>` : ref.label}</li>`;
  });
  const morePaths =
    chain.omittedPaths > 0
      ? markup`<p class="meta">\u2026 ${chain.omittedPaths} more call paths not shown</p>`
      : '';
  // The first chains are open: the ones the first findings point at.
  return markup`<details class="chain" id="chain-${index + 1}"${index < 3 ? ' open' : ''}>
<summary><span class="verdict v-${worst}">${VALIDATION_WORDS[worst]}</span> \u2014 API ${chain.api}: ${operations} ${names}</summary>
<div>Findings on this chain:</div><ul>${refs}</ul>
${chain.paths.map(pathHtml)}${morePaths}
</details>`;
}

export function chainsSection(
  view: PolicyChainsView | undefined,
  findings: ReadonlyMap<string, ChainFindingRef>,
): Html {
  if (!view || view.chains.length === 0) return markup``;
  const omitted =
    view.omittedChains > 0
      ? markup`<p class="meta">${view.omittedChains} more chains (${view.omittedOperations} operations) not shown.</p>`
      : '';
  return markup`<section id="chains">
<h2>Effective policies behind policy findings (${view.chains.length})</h2>
<p>For each operation a policy finding points at: the inbound policy of every scope on each call path, broadest
first. A section without <code>&lt;base /&gt;</code> drops everything broader scopes run.</p>
<p class="legend"><span class="mark-lost">inbound without &lt;base /&gt; that loses token validation</span><span class="mark-dropped">validation that does not run</span><span class="mark-drops">&lt;base /&gt; missing, other statements dropped</span><span class="mark-conditional">runs only under a condition</span><span class="mark-runs">runs on every request</span><span class="finding-here">line a finding points at</span></p>
${omitted}${view.chains.map((chain, i) => chainHtml(chain, i, findings))}
</section>`;
}
