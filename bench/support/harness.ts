/**
 * What the file benchmarks share: run a child `node` (the CLI, or the floor script) with its peak RSS reported by
 * the child itself, alternate two commands A/B and take medians, check the findings of a scan against the digest
 * recorded from the reference code (bench/expected.json), and collect one summary row per input for
 * bench/index.ts. Not a benchmark itself (bench/index.ts runs only the files directly in bench/).
 *
 * Environment:
 *   BENCH_CLI=<main.js>   the CLI to run (default: this build's dist/src/cli/main.js)
 *   BENCH_RECORD=1        write the digests of this run into bench/expected.json instead of checking them
 *   BENCH_PAIRS=<n>       A/B pairs per input (default 5; at least 3)
 *   BENCH_KEEP=1          keep the generated inputs (their folder is printed)
 *   BENCH_SUMMARY=<file>  append one JSON line per input (set by bench/index.ts)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** The repository (this file runs from dist/bench/support/). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * The helper scripts the children run, copied out of dist/ when the benchmark starts: a build running
 * meanwhile (another terminal, an editor) may empty dist/ under a benchmark that takes minutes.
 */
const TOOLS = mkdtempSync(path.join(tmpdir(), 'bench-tools-'));
for (const script of ['peak-rss.js', 'floor.js', 'heap-steps.js'])
  copyFileSync(path.join(__dirname, script), path.join(TOOLS, script));
process.on('exit', () => rmSync(TOOLS, { recursive: true, force: true }));
const PEAK_RSS = path.join(TOOLS, 'peak-rss.js');
export const FLOOR = path.join(TOOLS, 'floor.js');
export const HEAP_STEPS = path.join(TOOLS, 'heap-steps.js');
const EXPECTED = path.join(ROOT, 'bench', 'expected.json');
export const CLI = process.env['BENCH_CLI'] ?? path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const RECORD = process.env['BENCH_RECORD'] === '1';
/** A fixed clock, so that secret expiry findings do not change with the day the bench runs. */
export const NOW = '2026-05-01T00:00:00Z';

export interface Run {
  ms: number;
  rss: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node [nodeFlags] -r peak-rss.js <args>` in `cwd` (with `env` added to this process's), timed from spawn to exit. */
export function runNode(
  args: string[],
  cwd: string,
  nodeFlags: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Run {
  const start = performance.now();
  const child = spawnSync(process.execPath, [...nodeFlags, '-r', PEAK_RSS, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  const stderr = child.stderr ?? '';
  const match = /peak-rss-bytes=(\d+)/.exec(stderr);
  return {
    ms,
    rss: match ? Number(match[1]) : Number.NaN,
    status: child.status,
    signal: child.signal,
    stdout: child.stdout ?? '',
    stderr,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function pairsFor(): number {
  const wanted = Number(process.env['BENCH_PAIRS'] ?? 5);
  const pairs = Number.isInteger(wanted) && wanted > 0 ? wanted : 5;
  return Math.max(3, pairs);
}

export interface Measured {
  floorMs: number;
  scanMs: number;
  floorRss: number;
  scanRss: number;
  /** The least and the greatest scan/floor of one pair: how noisy the machine was. */
  pairRange: [number, number];
  /** The first scan's run (its report is what the digest is computed from). */
  first: Run;
}

/**
 * `pairs` pairs of the floor and the scan, the order swapped every pair (A B, B A, ...) so that neither always
 * runs on a warmer cache; every scan must exit 0.
 */
export function alternate(pairs: number, floor: () => Run, scan: () => Run): Measured {
  const floors: Run[] = [];
  const scans: Run[] = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      floors.push(floor());
      scans.push(scan());
    } else {
      scans.push(scan());
      floors.push(floor());
    }
    const failed = [floors.at(-1), scans.at(-1)].find((r) => r?.status !== 0);
    if (failed)
      throw new Error(`a benchmarked run exited with ${failed.status}:\n${failed.stderr.slice(-2000)}`);
  }
  const first = scans[0];
  if (!first) throw new Error('no scan ran');
  const ratios = scans.map((scan, i) => scan.ms / (floors[i]?.ms ?? Number.NaN));
  return {
    floorMs: median(floors.map((r) => r.ms)),
    scanMs: median(scans.map((r) => r.ms)),
    floorRss: Math.max(...floors.map((r) => r.rss)),
    scanRss: Math.max(...scans.map((r) => r.rss)),
    pairRange: [Math.min(...ratios), Math.max(...ratios)],
    first,
  };
}

interface Finding {
  ruleId: string;
  fingerprint?: string;
  location?: unknown;
  severity?: string;
  message: string;
}

export interface Report {
  complete: boolean;
  findings: Finding[];
  notEvaluated: unknown[];
  gaps: unknown[];
  crashes: unknown[];
}

export interface Digest {
  sha256: string;
  counts: Record<string, number>;
}

export function parseReport(run: Run): Report {
  const report = JSON.parse(run.stdout) as Report;
  if (!report.complete || report.gaps.length > 0 || report.crashes.length > 0) {
    throw new Error(
      `the scan is not complete (${report.gaps.length} gaps, ${report.crashes.length} crashes): ${JSON.stringify(
        [...report.gaps, ...report.crashes].slice(0, 3),
      )}`,
    );
  }
  return report;
}

/**
 * sha256 of the sorted findings (rule, fingerprint, location, severity) and of the counts per rule. Not the wording:
 * issue 15 rewrote every message into message / detail / fix, and a speed-up must keep what is found and where,
 * not a sentence (the example goldens pin the wording).
 */
export function digest(report: Report): Digest {
  const findings = report.findings
    .map((f) => JSON.stringify([f.ruleId, f.fingerprint ?? null, f.location ?? null, f.severity ?? null]))
    .sort();
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  const all = { ...sorted, '(not evaluated)': report.notEvaluated.length };
  const sha256 = createHash('sha256')
    .update(JSON.stringify({ findings, counts: all }))
    .digest('hex');
  return { sha256, counts: all };
}

function readExpected(): Record<string, Digest> {
  return existsSync(EXPECTED) ? (JSON.parse(readFileSync(EXPECTED, 'utf8')) as Record<string, Digest>) : {};
}

/**
 * Checks (or, with BENCH_RECORD=1, records) the digest of `input`. A mismatch prints the counts per rule that
 * differ and sets a non-zero exit code; it returns whether the findings are the reference ones.
 */
export function checkFindings(input: string, actual: Digest): boolean {
  const expected = readExpected();
  if (RECORD) {
    expected[input] = actual;
    const ordered = Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(EXPECTED, `${JSON.stringify(ordered, null, 2)}\n`);
    process.stdout.write(`recorded ${input}: ${actual.sha256}\n`);
    return true;
  }
  const reference = expected[input];
  if (reference?.sha256 === actual.sha256) return true;
  process.exitCode = 1;
  if (!reference) {
    process.stderr.write(`\nFINDINGS NOT CHECKED: bench/expected.json has no digest for ${input}\n`);
    return false;
  }
  const rules = [...new Set([...Object.keys(reference.counts), ...Object.keys(actual.counts)])].sort();
  const lines = rules
    .filter((r) => reference.counts[r] !== actual.counts[r])
    .map((r) => `  ${r}: expected ${reference.counts[r] ?? 0}, got ${actual.counts[r] ?? 0}`);
  process.stderr.write(
    `\nFINDINGS DIFFER from the reference for ${input} (sha256 ${actual.sha256}, expected ${reference.sha256})\n` +
      (lines.length > 0
        ? lines.join('\n')
        : '  same counts per rule: messages, locations or fingerprints differ') +
      '\n',
  );
  return false;
}

export interface SummaryRow {
  input: string;
  floorMs: number;
  scanMs: number;
  scanRss: number;
  findings: string;
  /** `Measured.pairRange`, when measured in pairs. */
  pairRange?: [number, number];
}

export function summarize(row: SummaryRow): void {
  const file = process.env['BENCH_SUMMARY'];
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export { fmtMiB, fmtMs, fmtRange, fmtRatio, table } from './format';

/** A temporary folder for generated inputs, and how to remove it (kept with BENCH_KEEP=1). */
export function workspace(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    done: () => {
      if (process.env['BENCH_KEEP'] === '1') process.stdout.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
