/**
 * A small HCL *block locator* (not a parser): finds the blocks of `.tf` text (`resource "<type>" "<name>" { ... }`),
 * with the positions of their attributes and nested blocks, and the body lines of heredoc strings. It understands
 * exactly as much syntax as skipping an expression needs (strings with `${...}`, heredocs, brackets, comments).
 * Kept apart from hcl.ts, which uses the blocks found here, because scanning is self-contained.
 */
export interface HclAttribute {
  name: string;
  /** Offset of the attribute name and of the first character of its expression. */
  nameOffset: number;
  valueOffset: number;
  /** Offset just after the expression. */
  valueEnd: number;
  heredoc?: HclHeredoc;
}

export interface HclHeredoc {
  /** `<<-` strips the common leading whitespace of the body lines. */
  indented: boolean;
  /** Offsets of the body lines (the line after `<<ID` up to the line before the closing `ID`). */
  lines: { start: number; end: number }[];
}

export interface HclBlock {
  type: string;
  labels: string[];
  offset: number;
  attributes: Map<string, HclAttribute>;
  blocks: HclBlock[];
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;
/** Opening bracket -> closing bracket. */
const CLOSING = new Map([
  ['{', '}'],
  ['(', ')'],
  ['[', ']'],
]);

/** Scans `.tf` text into its top-level blocks (tolerant: unknown syntax is skipped, never thrown on). */
export function scanHcl(text: string): HclBlock[] {
  const scanner = new Scanner(text);
  return scanner.body(-1).blocks;
}

class Scanner {
  private pos = 0;
  constructor(private readonly text: string) {}

  private peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  /** Skips spaces, tabs, newlines and comments. */
  private skipTrivia(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) this.skipToEol();
      else if (c === '/' && this.peek(1) === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        this.pos = end < 0 ? this.text.length : end + 2;
      } else return;
    }
  }

  private skipToEol(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private ident(): string | undefined {
    if (!IDENT_START.test(this.peek())) return undefined;
    const start = this.pos;
    while (this.pos < this.text.length && IDENT_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A body up to the `}` at `this.pos` (or the end of the text for the file body, `open` = -1). */
  body(open: number): { attributes: Map<string, HclAttribute>; blocks: HclBlock[] } {
    const attributes = new Map<string, HclAttribute>();
    const blocks: HclBlock[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.pos >= this.text.length) return { attributes, blocks };
      if (this.peek() === '}' && open >= 0) {
        this.pos++;
        return { attributes, blocks };
      }
      const start = this.pos;
      const name = this.ident();
      if (name === undefined) {
        this.skipExpression();
        if (this.pos === start) this.pos++;
        continue;
      }
      this.skipTrivia(false);
      if (this.peek() === '=' && this.peek(1) !== '=') {
        this.pos++;
        this.skipTrivia(false);
        const valueOffset = this.pos;
        const heredoc = this.heredocAt();
        if (!heredoc) this.skipExpression();
        const attribute: HclAttribute = { name, nameOffset: start, valueOffset, valueEnd: this.pos };
        if (heredoc) attribute.heredoc = heredoc;
        if (!attributes.has(name)) attributes.set(name, attribute);
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.skipTrivia(false);
        if (this.peek() === '"') {
          const labelStart = this.pos + 1;
          this.skipString();
          labels.push(this.text.slice(labelStart, this.pos - 1));
        } else {
          const label = this.ident();
          if (label === undefined) break;
          labels.push(label);
        }
      }
      if (this.peek() === '{') {
        this.pos++;
        const inner = this.body(this.pos - 1);
        blocks.push({ type: name, labels, offset: start, ...inner });
      } else {
        this.skipToEol();
      }
    }
  }

  /** A heredoc `<<ID` / `<<-ID` at the cursor: skips it and returns its body lines. */
  private heredocAt(): HclHeredoc | undefined {
    const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(
      this.text.slice(this.pos, this.pos + 200),
    );
    if (!match) return undefined;
    const marker = match[2] ?? '';
    let lineStart = this.pos + match[0].length;
    const lines: { start: number; end: number }[] = [];
    while (lineStart < this.text.length) {
      const newline = this.text.indexOf('\n', lineStart);
      const lineEnd = newline < 0 ? this.text.length : newline;
      const content = this.text.slice(lineStart, lineEnd).replace(/\r$/, '');
      if (content.trim() === marker) {
        this.pos = lineStart + content.length;
        return { indented: match[1] === '-', lines };
      }
      lines.push({ start: lineStart, end: lineStart + content.length });
      lineStart = lineEnd + 1;
    }
    this.pos = this.text.length;
    return { indented: match[1] === '-', lines };
  }

  /** A quoted string starting at the cursor (`"`), including `${ ... }` interpolations. */
  private skipString(): void {
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return;
      } else if ((c === '$' || c === '%') && this.peek(1) === '{') {
        this.pos += 2;
        this.skipNested('}');
      } else if (c === '\n') return;
      else this.pos++;
    }
  }

  /** At an opening bracket: skips it and everything up to and including its closing bracket. */
  private skipBracketed(open: string): void {
    this.pos++;
    this.skipNested(CLOSING.get(open) ?? '');
  }

  /** Skips up to and including the closing bracket, honouring nested brackets and strings. */
  private skipNested(close: string): void {
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === close) {
        this.pos++;
        return;
      }
      if (c === '"') this.skipString();
      else if (CLOSING.has(c)) this.skipBracketed(c);
      else if (c === '#' || (c === '/' && (this.peek(1) === '/' || this.peek(1) === '*')))
        this.skipTrivia(false);
      else if (c === '<' && this.peek(1) === '<' && this.heredocAt()) continue;
      else this.pos++;
    }
  }

  /** An expression up to the end of its line (brackets may span lines), or the `}` closing the body. */
  skipExpression(): void {
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '\n' || c === '}') return;
      if (c === '"') this.skipString();
      else if (CLOSING.has(c)) this.skipBracketed(c);
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) this.skipToEol();
      else if (c === '/' && this.peek(1) === '*') this.skipTrivia(false);
      else if (c === '<' && this.peek(1) === '<' && this.heredocAt()) continue;
      else this.pos++;
    }
  }
}
