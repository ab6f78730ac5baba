/**
 * Large inputs (issue 10, "Bounded work"): 200 MB inputs complete within a 2 GB heap. Generates
 *   az-ad-app-list.json  what `az ad app list --all` prints for a 75,000-app tenant (Microsoft Graph format);
 *   snapshot.json        the fixed Contoso sample with the same 75,000 applications in it;
 * then runs the real CLI on each, as a user would, in a child process with `--max-old-space-size=2048`, and
 * prints the file size, wall time, peak RSS and exit code.
 *
 * Costly (about 400 MB on disk, minutes of CPU), so `npm run bench` skips it unless BENCH_LARGE=1;
 * `node dist/bench/large-inputs.js [folder]` runs it (and keeps the files when a folder is given).
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { graph, guid } from './fixtures/apps';

const APPS = 75_000;
const HEAP_MB = 2048;
const ROOT = path.resolve(__dirname, '..', '..');

/** One application as Microsoft Graph returns it (about 2.7 KB printed with 2-space indentation). */
function application(n: number): Record<string, unknown> {
  const app = graph(n);
  return {
    ...app,
    applicationTemplateId: null,
    createdDateTime: '2025-04-28T09:12:44Z',
    deletedDateTime: null,
    description: `Line-of-business application ${n} of the Contoso tenant`,
    groupMembershipClaims: null,
    notes: null,
    api: {
      ...app.api,
      requestedAccessTokenVersion: n % 3 === 0 ? null : 2,
      preAuthorizedApplications: [{ appId: guid(n + 1, 2), delegatedPermissionIds: [guid(n, 3)] }],
    },
  };
}

function writeApps(file: string, prefix: string, indent: string, suffix: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, prefix + '[\n');
  for (let n = 0; n < APPS; n++) {
    const text = JSON.stringify(application(n), null, 2).replace(/\n/g, `\n${indent}  `);
    writeSync(fd, `${indent}  ${text}${n + 1 < APPS ? ',' : ''}\n`);
  }
  writeSync(fd, `${indent}]${suffix}`);
  closeSync(fd);
}

function generate(folder: string): { appList: string; snapshot: string } {
  const appList = path.join(folder, 'az-ad-app-list.json');
  writeApps(appList, '', '', '\n');
  // The fixed sample, with its own applications first so that its APIs still correlate.
  const sample = JSON.parse(
    readFileSync(path.join(ROOT, 'examples', 'contoso-fixed', 'snapshot.json'), 'utf8'),
  ) as Record<string, unknown>;
  const own = JSON.stringify(sample['applications'], null, 2).slice(1, -1).trim();
  const rest = { ...sample };
  delete rest['applications'];
  const head = JSON.stringify(rest, null, 2).slice(0, -2) + ',\n  "applications": ';
  const snapshot = path.join(folder, 'snapshot.json');
  writeApps(snapshot, head, '  ', '\n}\n');
  // Put the sample's applications at the front of the array.
  const text = readFileSync(snapshot, 'utf8');
  writeFileSync(
    snapshot,
    text.replace('"applications": [\n', `"applications": [\n    ${own.replace(/\n/g, '\n  ')},\n`),
  );
  return { appList, snapshot };
}

function measure(label: string, file: string, source: string, folder: string): void {
  const preload = path.join(folder, 'report-rss.js');
  writeFileSync(
    preload,
    "process.on('exit', () => process.stderr.write(`\\nmaxRSS ${process.resourceUsage().maxRSS}\\n`));\n",
  );
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MB}`,
      '--require',
      preload,
      path.join(ROOT, 'dist', 'src', 'cli', 'main.js'),
      'scan',
      '--source',
      source,
      '--format',
      'json',
      '--fail-on',
      'none',
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 },
  );
  const seconds = (Date.now() - started) / 1000;
  const rssKb = Number(/maxRSS (\d+)/.exec(child.stderr)?.[1] ?? NaN);
  const mb = statSync(file).size / 1024 / 1024;
  const errors = child.stderr.replace(/\n?maxRSS \d+\n/, '').trim();
  process.stdout.write(
    `${label.padEnd(16)} ${mb.toFixed(0).padStart(4)} MB  ${seconds.toFixed(1).padStart(6)} s  ` +
      `peak RSS ${(rssKb / 1024).toFixed(0).padStart(5)} MB  exit ${String(child.status)}` +
      `${errors ? `\n  ${errors.split('\n').slice(0, 3).join('\n  ')}` : ''}\n`,
  );
}

function main(): void {
  const direct =
    require.main === module && (process.argv[2] !== undefined || process.env['BENCH_LARGE'] === '1');
  if (!direct && process.env['BENCH_LARGE'] !== '1') {
    process.stdout.write('skipped (about 400 MB and minutes of CPU): BENCH_LARGE=1 npm run bench\n');
    return;
  }
  const given = process.argv[2];
  const folder = given ? path.resolve(given) : mkdtempSync(path.join(tmpdir(), 'aoa-large-'));
  try {
    const { appList, snapshot } = generate(folder);
    process.stdout.write(
      `${APPS} applications, --max-old-space-size=${HEAP_MB}, Node ${process.version}, ` +
        `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM\n`,
    );
    measure('az ad app list', appList, `manifest:${appList}`, folder);
    measure('snapshot', snapshot, `snapshot:${snapshot}`, folder);
  } finally {
    if (!given) rmSync(folder, { recursive: true, force: true });
  }
}

main();
