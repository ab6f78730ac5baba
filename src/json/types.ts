/**
 * Positions in a source file, by JSON pointer or by offset into a text: what the engine needs to locate a finding.
 */
export interface Position {
  line: number;
  column: number;
}

/** Maps JSON pointers of one file to 1-based positions. */
export interface PositionIndex {
  /** Position of the value at `pointer`, or undefined when the pointer does not exist in the file. */
  locate(pointer: string): Position | undefined;
  /**
   * Position of the character at `offset` of the *decoded* string value at `pointer` (a policy inside a JSON
   * string, where escapes like `\n` and `\"` shift columns). For a plain text file (an XML policy file) the
   * pointer is `''` and the offset is into the file text.
   */
  locateOffset(pointer: string, offset: number): Position | undefined;
  /**
   * Character range of the value at `pointer` in the file text, when the file is one whose values are not JSON
   * (a `.tf` file: the attribute's expression), for fixes (src/engine/fix.ts). Undefined when the pointer does not
   * name a value written in the file by itself.
   */
  valueSpan?(pointer: string): { start: number; end: number } | undefined;
}
