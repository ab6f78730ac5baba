/**
 * `scan --timing`: how long each step of one run took (reading the sources, building the model, each rule, each
 * report), printed to stderr as a table, the way ESLint's `TIMING=1` prints its rules. For a user whose scan is
 * slow (which rule? reading or checking?) and for work on speed (npm run bench says how much, this says where).
 *
 * Work that rules share and compute once (the effective policy of every operation, the token validations) is
 * charged to the first rule that asks for it; the table says so. (The global `performance`: no module to load.)
 */

export interface TimedStep {
  /** `read sources`, `rule api-validate-jwt`, `report json`. */
  label: string;
  /** Milliseconds, summed over every time the step ran (a scan with `--fix` audits twice). */
  ms: number;
  kind: 'phase' | 'rule';
}

/** What one run measured, in the order its steps first ran. */
export class Timings {
  private readonly steps = new Map<string, TimedStep>();
  private readonly started = performance.now();

  /** Runs `work`, adding the time it took to `label` (also when it throws). */
  time<T>(label: string, work: () => T, kind: TimedStep['kind'] = 'phase'): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.add(label, performance.now() - start, kind);
    }
  }

  async timeAsync<T>(label: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(label, performance.now() - start, 'phase');
    }
  }

  add(label: string, ms: number, kind: TimedStep['kind']): void {
    const step = this.steps.get(label);
    if (step) step.ms += ms;
    else this.steps.set(label, { label, ms, kind });
  }

  list(): TimedStep[] {
    return [...this.steps.values()].map((s) => ({ ...s }));
  }

  /** Milliseconds since this run began measuring. */
  elapsed(): number {
    return performance.now() - this.started;
  }
}

/** `work()`, its time added to `label` when the run measures itself (`timings` given), else just run. */
export function timed<T>(
  timings: Timings | undefined,
  label: string,
  work: () => T,
  kind: TimedStep['kind'] = 'phase',
): T {
  return timings ? timings.time(label, work, kind) : work();
}

/**
 * The table: the phases in the order they ran, then the rules, slowest first, each with its share of `total` (the
 * scan command's own time: Node.js start-up and loading the tool come before it); the time no step accounts for
 * (reading the configuration, judging rule outputs) as `other`.
 */
export function formatTimings(steps: readonly TimedStep[], total: number): string {
  const phases = steps.filter((s) => s.kind === 'phase');
  const rules = steps.filter((s) => s.kind === 'rule').sort((a, b) => b.ms - a.ms);
  const measured = steps.reduce((sum, s) => sum + s.ms, 0);
  const rows: [string, number][] = [
    ...phases.map((s): [string, number] => [s.label, s.ms]),
    ...rules.map((s): [string, number] => [s.label, s.ms]),
    ['other (configuration, judging)', Math.max(0, total - measured)],
  ];
  const width = Math.max('step'.length, ...rows.map(([label]) => label.length));
  const line = (label: string, ms: string, share: string) =>
    `${label.padEnd(width)}  ${ms.padStart(9)}  ${share.padStart(6)}`;
  const pct = (ms: number) => (total > 0 ? `${((100 * ms) / total).toFixed(1)}%` : '-');
  return [
    line('step', 'ms', 'share'),
    ...rows.map(([label, ms]) => line(label, ms.toFixed(1), pct(ms))),
    line('total', total.toFixed(1), pct(total)),
    'Total: the scan command, from after Node.js start-up. A rule is charged for the shared work it asks for first',
    '(the effective policy of every operation, say).',
    '',
  ].join('\n');
}
