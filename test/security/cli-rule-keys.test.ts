/** `--rule` ids are data, never object keys with a meaning: `__proto__` is an unknown rule id like any other typo. */
import { cli } from '../helpers/cli';

describe('--rule with a prototype key', () => {
  it.each(['__proto__', 'constructor'])(
    '--rule %s=off is an unknown rule id (exit 2), not silently dropped',
    async (id) => {
      const run = await cli(['scan', 'examples/contoso-fixed/snapshot.json', '--rule', `${id}=off`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--rule ${id}: unknown rule '${id}'`);
    },
  );
});
