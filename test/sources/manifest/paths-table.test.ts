import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadManifests } from '../../../src/sources/manifest';
import { PathsTable } from '../../../src/sources/manifest/paths-table';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

describe('PathsTable', () => {
  it('gives the record given before when the entries are equal, frozen', () => {
    const table = new PathsTable();
    const first = table.share({ displayName: '/name', 'web/logoutUrl': '/logoutUrl' });
    const second = table.share({ displayName: '/name', 'web/logoutUrl': '/logoutUrl' });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(table.size).toBe(1);
  });

  it('keeps records apart that differ in an entry, in order, or only in where the strings are cut', () => {
    const table = new PathsTable();
    const records = [
      { a: '/x', b: '/y' },
      { b: '/y', a: '/x' },
      { a: '/x', b: '/z' },
      { a: '/x' },
      // Joined without lengths, these two would read the same.
      { 'a1:/': 'x' },
      { a: '1:/x' },
    ];
    const shared = records.map((r) => table.share({ ...r }));
    expect(new Set(shared).size).toBe(records.length);
    shared.forEach((record, i) => expect(record).toEqual(records[i]));
  });
});

describe('manifest folders share equal paths', () => {
  const LEGACY = path.join(REPO_ROOT, 'test/sources/manifest/fixtures/colors-legacy');

  it('apps of the same shape in two files share one record, and each is located in its own file', () => {
    const dir = makeTempDir('paths-table');
    copyFileSync(path.join(LEGACY, 'oauth-backend-app.json'), path.join(dir, 'a.json'));
    copyFileSync(path.join(LEGACY, 'oauth-backend-app.json'), path.join(dir, 'b.json'));
    copyFileSync(path.join(LEGACY, 'oauth-client-app.json'), path.join(dir, 'c.json'));
    const inventory = loadManifests(dir, 'manifest:dir', dir);
    const [a, b, c] = inventory.applications;
    expect([a, b, c].map((app) => app?.origin.file)).toEqual(['a.json', 'b.json', 'c.json']);
    expect(a?.origin.paths?.['api/requestedAccessTokenVersion']).toBe('/accessTokenAcceptedVersion');
    expect(b?.origin.paths).toBe(a?.origin.paths);
    expect(c?.origin.paths).not.toBe(a?.origin.paths);
    expect(c?.origin.paths?.['web/redirectUris/1']).toBe('/replyUrlsWithType/1/url');
  });

  it('an app with one more element than another gets its own record', () => {
    const dir = makeTempDir('paths-table-shapes');
    const app = (uris: string[]) => ({
      appId: '11111111-1111-1111-1111-111111111111',
      replyUrlsWithType: uris.map((url) => ({ url, type: 'Web' })),
    });
    writeFileSync(path.join(dir, 'one.json'), JSON.stringify(app(['https://a.example/cb'])));
    writeFileSync(
      path.join(dir, 'two.json'),
      JSON.stringify(app(['https://a.example/cb', 'https://b.example/cb'])),
    );
    const [one, two] = loadManifests(dir, 'manifest:dir', dir).applications;
    expect(one?.origin.paths?.['web/redirectUris/1']).toBeUndefined();
    expect(two?.origin.paths?.['web/redirectUris/1']).toBe('/replyUrlsWithType/1/url');
  });
});
