/**
 * "Did you mean" for unknown names (rule ids, rule sets, tags): the nearest known name by edit distance.
 */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The nearest of `known`, when it is near enough to be a typo of `unknown`. */
export function didYouMean(unknown: string, known: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const id of known) {
    const d = editDistance(unknown, id);
    if (!best || d < best.d) best = { id, d };
  }
  return best && best.d <= Math.max(3, Math.floor(unknown.length / 3)) ? best.id : undefined;
}

/** `; did you mean 'x'?`, or nothing. */
export function suggestion(unknown: string, known: readonly string[]): string {
  const near = didYouMean(unknown, known);
  return near ? `; did you mean '${near}'?` : '';
}

export function unknownRuleMessage(id: string, known: readonly string[]): string {
  return `unknown rule '${id}'${suggestion(id, known)} (run 'apim-oauth-audit rules' for the list)`;
}
