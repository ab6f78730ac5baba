/**
 * src/json/validators.generated.ts is the ajv standalone code of schemas/*.schema.json (scripts/generate-validators.js,
 * run by `npm run build`). It is committed so that the tests run from sources on a fresh clone; this test fails when
 * a schema (or ajv) changed and the file was not regenerated.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

test('the precompiled validators match the schemas', () => {
  const root = path.join(__dirname, '..', '..');
  expect(() =>
    execFileSync(process.execPath, [path.join(root, 'scripts', 'generate-validators.js'), '--check'], {
      cwd: root,
      stdio: 'pipe',
    }),
  ).not.toThrow();
});
