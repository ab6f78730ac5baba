/**
 * The APIM policy document model: what the tolerant parser produces and the effective-policy composer reads.
 * Offsets are character offsets into the policy text exactly as given (the decoded JSON string value, or the
 * XML file text without BOM), so `PositionIndex.locateOffset(origin.pointer, offset)` gives file/line/column.
 */

export interface PolicyAttribute {
  name: string;
  /** The value with XML entities decoded once (`&quot;` -> `"`); policy expressions stay verbatim text. */
  value: string;
  /** Offset of the attribute name. */
  offset: number;
  /** Offset of the first character of the value (after the opening quote). */
  valueOffset: number;
}

export interface PolicyElement {
  type: 'element';
  name: string;
  attributes: PolicyAttribute[];
  children: PolicyNode[];
  /** Offset of the `<` that opens the element. */
  offset: number;
  /** Offset just after the element's end (after `/>` or the closing tag's `>`). */
  end: number;
  selfClosing: boolean;
}

export interface PolicyText {
  type: 'text';
  /** Entities decoded once; an expression like `@(a && b)` stays as written. */
  value: string;
  offset: number;
  /** True when the text is (or contains) a policy expression `@(...)` / `@{...}`. */
  expression: boolean;
}

export interface PolicyComment {
  type: 'comment';
  value: string;
  offset: number;
}

export interface PolicyCData {
  type: 'cdata';
  value: string;
  offset: number;
}

export type PolicyNode = PolicyElement | PolicyText | PolicyComment | PolicyCData;

export interface PolicyParseError {
  message: string;
  offset: number;
}

/**
 * A parsed document. `root` is present whenever the text could be read as a document (possibly after
 * tolerant recovery, which is reported in `warnings`); `error` is set when it is broken beyond repair.
 */
export interface ParsedPolicy {
  root: PolicyElement | undefined;
  error: PolicyParseError | undefined;
  /** Recoverable problems (e.g. an unclosed element closed at end of input). */
  warnings: PolicyParseError[];
}
