/**
 * A manifest folder read ahead on a second thread (src/util/read-ahead.ts, forced with APIM_AUDIT_READ_AHEAD=on)
 * gives what reading on this thread gives: the same applications, and the same problems, located, in the same order.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../../src/errors';
import { loadManifests } from '../../../src/sources/manifest';
import { withReadLimits } from '../../../src/util/files';
import { ReadAhead } from '../../../src/util/read-ahead';
import { REPO_ROOT } from '../../helpers/sample';
import { makeTempDir } from '../../helpers/temp';

const FIXTURES = path.join(REPO_ROOT, 'test/sources/manifest/fixtures');

/** 40 manifests of both formats, each with its own appId, ten of them in a dot-folder reached only through a link. */
function folder(): string {
  const dir = makeTempDir('read-ahead');
  mkdirSync(path.join(dir, 'team'));
  mkdirSync(path.join(dir, '.shared'));
  for (let i = 0; i < 40; i++) {
    const format = i % 2 === 0 ? 'colors-legacy' : 'colors-graph';
    const name = i % 3 === 0 ? 'oauth-backend-app.json' : 'oauth-client-app.json';
    const text = readFileSync(path.join(FIXTURES, format, name), 'utf8').replace(
      /"appId": "([0-9a-f]{8})/,
      (_all, head: string) => `"appId": "${head.slice(0, 6)}${String(i).padStart(2, '0')}`,
    );
    writeFileSync(path.join(dir, i < 30 ? '' : '.shared', `app-${String(i).padStart(2, '0')}.json`), text);
  }
  symlinkSync(path.join(dir, '.shared'), path.join(dir, 'team', 'linked'));
  return dir;
}

function errorOf(load: () => unknown): AuditError {
  try {
    load();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

/** `load()` with the read-ahead forced on or off. */
function withReadAhead<T>(setting: 'on' | 'off', load: () => T): T {
  process.env['APIM_AUDIT_READ_AHEAD'] = setting;
  try {
    return load();
  } finally {
    delete process.env['APIM_AUDIT_READ_AHEAD'];
  }
}

describe('manifests read ahead on a second thread', () => {
  afterEach(() => jest.restoreAllMocks());

  it('give the applications, conflicts and files of reading on this thread, with the thread used', () => {
    const dir = folder();
    const take = jest.spyOn(ReadAhead.prototype, 'take');
    const ahead = withReadAhead('on', () => loadManifests(dir, 'manifest:dir', dir));
    // Every file not reached through a link came from the thread.
    expect(take.mock.results.filter((r) => r.value !== undefined)).toHaveLength(30);
    take.mockRestore();
    const here = withReadAhead('off', () => loadManifests(dir, 'manifest:dir', dir));
    expect(ahead.applications).toHaveLength(40);
    expect(ahead.applications).toEqual(here.applications);
    expect(ahead.conflicts).toEqual(here.conflicts);
    expect(Object.keys(ahead.files)).toEqual(Object.keys(here.files));
    expect(Object.keys(ahead.files)).toContain('team/linked/app-30.json');
    // The positions of the bytes handed over by the thread are those of the file.
    const legacy = ahead.files['app-00.json'];
    expect(legacy?.locate('/accessTokenAcceptedVersion')).toEqual(
      here.files['app-00.json']?.locate('/accessTokenAcceptedVersion'),
    );
  });

  it('report the problems of reading on this thread, located, in the same order', () => {
    const dir = folder();
    const base = path.dirname(dir);
    writeFileSync(path.join(base, `${path.basename(dir)}-outside.json`), '{"appId": "x"}');
    writeFileSync(path.join(dir, 'app-03.json'), '{\n  "appId": "x",\n  "name": "a",\n}');
    writeFileSync(path.join(dir, 'app-07.json'), '{\n  "displayName": "b",\n  "web": {}\n}');
    writeFileSync(path.join(dir, 'app-11.json'), Buffer.from([0x7b, 0x0a, 0x22, 0xff, 0x22, 0x0a, 0x7d]));
    writeFileSync(path.join(dir, 'app-12.json'), `{"appId": "y", "pad": "${'z'.repeat(5000)}"}`);
    // A FIFO: listed as no file (the folder's listing keeps regular files), never opened by either thread.
    rmSync(path.join(dir, 'app-13.json'));
    execFileSync('mkfifo', [path.join(dir, 'app-13.json')]);
    symlinkSync(path.join(dir, 'nowhere.json'), path.join(dir, 'app-15.json.json'));
    symlinkSync(path.join(base, `${path.basename(dir)}-outside.json`), path.join(dir, 'team', 'leaves.json'));
    const load = (setting: 'on' | 'off') =>
      errorOf(() =>
        withReadAhead(setting, () =>
          withReadLimits({ maxFileSize: 4096 }, () => loadManifests(dir, 'manifest:dir', dir)),
        ),
      );
    const ahead = load('on');
    const here = load('off');
    expect(ahead.message).toBe(here.message);
    expect(ahead.details).toEqual(here.details);
    expect(ahead.details).toEqual([
      'app-15.json.json is a symbolic link to a missing file',
      'team/leaves.json is a symbolic link that leads outside the source folder; it is not followed',
      'app-03.json:4:1: JSON syntax error: PropertyNameExpected',
      'app-03.json:4:1: JSON syntax error: ValueExpected',
      'app-07.json:1:1: application has no appId (the Application (client) ID); every manifest needs one',
      'app-11.json:2: invalid UTF-8',
      'app-12.json is 4.9 KB, over the 4 KB limit (raise it with --max-file-size)',
    ]);
  });

  it('a folder with fewer files than the threshold (2,000) is read on this thread only', () => {
    const dir = folder();
    const take = jest.spyOn(ReadAhead.prototype, 'take');
    const inventory = loadManifests(dir, 'manifest:dir', dir);
    expect(take).not.toHaveBeenCalled();
    expect(inventory.applications).toHaveLength(40);
  });

  it('APIM_AUDIT_READ_AHEAD=off reads on this thread, however many files', () => {
    const dir = folder();
    const take = jest.spyOn(ReadAhead.prototype, 'take');
    withReadAhead('off', () => loadManifests(dir, 'manifest:dir', dir));
    expect(take).not.toHaveBeenCalled();
  });
});
