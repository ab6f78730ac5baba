/**
 * The GitHub Action's step (action.yml): one scan, then what a workflow reads from it. The CLI runs in-process and
 * writes every report from the same audit into a temporary folder (`--report`); this step then prints the log
 * report and the annotations, appends the markdown summary to `$GITHUB_STEP_SUMMARY`, writes the step outputs to
 * `$GITHUB_OUTPUT`, and exits with the CLI's exit code, so the gate fails the job exactly as the CLI would.
 *
 * Inputs arrive as environment variables that action.yml maps explicitly (`INPUT_SOURCES` ...): a value is never
 * pasted into a shell script, so no input can run a command.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANNOTATIONS_PER_LEVEL, annotationSlots } from '../../reporters/github';
import { REPORTER_NAMES, type ReporterName } from '../../reporters/types';
import { run } from '../cli/main';
import { processIO, type CliIO } from '../cli/io';
import { EXIT } from '../cli/exit-codes';
import { escapeLines } from '../util/escape';

type Env = Readonly<Record<string, string | undefined>>;

export interface ActionInputs {
  sources: string[];
  config: string | undefined;
  failOn: string | undefined;
  /** The report printed in the log. */
  format: ReporterName;
  /** Where SARIF is written; undefined: none. */
  sarifFile: string | undefined;
  baseline: string | undefined;
  summary: boolean;
  annotations: boolean;
}

export class InputError extends Error {}

function input(env: Env, name: string): string | undefined {
  const value = env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = input(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`input ${name}: expected true or false, not '${value}'`);
}

/** The inputs, checked: one source per line (a path may hold spaces), known format, booleans. */
export function readInputs(env: Env): ActionInputs {
  const sources = (input(env, 'sources') ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (sources.length === 0) throw new InputError('input sources: give at least one source, one per line');
  const format = input(env, 'format') ?? 'text';
  if (!(REPORTER_NAMES as readonly string[]).includes(format)) {
    throw new InputError(`input format: expected one of ${REPORTER_NAMES.join(', ')}, not '${format}'`);
  }
  return {
    sources,
    config: input(env, 'config'),
    failOn: input(env, 'fail-on'),
    format: format as ReporterName,
    sarifFile: input(env, 'sarif-file'),
    baseline: input(env, 'baseline'),
    summary: flag(env, 'summary', true),
    annotations: flag(env, 'annotations', true),
  };
}

/** A full commit SHA (what GitHub puts in GITHUB_SHA and the event's head.sha). */
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * `https://github.com/<owner>/<repo>/blob/<sha>`: where the summary's file links point. The commit is the pull
 * request's head when there is one (the merge commit GitHub checks out is not what a reviewer browses).
 */
export function linkBase(env: Env): string | undefined {
  const server = env['GITHUB_SERVER_URL'];
  const repository = env['GITHUB_REPOSITORY'];
  if (!server || !repository) return undefined;
  let sha = env['GITHUB_SHA'];
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (eventPath) {
    try {
      const event = JSON.parse(readFileSync(eventPath, 'utf8')) as {
        pull_request?: { head?: { sha?: unknown } };
      };
      const head = event.pull_request?.head?.sha;
      if (typeof head === 'string' && COMMIT.test(head)) sha = head;
    } catch {
      // No readable event: the workflow's own commit.
    }
  }
  if (!sha || !COMMIT.test(sha)) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/blob/${sha}`;
}

/** The scan's arguments: every report into `dir`, SARIF where the workflow wants it. */
export function scanArgs(inputs: ActionInputs, dir: string, base: string | undefined): string[] {
  const args = ['scan', ...inputs.sources.flatMap((s) => ['--source', s])];
  if (inputs.config) args.push('--config', inputs.config);
  if (inputs.failOn) args.push('--fail-on', inputs.failOn);
  if (inputs.baseline) args.push('--baseline', inputs.baseline);
  args.push('--format', 'json', '--output', path.join(dir, 'audit.json'));
  args.push('--report', `${inputs.format}=${path.join(dir, `report.${inputs.format}`)}`);
  if (inputs.sarifFile) args.push('--report', `sarif=${inputs.sarifFile}`);
  if (inputs.summary) args.push('--report', `markdown=${path.join(dir, 'summary.md')}`);
  if (inputs.annotations) args.push('--report', `github=${path.join(dir, 'annotations.txt')}`);
  if (base) args.push('--link-base', base);
  return args;
}

/** `name=value` lines for `$GITHUB_OUTPUT` (values of ours: counts, a path, a boolean; one line each). */
function outputLines(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value.replace(/[\r\n]/g, ' ')}\n`)
    .join('');
}

interface JsonReport {
  complete: boolean;
  findings: { severity: string; suppressed?: unknown; baselineState?: string }[];
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The summary's count of findings the annotations leave out (GitHub shows a few per level and step). */
function annotationNote(inputs: ActionInputs, active: JsonReport['findings'], complete: boolean): string {
  if (!inputs.annotations) return '';
  const count = (severity: string) => active.filter((f) => f.severity === severity).length;
  const { left } = annotationSlots(
    { error: count('error'), warning: count('warning'), note: count('note') },
    complete,
  );
  if (left === 0) return '';
  return `\n*${left} of these findings have no annotation on the pull request: GitHub shows ${ANNOTATIONS_PER_LEVEL} per level and step.*\n`;
}

/** Runs the step; returns the exit code (the CLI's, or 2 for bad inputs). */
export async function runAction(env: Env, io: CliIO): Promise<number> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs(env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(escapeLines(`apim-oauth-audit action: ${error.message}\n`));
    return EXIT.usage;
  }
  const dir = mkdtempSync(path.join(env['RUNNER_TEMP'] ?? tmpdir(), 'apim-oauth-audit-'));
  try {
    // The reports written to the temporary folder are this step's business, not the log's.
    const quiet: CliIO = {
      ...io,
      stderr: (text) => {
        if (!(text.startsWith('Wrote ') && text.includes(dir))) io.stderr(text);
      },
    };
    const code = await run(scanArgs(inputs, dir, linkBase(env)), quiet);
    const log = readIfPresent(path.join(dir, `report.${inputs.format}`));
    if (log !== undefined) io.stdout(log);
    const annotations = inputs.annotations ? readIfPresent(path.join(dir, 'annotations.txt')) : undefined;
    if (annotations !== undefined) io.stdout(annotations);
    const json = readIfPresent(path.join(dir, 'audit.json'));
    const report = json === undefined ? undefined : (JSON.parse(json) as JsonReport);
    // What the gate judges: neither suppressed nor recorded in the baseline.
    const active =
      report?.findings.filter((f) => f.suppressed === undefined && f.baselineState !== 'unchanged') ?? [];
    const summary = inputs.summary ? readIfPresent(path.join(dir, 'summary.md')) : undefined;
    const summaryFile = env['GITHUB_STEP_SUMMARY'];
    if (summary !== undefined && summaryFile) {
      const note = annotationNote(inputs, active, report?.complete === true);
      appendFileSync(summaryFile, `${summary}${note}\n`);
    }
    const outputFile = env['GITHUB_OUTPUT'];
    if (outputFile) {
      appendFileSync(
        outputFile,
        outputLines({
          findings: String(active.length),
          errors: String(active.filter((f) => f.severity === 'error').length),
          'sarif-file': report && inputs.sarifFile ? inputs.sarifFile : '',
          complete: String(report?.complete === true),
        }),
      );
    }
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void runAction(process.env, processIO()).then((code) => {
    process.exitCode = code;
  });
}
