/**
 * Sources of one phase load in parallel; when several fail, the error reported is the first given source's, not
 * the one that happened to finish first (a manifest folder read on a second thread finishes later than a file
 * source read at once).
 */
import { AuditError } from '../../src/errors';
import { loadSources, sourceDefinition } from '../../src/sources';
import type { SourceContext } from '../../src/sources/types';
import { REPO_ROOT } from '../helpers/sample';

const context = {
  cwd: REPO_ROOT,
  env: {},
  live: {},
  log: () => undefined,
  progress: () => undefined,
} as unknown as Omit<SourceContext, 'referencedAppIds'>;

describe('loadSources', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reports the first given source that fails, whichever fails first', async () => {
    const manifest = sourceDefinition('manifest');
    jest
      .spyOn(manifest, 'load')
      .mockImplementation((_location, raw) =>
        raw.endsWith('slow')
          ? new Promise((_resolve, reject) =>
              setTimeout(() => reject(new AuditError('source-invalid', raw)), 50),
            )
          : Promise.reject(new AuditError('source-invalid', raw)),
      );
    await expect(loadSources(['manifest:slow', 'manifest:fast'], REPO_ROOT, context)).rejects.toThrow(
      'manifest:slow',
    );
    await expect(loadSources(['manifest:fast', 'manifest:slow'], REPO_ROOT, context)).rejects.toThrow(
      'manifest:fast',
    );
  });
});
