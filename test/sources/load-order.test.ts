/**
 * Sources of one phase load in parallel; when several fail, the error reported is the first given source's, not
 * the one that happened to finish first (a manifest folder read on a second thread finishes later than a file
 * source read at once).
 */
import { AuditError } from '../../src/errors';
import { loadSources, sourceDefinition, startOrder } from '../../src/sources';
import { FolderReader } from '../../src/sources/apiops/reader';
import { FolderTree } from '../../src/util/folders';
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

  it('starts an APIOps folder first, reads other sources while it reads ahead, keeps the given order', async () => {
    const events: string[] = [];
    const manifest = sourceDefinition('manifest');
    const load = manifest.load.bind(manifest);
    jest.spyOn(manifest, 'load').mockImplementation((...args) => {
      events.push('manifests read');
      return load(...args);
    });
    const start = FolderTree.prototype.startReadAhead;
    jest.spyOn(FolderTree.prototype, 'startReadAhead').mockImplementation(function (
      this: FolderTree,
      ...args
    ) {
      events.push('APIOps read-ahead started');
      start.apply(this, args);
    });
    const json = FolderReader.prototype.json;
    jest.spyOn(FolderReader.prototype, 'json').mockImplementation(function (this: FolderReader, ...args) {
      if (!events.includes('APIOps parsed')) events.push('APIOps parsed');
      return json.apply(this, args);
    });
    const inventory = await loadSources(
      ['manifest:examples/apiops-real/entra', 'apiops:examples/apiops-real/apimartifacts'],
      REPO_ROOT,
      context,
    );
    expect(events).toEqual(['APIOps read-ahead started', 'manifests read', 'APIOps parsed']);
    expect(inventory.sources.map((s) => s.spec)).toEqual([
      'manifest:examples/apiops-real/entra',
      'apiops:examples/apiops-real/apimartifacts',
    ]);
  });

  it('starts the kinds that start first before the others, each in the order given', () => {
    expect(startOrder(['manifest', 'apiops', 'terraform', 'apiops', 'arm'])).toEqual([1, 3, 0, 2, 4]);
    expect(startOrder(['snapshot', 'manifest'])).toEqual([0, 1]);
  });
});
