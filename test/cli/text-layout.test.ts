/**
 * The CLI's side of the text layout: the terminal's width reaches the text reporter only when stdout is a terminal
 * (files and pipes get the deterministic 100 columns), and --compact reaches it as one line per finding. The
 * reporter is the real one, watched for the options the CLI hands it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import type { ReporterOptions } from '../../reporters';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const seen: ReporterOptions[] = [];

jest.mock('../../reporters/text', () => {
  const actual = jest.requireActual<typeof import('../../reporters/text')>('../../reporters/text');
  return {
    ...actual,
    textReporter: (...args: Parameters<typeof actual.textReporter>) => {
      seen.push(args[1]);
      return actual.textReporter(...args);
    },
  };
});

const SCAN = ['scan', 'examples/contoso/snapshot.json', '--fail-on', 'none', '--now', '2026-11-25T12:00:00Z'];

async function scan(
  args: string[],
  terminal: { tty: boolean; columns?: number },
  cwd = REPO_ROOT,
): Promise<{ stdout: string; options: ReporterOptions | undefined }> {
  let stdout = '';
  const io: CliIO = {
    cwd,
    env: { NO_COLOR: '1' },
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => undefined,
    stdoutIsTTY: terminal.tty,
    stderrIsTTY: false,
    ...(terminal.columns !== undefined ? { stdoutColumns: terminal.columns } : {}),
  };
  seen.length = 0;
  await run(args, io);
  return { stdout, options: seen[0] };
}

describe('text report layout from the CLI', () => {
  it("passes the terminal's width when stdout is a terminal", async () => {
    const { options } = await scan(SCAN, { tty: true, columns: 60 });
    expect(options?.width).toBe(60);
    expect(options?.compact).toBeUndefined();
  });

  it('passes no width for a pipe, for --output, or for a terminal that does not say', async () => {
    expect((await scan(SCAN, { tty: false, columns: 60 })).options).not.toHaveProperty('width');
    expect((await scan(SCAN, { tty: true })).options).not.toHaveProperty('width');
    const dir = makeTempDir('text-layout');
    const file = path.join(dir, 'report.txt');
    const written = await scan([...SCAN, '--output', file], { tty: true, columns: 60 });
    expect(written.options).not.toHaveProperty('width');
    const pipe = await scan(SCAN, { tty: false });
    expect(readFileSync(file, 'utf8')).toBe(pipe.stdout);
  });

  it('--compact prints one line per finding and nothing under them', async () => {
    const full = await scan(SCAN, { tty: false });
    const compact = await scan([...SCAN, '--compact'], { tty: false });
    expect(compact.options?.compact).toBe(true);
    const compactLines = compact.stdout
      .split('\n')
      .filter((line) => /^\S+:\d+:\d+: (error|warning|note) \[[a-z0-9-]+\] /.test(line));
    const fullLines = full.stdout
      .split('\n')
      .filter((line) => /^ {2}\S+:\d+:\d+ +(error|warning|note) /.test(line));
    expect(compactLines.length).toBeGreaterThan(0);
    expect(compactLines).toHaveLength(fullLines.length);
    expect(
      compact.stdout.split('\n').filter((line) => /^ {4}\S/.test(line) && !line.startsWith('    - ')),
    ).toEqual([]);
  });
});
