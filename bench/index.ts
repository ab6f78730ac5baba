/**
 * `npm run bench`: runs the offline benchmarks one after another (apiops, manifests, startup, policy-parser; each a
 * standalone script in this folder), prints their reports, then one summary table of the inputs scanned against
 * their floor. Exits non-zero when any of them fails (findings that differ from the reference included).
 *
 * Not run here: live (`npm run bench:live`, it needs its emulator), and large-inputs unless BENCH_LARGE=1
 * (minutes of CPU, 400 MB on disk). Figures are ratios measured in one run; see each benchmark's header.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fmtMiB, fmtMs, fmtRange, fmtRatio, table, type SummaryRow } from './support/harness';

const BENCHES = ['apiops', 'manifests', 'startup', 'policy-parser'];
if (process.env['BENCH_LARGE'] === '1') BENCHES.push('large-inputs');

const dir = mkdtempSync(path.join(tmpdir(), 'bench-summary-'));
const summaryFile = path.join(dir, 'summary.jsonl');
const failed: string[] = [];
try {
  for (const bench of BENCHES) {
    const script = path.join(__dirname, `${bench}.js`);
    if (!existsSync(script)) continue;
    process.stdout.write(`\n=== ${bench} ===\n`);
    const child = spawnSync(process.execPath, ['--expose-gc', script], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_SUMMARY: summaryFile },
    });
    if (child.status !== 0) failed.push(`${bench} (exit ${child.status ?? child.signal})`);
  }
  const rows = existsSync(summaryFile)
    ? readFileSync(summaryFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as SummaryRow)
    : [];
  process.stdout.write(`\n=== summary (${cpus().length} CPUs, node ${process.version}) ===\n`);
  process.stdout.write(
    table([
      ['input', 'floor', 'scan', 'scan/floor', 'pairs', 'scan peak RSS', 'findings'],
      ...rows.map((r) => [
        r.input,
        fmtMs(r.floorMs),
        fmtMs(r.scanMs),
        fmtRatio(r.scanMs / r.floorMs),
        fmtRange(r.pairRange),
        fmtMiB(r.scanRss),
        r.findings,
      ]),
    ]) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed.length > 0) {
  process.stderr.write(`\nFAILED: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
