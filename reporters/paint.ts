/**
 * ANSI styling for the text report: plain SGR codes, no dependency. Each style resets only what it set, so styles
 * nest, and stripping the codes gives back the uncoloured report exactly (colour never changes the content). The
 * set is small on purpose: test/security/leaks-text-escaping.test.ts allows exactly these codes in a report.
 */
import type { Severity } from '../src/severity';

export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green';

const ANSI: Readonly<Record<Style, readonly [string, string]>> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
};

export const SEVERITY_STYLE: Readonly<Record<Severity, Style>> = {
  error: 'red',
  warning: 'yellow',
  note: 'cyan',
};

export type Paint = (text: string, ...styles: Style[]) => string;

/** Styles applied inside out: `paint(t, 'red', 'bold')` is bold around red around `t`. */
export function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduce((acc, style) => `${ANSI[style][0]}${acc}${ANSI[style][1]}`, text);
}
