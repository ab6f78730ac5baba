/**
 * Word wrapping for the text report's indented lines (a finding's detail, fix and command). Widths count UTF-16
 * code units, which is the terminal's column count for the ASCII and Latin text the rules write; wide (CJK, emoji)
 * characters are not measured specially.
 */

/**
 * `text` broken at spaces into lines of at most `firstWidth` (the first line) and `restWidth` (the others)
 * characters. A word longer than its line is never broken: it stands alone on a line and overflows, so a URL or a
 * path stays whole for copying and for the terminal's link detection.
 */
export function wrapWords(text: string, firstWidth: number, restWidth = firstWidth): string[] {
  return pack(
    text.split(' ').filter((word) => word !== ''),
    (index) => (index === 0 ? firstWidth : restWidth),
  );
}

/**
 * A POSIX shell command broken between its arguments into lines that each end with ` \`, so the wrapped text,
 * copied as a whole, is still the same command. It breaks only at spaces outside single quotes (a quoted JSON body
 * or URL stays on one line: a backslash-newline inside quotes would become part of the argument), and never between
 * an option and its value (`--uri '...'`). A line with its ` \` fits the width; every line keeps room for it,
 * the last one too (greedy, without look-ahead).
 */
export function wrapCommand(command: string, firstWidth: number, restWidth = firstWidth): string[] {
  const continuation = ' \\';
  const lines = pack(withOptionValues(shellWords(command)), (index) =>
    Math.max(1, (index === 0 ? firstWidth : restWidth) - continuation.length),
  );
  return lines.map((line, index) => (index < lines.length - 1 ? `${line}${continuation}` : line));
}

/** Greedy packing: each line takes words while they fit; a line always takes at least one word. */
function pack(words: readonly string[], widthOf: (lineIndex: number) => number): string[] {
  const lines: string[] = [];
  let current: string | undefined;
  for (const word of words) {
    if (current === undefined) current = word;
    else if (current.length + 1 + word.length <= widthOf(lines.length)) current = `${current} ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== undefined) lines.push(current);
  return lines;
}

/** `--set`, `x=1` -> `--set x=1`: an option and the value after it, as one unit for wrapping. */
function withOptionValues(words: readonly string[]): string[] {
  const units: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    const next = words[i + 1];
    if (word.startsWith('-') && next !== undefined && !next.startsWith('-')) {
      units.push(`${word} ${next}`);
      i += 1;
    } else units.push(word);
  }
  return units;
}

/**
 * The command's arguments as written (quotes kept): split at spaces that are neither inside single quotes nor
 * escaped by a backslash. `'it'\''s'` (the quoting src/engine/fix.ts writes) is one argument.
 */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < command.length; i += 1) {
    const char = command.charAt(i);
    if (quoted) {
      if (char === "'") quoted = false;
      current += char;
    } else if (char === '\\' && i + 1 < command.length) {
      current += char + command.charAt(i + 1);
      i += 1;
    } else if (char === "'") {
      quoted = true;
      current += char;
    } else if (char === ' ') {
      if (current !== '') words.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') words.push(current);
  return words;
}
