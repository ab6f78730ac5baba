/**
 * `npm run bench` (bench/startup): how long the built CLI takes to start and finish small jobs, against the floor
 * of starting Node itself (`node -e 0`), measured in the same run:
 *   --version   yargs and the CLI's option tables only (no engine, rules or sources);
 *   rules       the rule registry (every rule module and its doc);
 *   scan        an offline scan of the bundled sample (examples/contoso/snapshot.json, --fail-on none).
 * Each round runs the floor and then each command once, alternating (A B A C A D ...), so that a machine busy for a
 * while slows both sides of a pair alike; the table gives the medians over the rounds, each command's median
 * ratio to the floor's median, and the least and greatest ratio of a command to the floor run just before it (how
 * noisy the machine was). Targets (issue 12): --version <= 2x, scan <= 3x.
 *
 * Standalone: `node dist/bench/startup.js [rounds]` (default 15) after `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmtRange } from './support/format';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const SAMPLE = path.join(ROOT, 'examples', 'contoso', 'snapshot.json');

interface Case {
  name: string;
  args: string[];
  target?: number;
}

const FLOOR: Case = { name: 'node -e 0', args: ['-e', '0'] };
const CASES: Case[] = [
  { name: '--version', args: [CLI, '--version'], target: 2 },
  { name: 'rules', args: [CLI, 'rules'] },
  { name: 'scan (sample)', args: [CLI, 'scan', SAMPLE, '--fail-on', 'none'], target: 3 },
];

/** Wall time of one run in ms; a failing run stops the benchmark (a crash is not a fast start). */
function time(c: Case): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, c.args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${c.name} exited ${String(result.status)}: ${result.stderr.toString()}`);
  }
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 15);
  const floor: number[] = [];
  const samples = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  /** Each command's run against the floor's run just before it. */
  const pairRatios = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  for (const c of [FLOOR, ...CASES]) time(c); // warm the file cache once
  for (let round = 0; round < rounds; round++) {
    for (const c of CASES) {
      const before = time(FLOOR);
      const ms = time(c);
      floor.push(before);
      samples.get(c)!.push(ms);
      pairRatios.get(c)!.push(ms / before);
    }
  }
  const floorMedian = median(floor);
  const rows = [
    ['command', 'median ms', 'ratio', 'pairs', 'target'],
    [FLOOR.name, floorMedian.toFixed(0), '1.00', '', ''],
    ...CASES.map((c) => {
      const m = median(samples.get(c)!);
      const ratio = m / floorMedian;
      const verdict = c.target === undefined ? '' : `<= ${c.target} ${ratio <= c.target ? 'ok' : 'MISSED'}`;
      const pairs = pairRatios.get(c)!;
      return [
        c.name,
        m.toFixed(0),
        ratio.toFixed(2),
        fmtRange([Math.min(...pairs), Math.max(...pairs)]),
        verdict,
      ];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(
    `${rounds} rounds, floor and command alternating; ${cpus().length} CPUs, node ${process.version}\n`,
  );
  for (const row of rows) {
    process.stdout.write(
      `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}\n`,
    );
  }
}

main();
