/**
 * `scan --fix` and `--fix-dry-run` on the bundled examples, copied to a temporary folder: the fixed findings are
 * gone from a second scan, no finding appears that was not there, every changed byte lies in a fix's region, and the
 * dry run's diff is exactly what --fix writes (git applies it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../src/engine/types';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = '2026-06-01T00:00:00Z';

const EXAMPLES: Record<string, { copy: string; args: string[] }> = {
  contoso: { copy: 'examples/contoso', args: ['examples/contoso/snapshot.json'] },
  'apiops-real': {
    copy: 'examples/apiops-real',
    args: [
      '--source',
      'apiops:examples/apiops-real/apimartifacts',
      '--source',
      'manifest:examples/apiops-real/entra',
    ],
  },
};

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

async function findings(
  cwd: string,
  args: string[],
  extra: string[] = [],
): Promise<{ list: Finding[]; code: number; stderr: string; stdout: string }> {
  const run = await cli(['scan', ...args, '--format', 'json', '--fail-on', 'none', '--now', NOW, ...extra], {
    cwd,
  });
  return {
    list: extra.includes('--fix-dry-run') ? [] : (JSON.parse(run.stdout).findings as Finding[]),
    ...run,
  };
}

interface SarifReplacement {
  deletedRegion: { charOffset: number; charLength: number };
  insertedContent?: { text: string };
}
interface SarifLog {
  runs: {
    results: {
      fixes?: {
        artifactChanges: { artifactLocation: { uri: string }; replacements: SarifReplacement[] }[];
      }[];
    }[];
  }[];
}

/** Each file's text with every SARIF fix replacement spliced in (from the end, so offsets stay valid). */
function splicedSarifFixes(log: SarifLog, texts: Map<string, string>): Map<string, string> {
  const byFile = new Map<string, SarifReplacement[]>();
  for (const result of log.runs[0]?.results ?? []) {
    for (const fix of result.fixes ?? []) {
      for (const change of fix.artifactChanges) {
        const file = decodeURIComponent(change.artifactLocation.uri);
        byFile.set(file, [...(byFile.get(file) ?? []), ...change.replacements]);
      }
    }
  }
  const out = new Map<string, string>();
  for (const [file, replacements] of byFile) {
    let text = texts.get(file);
    if (text === undefined) throw new Error(`a SARIF fix for ${file}, which is not in the example`);
    for (const r of [...replacements].sort(
      (a, b) => b.deletedRegion.charOffset - a.deletedRegion.charOffset,
    )) {
      const { charOffset, charLength } = r.deletedRegion;
      text =
        text.slice(0, charOffset) + (r.insertedContent?.text ?? '') + text.slice(charOffset + charLength);
    }
    out.set(file, text);
  }
  return out;
}

/** The lines that differ between two texts, as 1-based ranges of the old text (common prefix and suffix removed). */
function changedLines(before: string, after: string): [number, number] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end])
    end++;
  return [start + 1, a.length - end];
}

describe.each(Object.entries(EXAMPLES))('scan --fix on examples/%s', (name, example) => {
  it('fixes what it can, and changes nothing else', async () => {
    const dir = makeTempDir(`fix-${name}`);
    cpSync(path.join(REPO_ROOT, example.copy), path.join(dir, example.copy), { recursive: true });
    const before = filesUnder(dir);
    const first = await findings(dir, example.args);
    const fixable = first.list.filter((f) => f.fix?.edit);
    expect(fixable.length).toBeGreaterThan(0);

    // The dry run writes nothing; its diff is what --fix then writes.
    const dry = await findings(dir, example.args, ['--fix-dry-run']);
    expect(filesUnder(dir)).toEqual(before);
    expect(dry.stdout).toMatch(/^--- a\//);
    const copy = makeTempDir(`fixdiff-${name}`);
    cpSync(dir, copy, { recursive: true });
    writeFileSync(path.join(copy, 'fix.diff'), dry.stdout);
    execFileSync('git', ['apply', '--unsafe-paths', '--whitespace=nowarn', 'fix.diff'], { cwd: copy });

    // The SARIF fixes of the same scan, spliced in by this test: --fix must give exactly that, so no byte outside
    // the regions they delete changes.
    const sarif = await cli(
      ['scan', ...example.args, '--format', 'sarif', '--fail-on', 'none', '--now', NOW],
      { cwd: dir },
    );
    const spliced = splicedSarifFixes(JSON.parse(sarif.stdout), before);
    expect(spliced.size).toBeGreaterThan(0);

    const fixed = await findings(dir, example.args, ['--fix']);
    expect(fixed.stderr).toMatch(/Fixed \d+ findings? in \d+ files?/);
    const after = filesUnder(dir);
    for (const [file, text] of after) {
      if (file === 'fix.diff') continue;
      expect([file, text]).toEqual([file, readFileSync(path.join(copy, file), 'utf8')]);
    }

    for (const [file, text] of before)
      expect([file, after.get(file)]).toEqual([file, spliced.get(file) ?? text]);

    // Every changed line is on a line a fixed finding points at, or next to one (an inserted property).
    const fixedFiles = new Set(fixable.map((f) => f.fix?.edit?.file));
    for (const [file, text] of before) {
      const now = after.get(file);
      if (now === text) continue;
      expect(fixedFiles).toContain(file);
      const [from, to] = changedLines(text, now ?? '');
      const lines = fixable.filter((f) => f.fix?.edit?.file === file).map((f) => f.location.line ?? 0);
      expect(lines.some((l) => Math.abs(l - from) <= 3 || (l >= from && l <= to))).toBe(true);
    }

    // A second scan: what was fixed is gone, nothing new appears.
    const second = await findings(dir, example.args);
    const firstPrints = new Set(first.list.map((f) => f.fingerprint));
    expect(second.list.filter((f) => !firstPrints.has(f.fingerprint))).toEqual([]);
    const remaining = new Set(second.list.map((f) => f.fingerprint));
    const skipped = (f: Finding) =>
      dry.stderr.includes(`not fixed: ${f.location.file}:${f.location.line ?? 1} ${f.ruleId}:`);
    const stillThere = fixable.filter((f) => remaining.has(f.fingerprint) && !skipped(f));
    expect(stillThere.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });
});
