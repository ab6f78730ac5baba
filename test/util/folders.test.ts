import path from 'node:path';
import { inFolder } from '../../src/util/folders';

describe('inFolder: path.join(dir, name) for the names of one folder', () => {
  const dirs = [
    '',
    '.',
    '/',
    'a',
    'a/',
    './a',
    'a/./b',
    'a/../b',
    '../a',
    '/tmp/x/',
    '/tmp//x',
    'apis/api;rev=2',
  ];
  const names = ['policy.xml', '.hidden', 'a b', 'api;rev=2', '_', 'x.', '...', '.', '..', '', 'a/b'];

  it.each(dirs)('in %j: the string path.join gives, for every name', (dir) => {
    const join = inFolder(dir);
    for (const name of names) expect(join(name)).toBe(path.join(dir, name));
  });
});
