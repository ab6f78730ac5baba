/**
 * Writes a fix plan's files. Each file is written only if it still holds the text the plan was made from, through
 * a descriptor opened without following symbolic links, in place (its mode and links stay as they are).
 */
import { closeSync, constants, ftruncateSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readFixTarget, type FileFix } from './plan';

export interface Applied {
  written: FileFix[];
  /** Files not written, and why (changed meanwhile, not writable). */
  failed: { file: string; reason: string }[];
}

export function applyFixPlan(files: readonly FileFix[], cwd: string): Applied {
  const written: FileFix[] = [];
  const failed: Applied['failed'] = [];
  for (const file of files) {
    const now = readFixTarget(cwd, file.file);
    if (typeof now !== 'string') {
      failed.push({ file: file.file, reason: now.reason });
      continue;
    }
    if (now !== file.before) {
      failed.push({ file: file.file, reason: 'the file changed while the fixes were prepared' });
      continue;
    }
    try {
      const fd = openSync(path.resolve(cwd, file.file), constants.O_WRONLY | constants.O_NOFOLLOW);
      try {
        const bytes = Buffer.from(file.after, 'utf8');
        ftruncateSync(fd, 0);
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, done);
      } finally {
        closeSync(fd);
      }
      written.push(file);
    } catch (error) {
      failed.push({
        file: file.file,
        reason: `cannot be written (${(error as NodeJS.ErrnoException).code})`,
      });
    }
  }
  return { written, failed };
}
