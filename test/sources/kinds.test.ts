/**
 * src/sources/index.ts knows each kind's `takesPath` and load phase before it loads the kind's module (modules
 * load lazily, issue 12): the table must say what the module's `SourceDefinition` says.
 */
import { SOURCE_KINDS, sourceDefinition, sourceKindInfo } from '../../src/sources';

test.each(SOURCE_KINDS)('the kind table agrees with the %s module', (kind) => {
  const definition = sourceDefinition(kind);
  expect(sourceKindInfo(kind)).toEqual({
    takesPath: definition.takesPath,
    phase: definition.phase ?? 'files',
  });
});

test('only kinds that take a path detect bare paths', () => {
  for (const kind of SOURCE_KINDS) {
    if (sourceDefinition(kind).detect) expect([kind, sourceKindInfo(kind).takesPath]).toEqual([kind, true]);
  }
});
