/**
 * A unified diff (`diff -u`, `git apply` reads it) of the files a fix plan changes. The hunks come straight from the
 * replacements, which are known, rather than from a general diff of the two texts: exact, and linear in the size
 * of what changes plus the context shown.
 */
import type { FileFix } from './plan';
import type { TextReplacement } from '../../reporters/types';

const CONTEXT = 3;

export function unifiedDiff(files: readonly FileFix[], redact: (text: string) => string = (t) => t): string {
  return files.map((file) => redact(fileDiff(file))).join('');
}

interface Cluster {
  /** 0-based old line indexes, inclusive. */
  first: number;
  last: number;
  replacements: TextReplacement[];
}

function fileDiff(file: FileFix): string {
  const lines = splitLines(file.before);
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length;
  }
  const clusters: Cluster[] = [];
  for (const r of file.replacements) {
    const first = r.startLine - 1;
    // A replacement that ends at the start of a line (after a newline it deletes) does not change that line.
    const last = Math.max(first, r.endColumn === 1 && r.length > 0 ? r.endLine - 2 : r.endLine - 1);
    const previous = clusters[clusters.length - 1];
    if (previous && first - previous.last <= 2 * CONTEXT) {
      previous.last = Math.max(previous.last, last);
      previous.replacements.push(r);
    } else {
      clusters.push({ first, last, replacements: [r] });
    }
  }
  let out = `--- a/${file.file}\n+++ b/${file.file}\n`;
  let delta = 0;
  for (const cluster of clusters) {
    const oldLast = Math.min(cluster.last, lines.length - 1);
    const segmentStart = starts[cluster.first] ?? file.before.length;
    const segmentEnd =
      oldLast + 1 < lines.length ? (starts[oldLast + 1] ?? file.before.length) : file.before.length;
    let replaced = '';
    let at = segmentStart;
    for (const r of cluster.replacements) {
      replaced += file.before.slice(at, r.offset) + r.text;
      at = r.offset + r.length;
    }
    replaced += file.before.slice(at, segmentEnd);
    const removed = lines.slice(cluster.first, oldLast + 1);
    const added = splitLines(replaced);
    const before = lines.slice(Math.max(0, cluster.first - CONTEXT), cluster.first);
    const after = lines.slice(oldLast + 1, oldLast + 1 + CONTEXT);
    const oldStart = cluster.first - before.length + 1;
    const oldCount = before.length + removed.length + after.length;
    const newCount = before.length + added.length + after.length;
    out += `@@ -${range(oldStart, oldCount)} +${range(oldStart + delta, newCount)} @@\n`;
    // Lines a replacement spans without changing them (an insertion after `<inbound>` keeps that line) are context.
    let same = 0;
    while (same < removed.length && same < added.length && removed[same] === added[same]) same++;
    let tail = 0;
    while (
      tail < removed.length - same &&
      tail < added.length - same &&
      removed[removed.length - 1 - tail] === added[added.length - 1 - tail]
    ) {
      tail++;
    }
    out += [...before, ...removed.slice(0, same)].map((l) => ` ${withNewline(l)}`).join('');
    out += removed
      .slice(same, removed.length - tail)
      .map((l) => `-${withNewline(l)}`)
      .join('');
    out += added
      .slice(same, added.length - tail)
      .map((l) => `+${withNewline(l)}`)
      .join('');
    out += [...removed.slice(removed.length - tail), ...after].map((l) => ` ${withNewline(l)}`).join('');
    delta += added.length - removed.length;
  }
  return out;
}

/** Lines with their line ends kept (`\n` or `\r\n`); the last may have none. An empty text has no lines. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function withNewline(line: string): string {
  return line.endsWith('\n') ? line : `${line}\n\\ No newline at end of file\n`;
}

function range(start: number, count: number): string {
  // diff -u writes an empty range as the line before it.
  return count === 0 ? `${start - 1},0` : count === 1 ? `${start}` : `${start},${count}`;
}
