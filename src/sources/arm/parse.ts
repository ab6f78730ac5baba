/**
 * The syntax of ARM template expressions (`"[concat(parameters('a'), '/x')]"`): a parser into `ExprNode` trees.
 * Evaluating them is `expressions.ts`; the functions they call are `functions/`.
 */

export type ExprNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'ident'; name: string }
  | { kind: 'call'; name: string; args: ExprNode[] }
  | { kind: 'member'; object: ExprNode; name: string; optional: boolean }
  | { kind: 'index'; object: ExprNode; index: ExprNode; optional: boolean };

export class ExprSyntaxError extends Error {}

const MAX_EXPRESSION_DEPTH = 200;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): ExprNode {
    const node = this.expression();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos] ?? ''}'`);
    return node;
  }

  private fail(message: string): never {
    throw new ExprSyntaxError(`${message} at character ${this.pos + 1}`);
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  private expression(): ExprNode {
    // Each level recurses: a hostile `concat(concat(concat(...` must not overflow the stack.
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail(`nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    const node = this.postfix(this.primary());
    this.depth--;
    return node;
  }

  private postfix(start: ExprNode): ExprNode {
    let node = start;
    // A member or index chain nests the tree one level per link, and evaluation recurses down it: bounded like
    // nesting, so `json('{}').a.a.a…` cannot overflow the stack.
    for (let links = 0; ; links++) {
      if (links > MAX_EXPRESSION_DEPTH)
        this.fail(`a member or index chain longer than ${MAX_EXPRESSION_DEPTH} links`);
      const c = this.peek();
      if (c === '.') {
        this.pos++;
        const optional = this.text[this.pos] === '?';
        if (optional) this.pos++;
        node = { kind: 'member', object: node, name: this.identifier(), optional };
      } else if (c === '[' || (c === '?' && this.text[this.pos + 1] === '[')) {
        const optional = c === '?';
        this.pos += optional ? 2 : 1;
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', object: node, index, optional };
      } else {
        return node;
      }
    }
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private primary(): ExprNode {
    const c = this.peek();
    if (c === "'") return { kind: 'string', value: this.stringLiteral() };
    if (/[-0-9]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
      if (!match) this.fail('expected a number');
      this.pos += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    let name = this.identifier();
    // User-defined functions are called as `namespace.function(...)`.
    while (this.text[this.pos] === '.' && /^\.[A-Za-z_]\w*\s*\(/.test(this.text.slice(this.pos))) {
      this.pos++;
      name += '.' + this.identifier();
    }
    if (this.peek() !== '(') return { kind: 'ident', name };
    this.pos++;
    const args: ExprNode[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.expression());
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  private stringLiteral(): string {
    this.pos++; // opening quote
    let value = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string');
      this.pos++;
      if (c !== "'") {
        value += c;
      } else if (this.text[this.pos] === "'") {
        value += "'";
        this.pos++;
      } else {
        return value;
      }
    }
  }
}

const parsedCache = new Map<string, ExprNode | ExprSyntaxError>();

/** Parses an expression body (without the surrounding brackets); syntax errors come back as an error value. */
export function parseExpression(text: string): ExprNode | ExprSyntaxError {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    try {
      parsed = new Parser(text).parse();
    } catch (error) {
      if (!(error instanceof ExprSyntaxError)) throw error;
      parsed = error;
    }
    if (parsedCache.size > 20000) parsedCache.clear();
    parsedCache.set(text, parsed);
  }
  return parsed;
}

/** Whether a template string is an expression: `[...]`, but not the `[[` escape of a literal `[`. */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}
