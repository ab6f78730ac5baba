/**
 * How the benchmarks print their figures (durations, sizes, ratios, tables). Without side effects, unlike
 * harness.ts (which sets up a folder of tools when loaded): bench/startup.ts needs only these.
 */

export const fmtMs = (ms: number): string =>
  `${ms >= 10_000 ? (ms / 1000).toFixed(1) + ' s' : ms.toFixed(0) + ' ms'}`;
export const fmtMiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
export const fmtRatio = (r: number): string => `${r.toFixed(2)}x`;
/** The range of scan/floor over the pairs (`Measured.pairRange`): `2.71-3.20`; `-` when there is none. */
export const fmtRange = (range: readonly [number, number] | undefined): string =>
  range && Number.isFinite(range[0]) && Number.isFinite(range[1])
    ? `${range[0].toFixed(2)}-${range[1].toFixed(2)}`
    : '-';

/** Rows of cells, left column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}
