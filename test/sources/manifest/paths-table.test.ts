import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadManifests } from '../../../src/sources/manifest';
import { PathsTable, type Slot } from '../../../src/sources/manifest/paths-table';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

describe('PathsTable', () => {
  /** The record of a reading that mapped these slots, at `pointer`. */
  const read = (table: PathsTable, slots: Slot[], pointer = '') => {
    let trail = table.start;
    for (const slot of slots) trail = trail.then(slot);
    return table.paths(trail, slots, pointer);
  };

  it('makes each place once: its canonical path (renamed or not) and its pointer below the application', () => {
    const table = new PathsTable();
    const scopes = table.root.child('oauth2Permissions', 'api/oauth2PermissionScopes');
    expect(scopes).toBe(table.root.child('oauth2Permissions', 'api/oauth2PermissionScopes'));
    expect(scopes).not.toBe(table.root.child('oauth2Permissions'));
    expect([scopes.path, scopes.pointer]).toEqual(['api/oauth2PermissionScopes', '/oauth2Permissions']);
    const value = scopes.child(0).child('value');
    expect([value.path, value.pointer]).toEqual([
      'api/oauth2PermissionScopes/0/value',
      '/oauth2Permissions/0/value',
    ]);
    const odd = table.root.child('a/b~c');
    expect([odd.path, odd.pointer]).toEqual(['a/b~c', '/a~1b~0c']);
    const list = table.root.child('replyUrlsWithType');
    expect([list.as('spa/redirectUris').path, list.as('spa/redirectUris').pointer]).toEqual([
      'spa/redirectUris',
      '/replyUrlsWithType',
    ]);
    expect(list.as('spa/redirectUris')).toBe(list.as('spa/redirectUris'));
  });

  it('gives readings that mapped the same places in the same order one frozen record, built once', () => {
    const table = new PathsTable();
    const name = table.root.child('name', 'displayName');
    const logout = table.root.child('logoutUrl', 'web/logoutUrl');
    const first = read(table, [name, logout]);
    const second = read(table, [name, logout]);
    expect(first).toEqual({ displayName: '/name', 'web/logoutUrl': '/logoutUrl' });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(read(table, [logout, name])).not.toBe(first);
    expect(read(table, [name])).toEqual({ displayName: '/name' });
    expect(read(table, [])).toBeUndefined();
    expect(table.size).toBe(3);
  });

  it('gives an application below the root of its file a record of its own, its pointers under its own', () => {
    const table = new PathsTable();
    const name = table.root.child('name', 'displayName');
    const own = read(table, [name], '/value/3');
    expect(own).toEqual({ displayName: '/value/3/name' });
    expect(Object.isFrozen(own)).toBe(false);
    expect(read(table, [name])).toEqual({ displayName: '/name' });
  });

  it('a value mapped twice keeps its first place in the record and its last pointer, as assignments do', () => {
    const table = new PathsTable();
    const list = table.root.child('replyUrlsWithType');
    const implicit = table.root.child('oauth2AllowImplicitFlow');
    const record = read(table, [
      list.as('web/redirectUris'),
      implicit.as('x'),
      implicit.as('web/redirectUris'),
    ]);
    expect(Object.entries(record ?? {})).toEqual([
      ['web/redirectUris', '/oauth2AllowImplicitFlow'],
      ['x', '/oauth2AllowImplicitFlow'],
    ]);
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
