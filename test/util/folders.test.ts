import path from 'node:path';
import { fileIn, inFolder } from '../../src/util/folders';

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

describe('fileIn: path.join(dir, name) for a folder path that path.join wrote', () => {
  // Folder paths as path.join writes them: normalized (a root and the current folder included).
  const dirs = ['', '.', '/', 'a', '../a', '/tmp/x', 'a b/c;rev=2', 'apis/api-1/operations/op-1'].map((d) =>
    d === '' ? d : path.join(d),
  );
  const names = ['policy.xml', '.hidden', 'x.', '...', '.', '..', '', 'a/b', 'operationInformation.json'];

  it.each(dirs)('in %j: the string path.join gives, for every name', (dir) => {
    for (const name of names) expect(fileIn(dir, name)).toBe(path.join(dir, name));
  });
});
