/**
 * `npm run bench` (bench/manifests): a tenant-sized folder of app manifests, 10,000 files (half in the legacy
 * Azure AD Graph format, half in the Microsoft Graph format, each a realistic portal download of 2-3 KB with
 * scopes, redirect URIs and a secret; bench/fixtures/apps.ts), scanned by the CLI (`--source manifest:apps`)
 * against the floor: a child process that reads every file and `JSON.parse`s it (bench/support/floor.ts). Both
 * run as child processes, alternated A/B (BENCH_PAIRS, default 5).
 *
 * Prints the medians of the floor and the scan, their ratio, the scan's peak RSS, and whether the findings equal
 * the reference (bench/expected.json, recorded from the code before issue 12).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { graph, legacy } from './fixtures/apps';
import {
  alternate,
  checkFindings,
  CLI,
  digest,
  FLOOR,
  fmtMiB,
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
} from './support/harness';

const FILES = 10_000;
const SCAN = ['scan', '--source', 'manifest:apps', '--format', 'json', '--fail-on', 'none', '--now', NOW];

function main(): void {
  const ws = workspace('bench-manifests-');
  try {
    mkdirSync(path.join(ws.dir, 'apps'));
    let bytes = 0;
    for (let n = 0; n < FILES; n++) {
      const text = `${JSON.stringify(n % 2 === 0 ? legacy(n) : graph(n), null, 2)}\n`;
      writeFileSync(path.join(ws.dir, 'apps', `app-${String(n).padStart(5, '0')}.json`), text);
      bytes += text.length;
    }
    const scan = () => runNode([CLI, ...SCAN], ws.dir);
    const floor = () => runNode([FLOOR, 'apps'], ws.dir);
    const input = `manifests-${FILES}`;
    if (RECORD) {
      checkFindings(input, digest(parseReport(scan())));
      return;
    }
    const pairs = pairsFor();
    const m = alternate(pairs, floor, scan);
    const report = parseReport(m.first);
    const same = checkFindings(input, digest(report));
    process.stdout.write(
      [
        `${FILES} manifest files (${(bytes / 1024 / 1024).toFixed(1)} MB, half legacy, half Microsoft Graph format); ${cpus().length} CPUs, node ${process.version}; medians of ${pairs} A/B pairs`,
        table([
          ['files', 'floor', 'scan', 'scan/floor', 'pairs', 'scan peak RSS', 'findings', 'same findings'],
          [
            String(FILES),
            fmtMs(m.floorMs),
            fmtMs(m.scanMs),
            fmtRatio(m.scanMs / m.floorMs),
            fmtRange(m.pairRange),
            fmtMiB(m.scanRss),
            String(report.findings.length),
            same ? 'yes' : 'NO',
          ],
        ]),
      ].join('\n') + '\n',
    );
    summarize({
      input: `manifests (${FILES} files)`,
      floorMs: m.floorMs,
      scanMs: m.scanMs,
      scanRss: m.scanRss,
      findings: same ? 'same' : 'DIFFER',
      pairRange: m.pairRange,
    });
  } finally {
    ws.done();
  }
}

main();
