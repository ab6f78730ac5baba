/**
 * The HTML report's only style sheet and script, inline, and the Content-Security-Policy that allows exactly
 * these two by their SHA-256 hashes: nothing else runs or loads, from a file:// page or a web server alike. The
 * script only filters what the page already shows (it sets `hidden` and `textContent`, never HTML).
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root { color-scheme: light; --error: #b42318; --warning: #b54708; --note: #175cd3; --ok: #067647;
  --muted: #667085; --line: #d0d5dd; --bg: #f9fafb; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: #101828; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 12px 0 4px; } h4 { font-size: 14px; margin: 10px 0 4px; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
.meta { color: var(--muted); }
.banner { border: 2px solid var(--error); background: #fef3f2; color: var(--error); padding: 10px 14px; margin: 12px 0;
  font-size: 16px; font-weight: 600; border-radius: 6px; }
.config { border: 1px solid var(--warning); background: #fffaeb; padding: 8px 14px; margin: 12px 0; border-radius: 6px; }
.config ul { margin: 4px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; background: var(--bg); min-width: 110px;
  text-align: left; font: inherit; cursor: pointer; }
.card b { display: block; font-size: 22px; }
.card.error b { color: var(--error); } .card.warning b { color: var(--warning); } .card.note b { color: var(--note); }
table { border-collapse: collapse; margin: 6px 0; } th, td { border-bottom: 1px solid var(--line); padding: 4px 10px;
  text-align: left; vertical-align: top; } th { background: var(--bg); }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
button.link { border: 0; background: none; text-align: left; color: var(--note); cursor: pointer; padding: 0; font: inherit; text-decoration: underline; }
#filters { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; position: sticky; top: 0; z-index: 1; }
#filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 8px; align-items: center; }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 4px; padding: 8px 12px; margin: 8px 0; }
.finding.error { border-left-color: var(--error); } .finding.warning { border-left-color: var(--warning); }
.finding.note { border-left-color: var(--note); } .finding.suppressed { opacity: 0.7; }
.finding .head { font-weight: 600; }
.sev { display: inline-block; border-radius: 3px; padding: 0 6px; color: #fff; font-size: 12px; font-weight: 600; }
.sev.error { background: var(--error); } .sev.warning { background: var(--warning); } .sev.note { background: var(--note); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0; }
dt { color: var(--muted); } dd { margin: 0; }
details > summary { cursor: pointer; }
.chain { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 10px 0; }
.chain > summary { font-weight: 600; }
.verdict { font-weight: 600; } .v-validated { color: var(--ok); } .v-lost, .v-none { color: var(--error); }
.v-conditional, .v-unknown { color: var(--warning); }
.scopes { list-style: none; padding: 0; margin: 4px 0; }
.scope { border-left: 3px solid var(--line); padding: 2px 10px; margin: 4px 0; }
.scope.none { color: var(--muted); }
.outline { background: var(--bg); border-radius: 4px; padding: 4px 8px; }
.ol { white-space: pre-wrap; word-break: break-word; }
.d1 { padding-left: 2ch; } .d2 { padding-left: 4ch; } .d3 { padding-left: 6ch; } .d4 { padding-left: 8ch; }
.d5 { padding-left: 10ch; } .d6 { padding-left: 12ch; } .d7 { padding-left: 14ch; } .d8 { padding-left: 16ch; }
.mark-lost, .mark-dropped { background: #fee4e2; outline: 2px solid var(--error); }
.mark-dropped .t { text-decoration: line-through; }
.mark-drops, .mark-conditional { background: #fef0c7; outline: 1px solid var(--warning); }
.mark-runs { background: #dcfae6; }
.ol .note { font-family: system-ui, sans-serif; font-weight: 600; color: var(--error); }
.mark-drops .note, .mark-conditional .note { color: var(--warning); } .mark-runs .note { color: var(--ok); }
.finding-here::after { content: " \\25C0 finding"; color: var(--note); font-family: system-ui, sans-serif; font-weight: 600; }
.legend span { margin-right: 12px; padding: 0 4px; }
[hidden] { display: none !important; }
@media print { #filters { display: none; } details { display: block; } }
`;

export const SCRIPT = `
(function () {
  'use strict';
  var form = document.getElementById('filters');
  if (!form) return;
  var findings = Array.prototype.slice.call(document.querySelectorAll('#findings .finding'));
  var shownCount = document.getElementById('shown-count');
  var empty = document.getElementById('no-match');
  var rule = document.getElementById('filter-rule');
  var api = document.getElementById('filter-api');
  var resource = document.getElementById('filter-resource');
  var suppressed = document.getElementById('filter-suppressed');
  var severities = Array.prototype.slice.call(form.querySelectorAll('input[name="severity"]'));
  function apply() {
    var wanted = {};
    severities.forEach(function (box) { wanted[box.value] = box.checked; });
    var text = resource.value.trim().toLowerCase();
    var shown = 0;
    findings.forEach(function (el) {
      var d = el.dataset;
      var ok = wanted[d.severity] === true &&
        (rule.value === '' || d.rule === rule.value) &&
        (api.value === '' || d.api === api.value) &&
        (text === '' || d.search.indexOf(text) >= 0) &&
        (suppressed.checked || d.suppressed !== 'true');
      el.hidden = !ok;
      if (ok) shown++;
    });
    shownCount.textContent = String(shown);
    empty.hidden = shown !== 0;
  }
  function show() {
    apply();
    document.getElementById('findings').scrollIntoView();
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  document.getElementById('filter-reset').addEventListener('click', function () {
    severities.forEach(function (box) { box.checked = true; });
    rule.value = ''; api.value = ''; resource.value = ''; suppressed.checked = false;
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-only-severity]'), function (button) {
    button.addEventListener('click', function () {
      severities.forEach(function (box) { box.checked = box.value === button.dataset.onlySeverity; });
      show();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-only-rule]'), function (button) {
    button.addEventListener('click', function () { rule.value = button.dataset.onlyRule; show(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-only-api]'), function (button) {
    button.addEventListener('click', function () { api.value = button.dataset.onlyApi; show(); });
  });
  apply();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page loads nothing and runs nothing but the style and script above (no fonts, images, frames or fetches). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
