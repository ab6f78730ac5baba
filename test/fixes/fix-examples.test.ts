/**
 * `scan --fix` and `--fix-dry-run` on the bundled examples, copied to a temporary folder: the fixed findings are
 * gone from a second scan, no finding appears that was not there, every changed byte lies in a fix's region, and the
 * dry run's diff is exactly what --fix writes (git applies it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../src/engine/types';
import { OVERLAP } from '../../src/fixes/plan';
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
  for (const [file, all] of byFile) {
    // Two findings with one fix (the same edit) carry the same replacement: it is made once.
    const replacements = [
      ...new Map(
        all.map((r) => [
          JSON.stringify([r.deletedRegion.charOffset, r.deletedRegion.charLength, r.insertedContent?.text]),
          r,
        ]),
      ).values(),
    ];
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

describe.each(Object.entries(EXAMPLES))('scan --fix on examples/%s', (name, example) => {
  it('fixes what it can, and changes nothing else', async () => {
    const dir = makeTempDir(`fix-${name}`);
    cpSync(path.join(REPO_ROOT, example.copy), path.join(dir, example.copy), { recursive: true });
    const before = filesUnder(dir);
    const first = await findings(dir, example.args);
    const fixable = first.list.filter((f) => f.fix?.edit);
    expect(fixable.length).toBeGreaterThan(0);

    // The dry run writes nothing; its diff (one pass) applies with git, giving what the SARIF fixes of the same scan
    // give when this test splices them in itself: no byte outside the regions they delete changes.
    const dry = await findings(dir, example.args, ['--fix-dry-run']);
    expect(filesUnder(dir)).toEqual(before);
    expect(dry.stdout).toMatch(/^--- a\//);
    const copy = makeTempDir(`fixdiff-${name}`);
    cpSync(dir, copy, { recursive: true });
    writeFileSync(path.join(copy, 'fix.diff'), dry.stdout);
    execFileSync('git', ['apply', '--unsafe-paths', '--whitespace=nowarn', 'fix.diff'], { cwd: copy });
    const sarifArgs = ['scan', ...example.args, '--format', 'sarif', '--fail-on', 'none', '--now', NOW];
    const firstPass = splicedSarifFixes(JSON.parse((await cli(sarifArgs, { cwd: dir })).stdout), before);
    expect(firstPass.size).toBeGreaterThan(0);
    for (const [file, text] of before) {
      expect([file, readFileSync(path.join(copy, file), 'utf8')]).toEqual([
        file,
        firstPass.get(file) ?? text,
      ]);
    }

    // --fix repeats passes while fixes held back for an overlap remain: the same as splicing SARIF fixes, scanning
    // again and splicing again until none is left.
    const spliced = makeTempDir(`fixsplice-${name}`);
    cpSync(dir, spliced, { recursive: true });
    for (let pass = 0; pass < 10; pass++) {
      const texts = filesUnder(spliced);
      const next = splicedSarifFixes(JSON.parse((await cli(sarifArgs, { cwd: spliced })).stdout), texts);
      if (next.size === 0) break;
      for (const [file, text] of next) writeFileSync(path.join(spliced, file), text);
    }
    const fixed = await findings(dir, example.args, ['--fix']);
    expect(fixed.stderr).toMatch(/Fixed \d+ findings? in \d+ files?/);
    const after = filesUnder(dir);
    expect(after).toEqual(filesUnder(spliced));

    // Every file changed holds a fixed finding; a second scan finds nothing new and none of the fixed findings,
    // only those whose fix was refused for a reason (not an overlap, which a later pass makes).
    const fixedFiles = new Set(fixable.map((f) => f.fix?.edit?.file));
    for (const [file, text] of before) if (after.get(file) !== text) expect(fixedFiles).toContain(file);
    const second = await findings(dir, example.args);
    const firstPrints = new Set(first.list.map((f) => f.fingerprint));
    expect(second.list.filter((f) => !firstPrints.has(f.fingerprint))).toEqual([]);
    const remaining = new Set(second.list.map((f) => f.fingerprint));
    const refused = (f: Finding) =>
      dry.stderr
        .split('\n')
        .some(
          (line) =>
            line.startsWith(`not fixed: ${f.location.file}:${f.location.line ?? 1} ${f.ruleId}:`) &&
            !line.endsWith(OVERLAP),
        );
    const stillThere = fixable.filter((f) => remaining.has(f.fingerprint) && !refused(f));
    expect(stillThere.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });
});

describe('scan --fix on a Terraform configuration', () => {
  it('edits the literal attributes of the .tf files once, laid out as written, and says to plan again', async () => {
    const dir = makeTempDir('fix-tf');
    cpSync(path.join(REPO_ROOT, 'test/sources/terraform/fixtures/colors'), path.join(dir, 'colors'), {
      recursive: true,
    });
    const before = filesUnder(dir);
    const args = ['--source', 'terraform:colors/plan.json#colors'];
    const run = await cli(['scan', ...args, '--fix', '--fail-on', 'none', '--now', NOW], { cwd: dir });
    expect(run.stderr).toMatch(/run terraform plan and terraform show -json again/);
    const after = filesUnder(dir);
    expect(after.get('colors/plan.json')).toBe(before.get('colors/plan.json'));
    const apim = after.get('colors/modules/apim/main.tf') ?? '';
    expect(apim).toContain(
      'token_endpoint               = "https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/oauth2/v2.0/token"',
    );
    expect(apim).toContain('grant_types                  = ["authorizationCode"]\n');
    const entra = after.get('colors/modules/entra/main.tf') ?? '';
    // A list written one item per line gets its new item on a line of its own, trailing comma kept.
    expect(entra).toContain(
      '      "https://contoso-apim.portal.azure-api.net/docs/services/colors-oauth/console/oauth2/authorizationcode/callback",\n      "https://contoso-apim.developer.azure-api.net/signin-oauth/implicit/callback",\n    ]',
    );
    // One pass only: a second would compute list fixes from the stale plan and drop the first one's edit.
    expect(run.stderr).toMatch(/^Fixed \d+ findings? in 2 files\.$/m);
    const again = await cli(['scan', ...args, '--fix-dry-run', '--fail-on', 'none', '--now', NOW], {
      cwd: dir,
    });
    expect(again.stdout).not.toContain('token_endpoint');
  });
});
