/**
 * HTML built from untrusted strings. Every value interpolated into a `markup` template is escaped (`& < > " '`
 * become entities, control and bidi characters are shown as escapes, as in the text report), unless it is
 * already `Html` made by this module: there is no other way to put text into the report. Templates quote every
 * attribute with `"`, so an escaped value cannot leave its attribute.
 */
import { escapeText } from '../src/util/escape';

export class Html {
  constructor(readonly text: string) {}
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function entities(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** One line of untrusted text, for element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return entities(escapeText(text));
}

/** Multi-line untrusted text (detail, fix, rule docs): each line escaped, line breaks kept. */
export function lines(text: string): Html {
  return new Html(text.split('\n').map(escapeHtml).join('\n'));
}

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  if (part === null || part === undefined || part === false || part === true) return '';
  return escapeHtml(String(part));
}

/** A template (not named `html`: Prettier would format it as HTML) whose every interpolation is escaped (arrays are joined; `Html` is kept as it is). */
export function markup(strings: TemplateStringsArray, ...values: readonly Part[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(text);
}

/** A link only for http(s) URLs (a `javascript:` or `data:` URL from a plugin's docs stays text). */
export function safeHref(url: string): string | undefined {
  return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}
