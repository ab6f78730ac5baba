/**
 * The floor a scan is measured against: `node dist/bench/support/floor.js <dir>...` lists every folder under the
 * given ones, reads every file and `JSON.parse`s the `.json` ones (the least work any audit of those files does),
 * then prints the file count and bytes read. Run as a child process, like the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

function walk(dir: string, seen: { files: number; bytes: number; parsed: number }): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(full, seen);
    } else if (entry.isFile()) {
      const bytes = readFileSync(full);
      seen.files++;
      seen.bytes += bytes.length;
      if (entry.name.endsWith('.json')) {
        const value: unknown = JSON.parse(bytes.toString('utf8'));
        if (value !== null) seen.parsed++;
      }
    }
  }
}

const seen = { files: 0, bytes: 0, parsed: 0 };
for (const dir of process.argv.slice(2)) walk(dir, seen);
process.stdout.write(`${JSON.stringify(seen)}\n`);
