import { createHash } from 'node:crypto';
import { htmlReporter, MAX_RENDERED_FINDINGS, remediationOf } from '../../reporters/html';
import { escapeHtml, markup } from '../../reporters/html-escape';
import type { AuditResult } from '../../src/engine/types';
import { DOCS, FINDINGS, OPTIONS, cleanResult, fullResult } from './sample-result';
import { PAYLOADS, XSS_OPTIONS, xssResult } from './xss-result';
import { baselineComparison, findingAt, resultWith } from './ci-formats-helpers';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function between(text: string, open: string, close: string): string {
  const start = text.indexOf(open) + open.length;
  return text.slice(start, text.indexOf(close, start));
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('html reporter: structure', () => {
  const page = htmlReporter(fullResult(), OPTIONS);

  it('is one self-contained document: one inline style, one inline script, nothing loaded', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(count(page, '<style>')).toBe(1);
    expect(count(page, '<script')).toBe(1);
    for (const loads of ['<link', '<img', '<iframe', '<object', '<embed', ' src=', '@import', 'url(']) {
      expect({ loads, found: page.includes(loads) }).toEqual({ loads, found: false });
    }
  });

  it('allows exactly its own style and script by hash in a Content-Security-Policy meta', () => {
    const csp = between(page, '<meta http-equiv="Content-Security-Policy" content="', '"').replace(
      /&#39;/g,
      "'",
    );
    const style = between(page, '<style>', '</style>');
    const script = between(page, '<script>', '</script>');
    expect(csp).toBe(
      `default-src 'none'; style-src ${sha256(style)}; script-src ${sha256(script)}; base-uri 'none'; form-action 'none'`,
    );
    expect(csp).not.toContain('unsafe');
  });

  it('shows the summary, every finding with its detail, fix and remediation link, and the limits', () => {
    expect(between(page, '<b id="count-error">', '<')).toBe(String(fullResult().summary.error));
    expect(count(page, '<article class="finding ')).toBe(FINDINGS.length);
    for (const finding of fullResult().findings) {
      expect(page).toContain(escapeHtml(finding.message));
      expect(page).toContain(`data-rule="${finding.ruleId}"`);
    }
    expect(page).toContain('<dt>Fix</dt>');
    expect(page).toContain('<dt>Remediation</dt>');
    expect(page).toContain('id="by-rule"');
    expect(page).toContain('id="by-api"');
    expect(page).toContain('id="not-evaluated"');
    expect(page).toContain('Source gaps (1)');
    expect(page).toContain('Rule crashes (1)');
    expect(page).toContain('Expired suppressions (1)');
    // The rule's remediation, from its doc (context, not the result).
    expect(page).toContain(escapeHtml('az apim update --name contoso-apim'));
  });

  it('states an incomplete audit first, as an alert, and the configuration that weakens the gate', () => {
    const banner = page.indexOf('id="incomplete" role="alert"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(page.indexOf('id="summary"'));
    expect(page).toContain('Audit incomplete (1 rule crash, 1 source gap)');
    expect(page).toContain('This configuration weakens the gate');
  });

  it('ignores the colour option', () => {
    expect(htmlReporter(fullResult(), { ...OPTIONS, color: true })).toBe(page);
  });

  it('a clean, complete audit says so, without a banner', () => {
    const clean = htmlReporter(cleanResult(), OPTIONS);
    expect(clean).toContain('<p>No findings.</p>');
    expect(clean).not.toContain('id="incomplete"');
    expect(clean).not.toContain('<section id="findings">');
  });

  it('renders at most MAX_RENDERED_FINDINGS findings and says how many it left out', () => {
    const base = fullResult();
    const [first] = base.findings;
    const many: AuditResult = {
      ...base,
      findings: Array.from({ length: MAX_RENDERED_FINDINGS + 5 }, (_, i) => ({
        ...first!,
        fingerprint: `f${i}`,
      })),
    };
    const capped = htmlReporter(many, OPTIONS);
    expect(count(capped, '<article class="finding ')).toBe(MAX_RENDERED_FINDINGS);
    expect(capped).toContain('5 more findings are not shown on this page');
    expect(capped).toContain(`<h2>Findings (${MAX_RENDERED_FINDINGS + 5})</h2>`);
  });

  it('takes the remediation section of a rule doc, else its Why', () => {
    expect(remediationOf(DOCS['auth-server-v2-endpoints'])).toBe(
      '```bash\naz apim update --name contoso-apim\n```',
    );
    expect(remediationOf(DOCS['redirect-uri-safe'])).toContain('A redirect URI with a wildcard');
    expect(remediationOf(undefined)).toBeUndefined();
  });
});

describe('html reporter: escaping untrusted values', () => {
  const page = htmlReporter(xssResult(), XSS_OPTIONS);

  it('no payload survives as markup: one script element, one style element, no image, no handler', () => {
    expect(count(page, '<script')).toBe(1);
    expect(count(page, '</script>')).toBe(1);
    expect(count(page, '<style')).toBe(1);
    expect(count(page, '</style>')).toBe(1);
    expect(page).not.toContain('<img');
    // Every `<` outside the style and script starts a well-formed tag whose attributes are all quoted, and no
    // attribute is an event handler (escaped payloads read `onerror=` as text inside a quoted value).
    const body = page
      .replace('<!DOCTYPE html>', '')
      .replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, '');
    const TAG = /^<\/?[a-z][a-z0-9]*((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*\/?>/i;
    for (const at of body.matchAll(/</g)) {
      const tag = TAG.exec(body.slice(at.index));
      expect({ at: body.slice(at.index, at.index + 60), tag: tag !== null }).toEqual({
        at: body.slice(at.index, at.index + 60),
        tag: true,
      });
      const names = [...(tag?.[1] ?? '').matchAll(/\s+([a-z-]+)(?:="[^"]*")?/gi)].map((m) => m[1]);
      expect(names.filter((n) => n?.toLowerCase().startsWith('on'))).toEqual([]);
    }
    for (const payload of PAYLOADS) expect(page).not.toContain(payload);
  });

  it('every payload is shown as text, escaped', () => {
    for (const payload of PAYLOADS) expect(page).toContain(escapeHtml(payload));
    expect(page).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;');
  });

  it('attribute values cannot be left: quotes are entities', () => {
    for (const match of page.matchAll(/ data-[a-z]+="([^"]*)"/g)) {
      expect(match[1]).not.toMatch(/[<>'"]/);
    }
  });

  it('a javascript: doc link stays text; an https one is a link', () => {
    expect(page).not.toContain('href="javascript');
    expect(page).toContain('href="https://example.com/rules/policy-base-inherited.md"');
  });

  it('bidi and control characters are shown as escapes', () => {
    expect(page).not.toContain('\u202e');
    expect(page).toContain('\\u202E');
  });

  it('the policy chain is escaped too, with its marks', () => {
    expect(page).toContain('class="ol d1 mark-dropped" data-mark="dropped"');
    expect(page).toContain('class="ol d0 mark-lost finding-here" data-mark="lost"');
    expect(page).toContain(escapeHtml('<validate-jwt header-name="'));
  });
});

describe('markup templates', () => {
  it('escape every interpolation and keep nested markup', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    expect(markup`<p title="${'"x"'}">${inner}${['<', 1, undefined, false]}</p>`.text).toBe(
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;1</p>',
    );
  });
});

describe('html reporter with a baseline', () => {
  it('marks the findings the baseline records and counts new, recorded and fixed', () => {
    const result = resultWith([
      findingAt(1, 'error', { baseline: 'new' }),
      findingAt(2, 'error', { baseline: 'unchanged' }),
    ]);
    result.baseline = baselineComparison({ new: 1, unchanged: 1 });
    const page = htmlReporter(result, OPTIONS);
    expect(page).toContain('baseline .audit-baseline.json: 1 new, 1 recorded in it, 0 entries fixed since.');
    expect(page.match(/\(recorded in the baseline\)/g)).toHaveLength(1);
  });
});
