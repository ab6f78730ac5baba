/**
 * `npm run bench`: runs every benchmark in this folder (each `*.ts` file except this one is a standalone
 * script) one after another and prints their reports. Figures are ratios measured in one run; see each
 * benchmark's header for what it measures.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== 'index.js')
  .sort();
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench.replace(/\.js$/, '')} ===\n`);
  execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, bench)], { stdio: 'inherit' });
}
