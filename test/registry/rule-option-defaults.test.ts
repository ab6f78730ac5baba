/**
 * A built-in rule's option defaults are valid against its options schema. The registry relies on it: when the
 * config gives a built-in rule no options, it uses the defaults without compiling the schema (src/registry/settings.ts),
 * which keeps ajv's compiler out of an ordinary start.
 */
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { newAjv } from '../../src/json/schema';

const withOptions = BUILTIN_RULE_IDS.filter((id) => builtinRules[id].options !== undefined);

test('some built-in rules take options', () => {
  expect(withOptions.length).toBeGreaterThan(0);
});

test.each(withOptions)('%s: its defaults match its options schema', (id) => {
  const options = builtinRules[id].options!;
  const validate = newAjv().compile(options.schema);
  expect(validate(structuredClone(options.defaults))).toBe(true);
  expect(validate.errors ?? []).toEqual([]);
});
