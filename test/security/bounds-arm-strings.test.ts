/**
 * Bounded work (issue 10): what the ARM functions build is bounded (4 M characters per value, a total per
 * template, a call depth), so strings doubled through variables, `padLeft(x, 1e9)`, `replace` blow-ups or
 * 5,000 variables referring to each other end in a located error (exit 2), fast.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateString } from '../../src/sources/arm/evaluate';
import { type ArmScope } from '../../src/sources/arm/values';
import { ArmLimitError } from '../../src/sources/arm/limits';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

function template(publisherName: string, variables: Record<string, string> = {}): string {
  return JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      variables,
      resources: [
        {
          type: 'Microsoft.ApiManagement/service',
          apiVersion: '2022-08-01',
          name: 'apim',
          properties: { publisherName },
        },
      ],
    },
    null,
    2,
  );
}

async function scan(text: string) {
  const file = path.join(makeTempDir('strings'), 'main.json');
  writeFileSync(file, text);
  return cli(['scan', '--source', `arm:${file}`]);
}

/** v0 = 10 characters, v<n> = concat(v<n-1>, v<n-1>): v39 would be 5 TB. */
function doubling(): Record<string, string> {
  const variables: Record<string, string> = { v0: 'abcdefghij' };
  for (let i = 1; i < 40; i++)
    variables[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
  return variables;
}

describe('bounds: ARM string functions', () => {
  it('stops strings doubled through variables, at the variable that crosses the limit', async () => {
    const result = await scan(template("[variables('v39')]", doubling()));
    expect(result.code).toBe(2);
    // v19 = 10 * 2^19 = 5,242,880 characters: the first value over 4 M.
    expect(result.stderr).toMatch(
      /main\.json:24:12: concat\(\) produces a value larger than 4194304 characters/,
    );
  }, 5_000);

  it.each([
    ["[padLeft('x', 1000000000)]", 'padLeft() would produce more than 4194304 characters'],
    [
      "[replace(replace(replace(padLeft('x', 4000, 'y'), '', padLeft('y', 4000)), 'y', 'yy'), 'y', 'yy')]",
      'replace() would produce more than 4194304 characters',
    ],
  ])(
    'locates %s at the property',
    async (expression, message) => {
      const result = await scan(template(expression));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`main.json:11:26: ${message}`);
    },
    5_000,
  );

  it('stops 5,000 variables that refer to each other at the call depth', async () => {
    const variables: Record<string, string> = { v0: 'a' };
    for (let i = 1; i < 5000; i++) variables[`v${i}`] = `[variables('v${i - 1}')]`;
    const result = await scan(template("[variables('v4999')]", variables));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /main\.json:\d+:\d+: variables\(\): expressions nest deeper than 400 levels/,
    );
  }, 5_000);

  it('leaves an expression nested 5,000 deep unknown instead of overflowing the parser', () => {
    const scope: ArmScope = {
      parameter: () => null,
      variable: () => null,
      copyIndex: () => 0,
      reference: () => null,
    };
    const deep = `[${'concat('.repeat(5000)}'a'${')'.repeat(5000)}]`;
    expect(evaluateString(deep, scope)).toMatchObject({ reason: expect.stringContaining('nested deeper') });
    expect(() => evaluateString("[padLeft('x', 5000000)]", scope)).toThrow(ArmLimitError);
  });

  it('leaves a member or index chain of 20,000 links unknown instead of overflowing the evaluator', () => {
    const scope: ArmScope = {
      parameter: () => null,
      variable: () => null,
      copyIndex: () => 0,
      reference: () => null,
    };
    // Found by the ARM fuzz test: each link nested the tree one level and evaluation recursed down it.
    for (const link of ['.?a', "?['a']", '.a']) {
      const chain = `[json('{}')${link.repeat(20000)}]`;
      expect(evaluateString(chain, scope)).toMatchObject({
        reason: expect.stringContaining('a member or index chain longer than'),
      });
    }
    expect(evaluateString(`[json('{"a":{"a":1}}')${'.a'.repeat(2)}]`, scope)).toBe(1);
  });
});
