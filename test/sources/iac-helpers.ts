/**
 * Shared helpers of the APIOps and ARM source tests: scans through the real CLI, finding comparison with the
 * bundled sample, and reading a reported position back from the file.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { audit } from '../../src/audit';
import type { Finding } from '../../src/engine/types';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

export const NOW = '2026-11-25T12:00:00Z';

/**
 * The findings of rule `ruleId` when `sources` are audited from the repository root, through the library (which
 * carries each finding's `detail` and `fix`, for the tests that read them).
 */
export async function auditFindings(sources: string[], ruleId: string): Promise<Finding[]> {
  const { result } = await audit({ cwd: REPO_ROOT, sources, noConfig: true, now: new Date(NOW) });
  return result.findings.filter((f) => f.ruleId === ruleId);
}

export interface ReportFinding {
  ruleId: string;
  severity: string;
  message: string;
  resource: { kind: string; id: string; name: string };
  location: { file?: string; line?: number; column?: number };
  fingerprint: string;
}

export interface Report {
  complete: boolean;
  findings: ReportFinding[];
  notEvaluated: {
    ruleId: string;
    reason: string;
    kind: string | null;
    resources: { kind: string; name: string }[];
  }[];
  gaps: { source: string; what: string; reason: string }[];
}

export async function scanJson(
  sources: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; report: Report; stdout: string; stderr: string }> {
  const args = [
    'scan',
    ...sources.flatMap((s) => ['--source', s]),
    '--format',
    'json',
    '--fail-on',
    'none',
    '--now',
    NOW,
  ];
  const run = await cli(args, options.cwd ? { cwd: options.cwd } : {});
  if (run.stdout === '') throw new Error(`scan printed no report (exit ${run.code}): ${run.stderr}`);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

/**
 * What a finding says, independent of where it came from: rule, resource and message. Lists of quoted names
 * (`'colors-api', 'colors-admin-api'`) follow the order a source lists entities in (an APIOps folder has no
 * order but the alphabet), so they are compared sorted.
 */
export function gist(finding: ReportFinding): string {
  const message = finding.message.replace(/'[^']*'(?:, '[^']*')+/g, (run) =>
    (run.match(/'[^']*'/g) ?? []).sort().join(', '),
  );
  return `${finding.ruleId} | ${finding.resource.kind} ${finding.resource.name} | ${message}`;
}

let sample: Promise<string[]> | undefined;

/** The gists of the bundled broken sample's findings (scanned once per test file). */
export function sampleGists(): Promise<string[]> {
  sample ??= scanJson(['snapshot:examples/contoso/snapshot.json']).then(({ report }) => {
    if (report.findings.length === 0) throw new Error('the sample has no findings');
    return report.findings.map(gist).sort();
  });
  return sample;
}

/** The text of a file from the reported 1-based line and column on (a UTF-8 BOM is not a column). */
export function textAt(location: ReportFinding['location'], cwd: string = REPO_ROOT): string {
  if (!location.file || location.line === undefined) throw new Error('finding without a position');
  const text = readFileSync(path.join(cwd, location.file), 'utf8').replace(/^\uFEFF/, '');
  const line = text.split('\n')[location.line - 1] ?? '';
  return line.slice((location.column ?? 1) - 1);
}

/** A scratch copy of a fixture folder (removed by `cleanup`, or at the end of the suite). */
export function scratchCopy(fixture: string): { dir: string; cleanup: () => void } {
  const dir = makeTempDir('iac');
  cpSync(path.join(REPO_ROOT, fixture), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = makeTempDir('iac');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { auditErrorOf } from '../helpers/errors';
