/**
 * Which fixes of an audit can be applied, and the text of each file after them: every finding's `fix.edit` made
 * exact against the file as it is now (./replacements.ts), overlapping fixes resolved (the first in report order
 * wins; the others wait for the next run), files outside the working directory or behind a symlink left alone.
 * Reads files; never writes (./apply.ts does).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../engine/types';
import { exactReplacements } from './replacements';
import type { TextReplacement } from '../../reporters/types';

/** Largest file a fix reads (the sources' default read limit). */
const MAX_FIX_FILE = 256 * 1024 * 1024;

/** Why a fix waits: another fix of the same text comes first (`--fix` makes it in its next pass). */
export const OVERLAP = 'another fix changes the same text first; run the fix again';

export interface FileFix {
  /** As in findings: relative to the working directory, `/` separators. */
  file: string;
  before: string;
  after: string;
  /** In file order, not overlapping. */
  replacements: TextReplacement[];
  /** Fingerprints of the findings whose fixes this file's replacements make. */
  findings: string[];
}

export interface FixPlan {
  files: FileFix[];
  /** Exact replacements per finding fingerprint (SARIF `fixes`). */
  byFingerprint: Map<string, TextReplacement[]>;
  /** Findings with an edit that is not applied, and why. */
  skipped: { finding: Finding; reason: string }[];
}

/** Reads a file the fix may change: inside `cwd`, a regular file, not through a symlink. */
export function readFixTarget(cwd: string, file: string): string | { reason: string } {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { reason: 'the file is outside the working directory' };
  }
  let fd: number;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ELOOP' ? 'the file is a symbolic link' : `the file cannot be read (${code})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { reason: 'not a regular file' };
    if (stats.size > MAX_FIX_FILE) return { reason: 'the file is larger than the fix limit' };
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < stats.size) {
      const n = readSync(fd, buffer, read, stats.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function planFixes(findings: readonly Finding[], cwd: string): FixPlan {
  const texts = new Map<string, string | { reason: string }>();
  const textOf = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = readFixTarget(cwd, file)));
    return text;
  };
  const byFingerprint = new Map<string, TextReplacement[]>();
  const skipped: FixPlan['skipped'] = [];
  const perFile = new Map<string, { replacements: TextReplacement[]; findings: string[] }>();
  for (const finding of findings) {
    const edit = finding.fix?.edit;
    if (!edit || finding.suppressed) continue;
    const text = textOf(edit.file);
    if (typeof text !== 'string') {
      skipped.push({ finding, reason: text.reason });
      continue;
    }
    const exact = exactReplacements(edit, text);
    if ('reason' in exact) {
      skipped.push({ finding, reason: exact.reason });
      continue;
    }
    // A replacement by the text already there changes nothing (a Terraform value fixed in the .tf, not yet planned).
    const replacements = exact.replacements.filter(
      (r) => text.slice(r.offset, r.offset + r.length) !== r.text,
    );
    if (replacements.length === 0) continue;
    const slot = perFile.get(edit.file) ?? { replacements: [], findings: [] };
    // Two findings with the same fix (an implicit grant reported on the server and on its client app): one edit.
    if (replacements.every((r) => slot.replacements.some((s) => sameReplacement(r, s)))) {
      byFingerprint.set(finding.fingerprint, replacements);
      slot.findings.push(finding.fingerprint);
      continue;
    }
    if (replacements.some((r) => slot.replacements.some((s) => overlaps(r, s)))) {
      skipped.push({ finding, reason: OVERLAP });
      continue;
    }
    byFingerprint.set(finding.fingerprint, replacements);
    slot.replacements.push(...replacements);
    slot.findings.push(finding.fingerprint);
    perFile.set(edit.file, slot);
  }
  const files = [...perFile].map(([file, slot]): FileFix => {
    const before = texts.get(file) as string;
    const replacements = [...slot.replacements].sort((a, b) => a.offset - b.offset);
    return {
      file,
      before,
      after: applyReplacements(before, replacements),
      replacements,
      findings: slot.findings,
    };
  });
  return { files, byFingerprint, skipped };
}

function sameReplacement(a: TextReplacement, b: TextReplacement): boolean {
  return a.offset === b.offset && a.length === b.length && a.text === b.text;
}

/** Two replacements touch the same characters, or insert at the same place (their order would be a guess). */
function overlaps(a: TextReplacement, b: TextReplacement): boolean {
  if (a.offset === b.offset) return true;
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/** `replacements` sorted by offset and not overlapping. */
export function applyReplacements(text: string, replacements: readonly TextReplacement[]): string {
  let out = '';
  let at = 0;
  for (const r of replacements) {
    out += text.slice(at, r.offset) + r.text;
    at = r.offset + r.length;
  }
  return out + text.slice(at);
}
