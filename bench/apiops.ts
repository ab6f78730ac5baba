/**
 * `npm run bench` (bench/apiops): the CLI scanning a generated APIOps tree (bench/fixtures/apiops-tree.ts: policies
 * at every scope, fragments, named values, specifications, products, authorization servers, planted defects) with
 * one app manifest per API, against the floor: a child process that reads every file of the same tree and
 * `JSON.parse`s the JSON ones (bench/support/floor.ts). Both run as child processes, alternated A/B.
 *
 * For each size (BENCH_SIZES, default 100,1000,5000 APIs; 5 operations each) it prints the medians of the floor
 * and the scan, their ratio, the scan's peak RSS (reported by the child itself), and whether the findings equal
 * the reference (bench/expected.json, recorded from the code before issue 12). Then the scaling figures
 * time(1000)/(10 x time(100)) and time(5000)/(10 x time(500)) (500 is measured for that when 5000 is), and
 * whether the 5,000-API scan completes with a 300 MB heap (--max-old-space-size=300). The largest size (from
 * 1,000) is measured a second time with one validation at the gateway for every API (`gateway` trees). Last, the
 * `scan --timing` table of one more run of the largest tree: where its time goes (phases, each rule, the report),
 * and what it keeps: the heap in use after each step, once a full garbage collection has run (support/heap-steps.ts).
 */
import path from 'node:path';
import { cpus } from 'node:os';
import { writeApiopsTree, DEFECTS, type TreeSummary } from './fixtures/apiops-tree';
import {
  alternate,
  checkFindings,
  CLI,
  digest,
  FLOOR,
  fmtMiB,
  HEAP_STEPS,
  fmtMs,
  fmtRange,
  fmtRatio,
  NOW,
  pairsFor,
  parseReport,
  RECORD,
  runNode,
  summarize,
  table,
  workspace,
  type Report,
} from './support/harness';

const SCAN = [
  'scan',
  '--source',
  'apiops:apimartifacts',
  '--source',
  'manifest:entra',
  '--format',
  'json',
  '--fail-on',
  'none',
  '--now',
  NOW,
];
const HEAP_LIMIT_MB = 300;

function sizes(): number[] {
  const wanted = (process.env['BENCH_SIZES'] ?? '100,1000,5000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  // 5,000 is compared with 500 for the scaling figure.
  if (wanted.includes(5000) && !wanted.includes(500)) wanted.push(500);
  return [...new Set(wanted)].sort((a, b) => a - b);
}

/** Every planted defect shows up as at least one finding about its API. */
function missedDefects(tree: TreeSummary, report: Report): string[] {
  const text = report.findings.map((f) => f.message).join('\n');
  return (Object.keys(DEFECTS) as (keyof typeof DEFECTS)[]).flatMap((defect) =>
    tree.defects[defect].filter((api) => !text.includes(`'${api}`)).map((api) => `${defect} in ${api}`),
  );
}

interface Row {
  apis: number;
  /** The tree with one validation at the gateway (fixtures/apiops-tree.ts `gateway`). */
  gateway: boolean;
  files: number;
  mb: number;
  floorMs: number;
  scanMs: number;
  scanRss: number;
  /** `Measured.pairRange`. */
  pairRange: [number, number];
  findings: number;
  same: boolean;
}

function measure(apis: number, root: string, gateway = false): Row {
  const dir = path.join(root, `apis-${apis}${gateway ? '-gateway' : ''}`);
  const tree = writeApiopsTree(dir, { apis, gateway });
  const input = `apiops-${gateway ? 'gateway-' : ''}${apis}`;
  const scan = () => runNode([CLI, ...SCAN], dir);
  const floor = () => runNode([FLOOR, 'apimartifacts', 'entra'], dir);
  const m = RECORD
    ? {
        floorMs: Number.NaN,
        scanMs: Number.NaN,
        floorRss: Number.NaN,
        scanRss: Number.NaN,
        pairRange: [Number.NaN, Number.NaN] as [number, number],
        first: scan(),
      }
    : alternate(pairsFor(), floor, scan);
  const report = parseReport(m.first);
  const missed = missedDefects(tree, report);
  if (missed.length > 0) {
    process.exitCode = 1;
    process.stderr.write(`\nPLANTED DEFECTS NOT FOUND in ${input}: ${missed.join(', ')}\n`);
  }
  const same = checkFindings(input, digest(report));
  return {
    apis,
    gateway,
    files: tree.files,
    mb: tree.bytes / 1024 / 1024,
    floorMs: m.floorMs,
    scanMs: m.scanMs,
    scanRss: m.scanRss,
    pairRange: m.pairRange,
    findings: report.findings.length,
    same,
  };
}

/** Where the time of the largest scan goes: one more run with `scan --timing` (its table, from stderr). */
function printTimings(apis: number, dir: string): void {
  const run = runNode([CLI, ...SCAN, '--timing'], path.join(dir, `apis-${apis}`));
  const table = run.stderr.slice(run.stderr.indexOf('\nstep ') + 1).replace(/^peak-rss-bytes=.*\n?/m, '');
  process.stdout.write(
    run.status === 0 && run.stderr.includes('\nstep ')
      ? `Where the time of one ${apis}-API scan goes (scan --timing; GC is inside the steps):\n${table}`
      : `scan --timing of ${apis} APIs failed (exit ${run.status}): ${run.stderr.trim().slice(-200)}\n`,
  );
}

/**
 * What the largest scan keeps: one more run with a full garbage collection after each step (support/heap-steps.ts),
 * and the heap still in use then. Unlike the peak resident size, these figures mostly repeat within a megabyte.
 */
function printHeapSteps(apis: number, dir: string): void {
  const timing = path.resolve(path.dirname(CLI), '..', 'engine', 'timing.js');
  const run = runNode(
    [CLI, ...SCAN, '--timing'],
    path.join(dir, `apis-${apis}`),
    ['--expose-gc', '-r', HEAP_STEPS],
    {
      HEAP_STEPS_TIMING: timing,
    },
  );
  const steps = [...run.stderr.matchAll(/^heap-step (\d+) (.+)$/gm)].map((m) => ({
    label: m[2] ?? '',
    bytes: Number(m[1]),
  }));
  if (run.status !== 0 || steps.length === 0) {
    process.stdout.write(
      `heap steps of ${apis} APIs failed (exit ${run.status}): ${run.stderr.trim().slice(-200)}\n`,
    );
    return;
  }
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const change = (bytes: number) => {
    const text = mb(bytes);
    return text.startsWith('-') && text !== '-0.0' ? text : `+${text.replace('-', '')}`;
  };
  process.stdout.write(
    `What one ${apis}-API scan keeps (heap in use after a full collection at the end of each step; MiB):\n${table(
      [
        ['step', 'heap', 'change'],
        ...steps.map((step, i) => [
          step.label,
          mb(step.bytes),
          i === 0 ? '' : change(step.bytes - (steps[i - 1]?.bytes ?? 0)),
        ]),
      ],
    )}\n`,
  );
}

function main(): void {
  const ws = workspace('bench-apiops-');
  try {
    const rows = sizes().map((apis) => {
      const row = measure(apis, ws.dir);
      process.stdout.write(`measured ${apis} APIs\n`);
      return row;
    });
    // The largest tree again, with one validation at the gateway for every API (a rule quadratic in APIs x
    // servers shows here first).
    const largest = Math.max(...rows.map((r) => r.apis));
    if (largest >= 1000) {
      rows.push(measure(largest, ws.dir, true));
      process.stdout.write(`measured ${largest} APIs behind one gateway validation\n`);
    }
    if (RECORD) return;
    const scaling = (big: number, small: number) => {
      const a = rows.find((r) => r.apis === big && !r.gateway);
      const b = rows.find((r) => r.apis === small && !r.gateway);
      return a && b
        ? [`time(${big})/(10 x time(${small}))`, (a.scanMs / (10 * b.scanMs)).toFixed(2)]
        : undefined;
    };
    const pairs = pairsFor();
    process.stdout.write(
      [
        `APIOps tree + manifests, 5 operations per API; ${cpus().length} CPUs, node ${process.version}; medians of ${pairs} A/B pairs`,
        table([
          [
            'APIs',
            'files',
            'MB',
            'floor',
            'scan',
            'scan/floor',
            'pairs',
            'scan peak RSS',
            'findings',
            'same findings',
          ],
          ...rows.map((r) => [
            `${r.apis}${r.gateway ? ' (gateway)' : ''}`,
            String(r.files),
            r.mb.toFixed(1),
            fmtMs(r.floorMs),
            fmtMs(r.scanMs),
            fmtRatio(r.scanMs / r.floorMs),
            fmtRange(r.pairRange),
            fmtMiB(r.scanRss),
            String(r.findings),
            r.same ? 'yes' : 'NO',
          ]),
        ]),
        ...[scaling(1000, 100), scaling(5000, 500)].flatMap((s) => (s ? [`scaling ${s[0]} = ${s[1]}`] : [])),
      ].join('\n') + '\n',
    );
    for (const r of rows) {
      summarize({
        input: `apiops ${r.apis} APIs${r.gateway ? ' behind one gateway validation' : ''} (${r.files} files)`,
        floorMs: r.floorMs,
        scanMs: r.scanMs,
        scanRss: r.scanRss,
        findings: r.same ? 'same' : 'DIFFER',
        pairRange: r.pairRange,
      });
    }
    if (rows.some((r) => r.apis === 5000 && !r.gateway)) {
      const limited = runNode([CLI, ...SCAN], path.join(ws.dir, 'apis-5000'), [
        `--max-old-space-size=${HEAP_LIMIT_MB}`,
      ]);
      const verdict =
        limited.status === 0
          ? `completes (${fmtMs(limited.ms)}, peak RSS ${fmtMiB(limited.rss)})`
          : `FAILS (${limited.status === null ? `killed by ${limited.signal}` : `exit ${limited.status}`}): ${
              limited.stderr.split('\n').find((l) => /FATAL|heap/i.test(l)) ??
              limited.stderr.trim().slice(-200)
            }`;
      process.stdout.write(`5,000 APIs with --max-old-space-size=${HEAP_LIMIT_MB}: ${verdict}\n`);
    }
    const largestPlain = Math.max(...rows.filter((r) => !r.gateway).map((r) => r.apis));
    printTimings(largestPlain, ws.dir);
    printHeapSteps(largestPlain, ws.dir);
  } finally {
    ws.done();
  }
}

main();
