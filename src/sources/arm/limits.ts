/**
 * Limits of the offline ARM evaluator. A template is input written by whoever opened the pull request: a copy
 * loop of `1e999`, strings doubled through thirty variables or `padLeft(x, 1e9)` must end in a located error, not
 * a hang or a heap exhaustion. The limits follow ARM's own where it has them (800 copies, 4 MB templates).
 */

/** ARM rejects a copy loop (resource, property or variable) with more than 800 iterations. */
export const MAX_COPY_COUNT = 800;
/** Largest string, array or object one function may produce (in characters / nodes): ARM's 4 MB template size. */
export const MAX_VALUE_SIZE = 4 * 1024 * 1024;
/** Everything the functions of one template may produce together (characters / nodes). */
export const MAX_TOTAL_SIZE = 64 * 1024 * 1024;
/** Function calls evaluated for one template. */
export const MAX_CALLS = 5_000_000;
/** Nesting of function calls (variables that refer to variables count too). */
export const MAX_CALL_DEPTH = 400;

/** A limit exceeded while evaluating; `pointer` (JSON pointer in the template) is filled in on the way out. */
export class ArmLimitError extends Error {
  /** Keys from the value being evaluated down to where the limit was hit, collected while unwinding. */
  readonly path: (string | number)[] = [];
  /** Pointer of the value being evaluated, set by the first caller that knows it. */
  base: string | undefined;

  constructor(message: string) {
    super(message);
    this.name = 'ArmLimitError';
  }
}

interface Budget {
  calls: number;
  total: number;
}

/** The running template's budget; without one (a lone expression) only depth and value sizes are checked. */
let budget: Budget | undefined;
let depth = 0;

/** Runs one template's evaluation with a fresh budget (evaluation is synchronous, so one budget at a time). */
export function withEvaluationBudget<T>(run: () => T): T {
  const saved = budget;
  budget = { calls: 0, total: 0 };
  try {
    return run();
  } finally {
    budget = saved;
  }
}

/** Counts one function call and its nesting; call `leaveCall` when it returns. */
export function enterCall(name: string): void {
  if (budget && ++budget.calls > MAX_CALLS) {
    throw new ArmLimitError(`the template needs more than ${MAX_CALLS} function calls to evaluate`);
  }
  if (depth >= MAX_CALL_DEPTH) {
    throw new ArmLimitError(`${name}(): expressions nest deeper than ${MAX_CALL_DEPTH} levels`);
  }
  depth++;
}

export function leaveCall(): void {
  if (depth > 0) depth--;
}

const treeSizes = new WeakMap<object, number>();

/**
 * Checks a function's result: its size as a tree (what walking or printing it costs; shared sub-values count
 * every time they appear) against MAX_VALUE_SIZE, and what it newly allocated against the template's total.
 */
export function chargeResult(name: string, value: unknown): void {
  let fresh = 0;
  const size = (v: unknown): number => {
    if (typeof v === 'string') {
      fresh += v.length;
      return v.length + 1;
    }
    if (!v || typeof v !== 'object') return 1;
    const known = treeSizes.get(v);
    if (known !== undefined) return known;
    let total = 1;
    const children = Array.isArray(v) ? v : Object.entries(v as Record<string, unknown>).flat();
    fresh += 1;
    for (const child of children) {
      total += size(child);
      if (total > MAX_VALUE_SIZE) break;
    }
    treeSizes.set(v, total);
    return total;
  };
  const tree = size(value);
  if (tree > MAX_VALUE_SIZE) {
    throw new ArmLimitError(`${name}() produces a value larger than ${MAX_VALUE_SIZE} characters`);
  }
  if (!budget) return;
  budget.total += fresh;
  if (budget.total > MAX_TOTAL_SIZE) {
    throw new ArmLimitError(`the template's functions produce more than ${MAX_TOTAL_SIZE} characters in all`);
  }
}

/** Refuses a size argument (a `padLeft` width, a string about to be built) above MAX_VALUE_SIZE up front. */
export function checkSize(name: string, size: number): void {
  if (!(size <= MAX_VALUE_SIZE)) {
    throw new ArmLimitError(`${name}() would produce more than ${MAX_VALUE_SIZE} characters`);
  }
}

/** A copy count: a non-negative integer up to ARM's 800. */
export function checkCopyCount(count: number, loop: string): void {
  if (!Number.isInteger(count) || count < 0 || count > MAX_COPY_COUNT) {
    throw new ArmLimitError(
      `copy loop '${loop}' has count ${String(count)}; ARM accepts an integer from 0 to ${MAX_COPY_COUNT}`,
    );
  }
}

/** Adds a key to a limit error on its way out of a nested value; other errors pass unchanged. */
export function addPath(error: unknown, key: string | number): unknown {
  if (error instanceof ArmLimitError && error.base === undefined) error.path.unshift(key);
  return error;
}

/** Fixes where the value being evaluated lives, unless a deeper caller already did. */
export function setBase(error: unknown, pointer: string): unknown {
  if (error instanceof ArmLimitError && error.base === undefined) error.base = pointer;
  return error;
}
