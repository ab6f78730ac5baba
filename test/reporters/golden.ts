/**
 * Golden files: the expected report text lives in __golden__/. `UPDATE_GOLDEN=1 npx jest test/reporters`
 * rewrites them; otherwise any difference fails the test. Goldens use a `.txt` extension so that Prettier
 * (which formats `.json`) never rewrites them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const GOLDEN_DIR = path.join(__dirname, '__golden__');

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(
      `Golden file ${path.relative(process.cwd(), file)} is missing; run with UPDATE_GOLDEN=1 to create it.`,
    );
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
