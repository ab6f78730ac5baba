import { run } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { REPO_ROOT } from './sample';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in-process with captured output; no colour unless the env asks for it. */
export async function cli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; tty?: boolean; stderrTty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.stderrTty ?? false,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
