/**
 * Bounded work (issue 10): JSON nested 100,000 deep, in every kind of JSON input, is refused with a located
 * error (exit 2) before any recursive parser or walker sees it; it never ends in "internal error".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonWithPositions } from '../../src/json/positions';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function expectDepthError(source: string, file: string, line: number, column: number) {
  const result = await cli(['scan', '--source', source]);
  expect(result.stderr).not.toContain('internal error');
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    `${path.basename(file)}:${line}:${column}: JSON nested deeper than 1000 levels`,
  );
}

describe('bounds: JSON depth', () => {
  it('refuses a snapshot nested 100,000 deep, located', async () => {
    const file = write(makeTempDir('deep'), 'snapshot.json', `{\n  "apim": ${DEEP}\n}`);
    // The object around the array is level 1, so the 1,000th bracket is the first one past the limit.
    await expectDepthError(`snapshot:${file}`, file, 2, 1010);
  }, 10_000);

  it('refuses an app manifest nested 100,000 deep, located', async () => {
    const file = write(
      makeTempDir('deep'),
      'app.json',
      `{\n  "appId": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",\n  "x": ${DEEP}\n}`,
    );
    await expectDepthError(`manifest:${file}`, file, 3, 1007);
  }, 10_000);

  it('refuses an ARM template nested 100,000 deep, located', async () => {
    const file = write(makeTempDir('deep'), 'main.json', `{\n  "resources": [],\n  "x": ${DEEP}\n}`);
    await expectDepthError(`arm:${file}`, file, 3, 1007);
  }, 10_000);

  it('refuses an APIOps apiInformation.json nested 100,000 deep, located', async () => {
    const dir = makeTempDir('deep');
    const file = write(dir, 'apis/colors-api/apiInformation.json', `{\n  "properties": ${DEEP}\n}`);
    await expectDepthError(`apiops:${dir}`, file, 2, 1016);
  }, 10_000);

  it('accepts 1,000 levels and refuses 1,001', () => {
    const at = (n: number) => parseJsonWithPositions('['.repeat(n) + ']'.repeat(n));
    expect('value' in at(1000)).toBe(true);
    expect(at(1001)).toEqual({
      problems: [{ message: 'JSON nested deeper than 1000 levels', line: 1, column: 1001 }],
    });
  });

  it('does not count brackets inside strings', () => {
    const parsed = parseJsonWithPositions(JSON.stringify({ s: '['.repeat(5000) + '\\"{'.repeat(5000) }));
    expect('value' in parsed).toBe(true);
  });

  it('keeps a "__proto__" key as an own property, not a prototype', () => {
    const parsed = parseJsonWithPositions('{"__proto__": {"polluted": true}, "a": 1}');
    if (!('value' in parsed)) throw new Error('expected a value');
    const value = parsed.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
  });
});
