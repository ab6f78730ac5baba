/**
 * Temporary folders for tests, under the OS temp dir. Every folder made here is removed after its suite
 * (test/helpers/cleanup.ts runs `removeTempDirs` in an afterAll of every suite), so no run leaves anything behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const created: string[] = [];

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `aoa-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
