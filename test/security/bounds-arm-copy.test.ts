/**
 * Bounded work (issue 10): an ARM copy loop takes at most 800 iterations, as ARM itself; a hostile count
 * (1e999, 100000, negative, fractional) is a located error (exit 2), not a hang.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

function template(copy: string, where: 'resource' | 'property'): string {
  const resource =
    where === 'resource'
      ? `{\n      "type": "Microsoft.ApiManagement/service",\n      "apiVersion": "2022-08-01",\n      "name": "[concat('apim', copyIndex())]",\n      "copy": { "name": "loop", "count": ${copy} },\n      "properties": {}\n    }`
      : `{\n      "type": "Microsoft.ApiManagement/service",\n      "apiVersion": "2022-08-01",\n      "name": "apim",\n      "properties": {\n        "copy": [ { "name": "items", "count": ${copy}, "input": "x" } ]\n      }\n    }`;
  return `{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n  "contentVersion": "1.0.0.0",\n  "resources": [\n    ${resource}\n  ]\n}\n`;
}

async function scan(text: string) {
  const file = path.join(makeTempDir('copy'), 'main.json');
  writeFileSync(file, text);
  return cli(['scan', '--source', `arm:${file}`]);
}

describe('bounds: ARM copy counts', () => {
  it.each([
    ['1e999', 'Infinity'],
    ['100000', '100000'],
    ['-1', '-1'],
    ['1.5', '1.5'],
    ['"[mul(1000, 1000)]"', '1000000'],
  ])(
    'refuses a resource copy count of %s at the count',
    async (count, shown) => {
      const result = await scan(template(count, 'resource'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `main.json:9:42: copy loop 'loop' has count ${shown}; ARM accepts an integer from 0 to 800`,
      );
    },
    5_000,
  );

  it('refuses a property copy count of 1e999 at the count', async () => {
    const result = await scan(template('1e999', 'property'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "main.json:10:47: copy loop 'items' has count Infinity; ARM accepts an integer from 0 to 800",
    );
  }, 5_000);

  it('still evaluates 800 copies', async () => {
    const result = await scan(template('800', 'resource'));
    expect(result.stderr).not.toContain('copy loop');
    expect([0, 1]).toContain(result.code);
  }, 10_000);
});
