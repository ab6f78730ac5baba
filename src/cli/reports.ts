/**
 * Which reports a scan writes, and where: the main one (`--format`, `--output` or stdout) and any number more from
 * the same run (`--report <format>=<file>`), so that a CI job gets annotations, a summary, SARIF and JUnit from one
 * audit (one read of a live tenant). Every target is checked before the audit starts; at most one report goes to
 * stdout.
 */
import { REPORTER_NAMES, type ReporterName } from '../../reporters/types';
import { AuditError } from '../errors';
import { checkOutputFile } from './io';

export interface ReportTarget {
  format: ReporterName;
  /** The file as given; undefined: stdout. */
  file: string | undefined;
}

const MAX_REPORTS = 16;

function isReporterName(value: string): value is ReporterName {
  return (REPORTER_NAMES as readonly string[]).includes(value);
}

/** `--report` specs and `--link-base`, checked; the main report first. Throws a usage error naming the flag. */
export function reportTargets(
  cwd: string,
  main: ReportTarget,
  specs: readonly string[],
  linkBase: string | undefined,
): ReportTarget[] {
  if (specs.length > MAX_REPORTS) {
    throw new AuditError('usage', `--report is given ${specs.length} times; at most ${MAX_REPORTS}.`);
  }
  if (linkBase !== undefined && !/^https?:\/\/[^\s]+$/.test(linkBase)) {
    throw new AuditError('usage', `--link-base ${linkBase}: expected an http(s) URL without spaces.`);
  }
  const targets: ReportTarget[] = [main];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const format = at > 0 ? spec.slice(0, at).trim() : '';
    const file = at > 0 ? spec.slice(at + 1).trim() : '';
    if (!isReporterName(format) || file === '') {
      throw new AuditError(
        'usage',
        `--report ${spec}: expected <format>=<file> (or <format>=- for stdout), format one of ${REPORTER_NAMES.join(', ')}.`,
      );
    }
    targets.push({ format, file: file === '-' ? undefined : file });
  }
  const toStdout = targets.filter((t) => t.file === undefined);
  if (toStdout.length > 1) {
    throw new AuditError(
      'usage',
      `--report: ${toStdout.map((t) => t.format).join(' and ')} would both be written to stdout; give --output or a file.`,
    );
  }
  const seen = new Set<string>();
  for (const target of targets) {
    if (target.file === undefined) continue;
    const resolved = checkOutputFile(cwd, target.file, target === main ? '--output' : '--report');
    if (seen.has(resolved)) {
      throw new AuditError('usage', `--report: ${target.file} is the target of two reports.`);
    }
    seen.add(resolved);
  }
  return targets;
}
