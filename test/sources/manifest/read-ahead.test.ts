/**
 * A manifest folder read on a second thread (`loadManifestsAhead`, src/util/read-thread.ts) gives what reading on
 * this thread gives (`loadManifests`): the same applications, and the same problems, located, in the same order.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../../src/errors';
import { loadManifests, loadManifestsAhead } from '../../../src/sources/manifest';
import { withReadLimits } from '../../../src/util/files';
import { ReadThread } from '../../../src/util/read-thread';
import { compiledReadThread } from '../../helpers/read-thread';
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

async function errorOf(load: () => Promise<unknown>): Promise<AuditError> {
  try {
    await load();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

function syncErrorOf(load: () => unknown): AuditError {
  try {
    load();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

describe('manifests read on a second thread', () => {
  const readThread = compiledReadThread();
  afterEach(() => jest.restoreAllMocks());

  it('give the applications, conflicts and files of reading on this thread, with the thread used', async () => {
    const dir = folder();
    const start = jest.spyOn(ReadThread, 'start');
    const ahead = await loadManifestsAhead(dir, 'manifest:dir', dir, { readThread, threadFiles: 10 });
    expect(start).toHaveReturnedWith(expect.any(ReadThread));
    const here = loadManifests(dir, 'manifest:dir', dir);
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
  }, 20_000);

  it('report the problems of reading on this thread, located, in the same order', async () => {
    const dir = folder();
    const base = path.dirname(dir);
    writeFileSync(path.join(base, `${path.basename(dir)}-outside.json`), '{"appId": "x"}');
    writeFileSync(path.join(dir, 'app-03.json'), '{\n  "appId": "x",\n  "name": "a",\n}');
    writeFileSync(path.join(dir, 'app-07.json'), '{\n  "displayName": "b",\n  "web": {}\n}');
    writeFileSync(path.join(dir, 'app-11.json'), Buffer.from([0x7b, 0x0a, 0x22, 0xff, 0x22, 0x0a, 0x7d]));
    writeFileSync(path.join(dir, 'app-12.json'), `{"appId": "y", "pad": "${'z'.repeat(5000)}"}`);
    symlinkSync(path.join(dir, 'nowhere.json'), path.join(dir, 'app-15.json.json'));
    symlinkSync(path.join(base, `${path.basename(dir)}-outside.json`), path.join(dir, 'team', 'leaves.json'));
    const load = () =>
      withReadLimits({ maxFileSize: 4096 }, () =>
        loadManifestsAhead(dir, 'manifest:dir', dir, { readThread, threadFiles: 10 }),
      );
    const ahead = await errorOf(load);
    const here = syncErrorOf(() =>
      withReadLimits({ maxFileSize: 4096 }, () => loadManifests(dir, 'manifest:dir', dir)),
    );
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
  }, 20_000);

  it('a folder with fewer files than the threshold is read on this thread', async () => {
    const dir = folder();
    const start = jest.spyOn(ReadThread, 'start');
    const inventory = await loadManifestsAhead(dir, 'manifest:dir', dir, { readThread, threadFiles: 41 });
    expect(start).not.toHaveBeenCalled();
    expect(inventory.applications).toEqual(loadManifests(dir, 'manifest:dir', dir).applications);
  });

  it('a thread started for a folder of many entries but few manifests is ended; they are read on this thread', async () => {
    const dir = makeTempDir('read-ahead-few');
    for (let i = 0; i < 30; i++) writeFileSync(path.join(dir, `notes-${i}.txt`), 'not a manifest');
    copyFileSync(path.join(FIXTURES, 'colors-legacy', 'oauth-client-app.json'), path.join(dir, 'app.json'));
    const start = jest.spyOn(ReadThread, 'start');
    const close = jest.spyOn(ReadThread.prototype, 'close');
    const read = jest.spyOn(ReadThread.prototype, 'read');
    const inventory = await loadManifestsAhead(dir, 'manifest:dir', dir, { readThread, threadFiles: 20 });
    expect(start).toHaveReturnedWith(expect.any(ReadThread));
    expect(close).toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
    expect(inventory.applications).toEqual(loadManifests(dir, 'manifest:dir', dir).applications);
  });

  it('a single file is read on this thread', async () => {
    const dir = makeTempDir('read-ahead-file');
    const file = path.join(dir, 'app.json');
    copyFileSync(path.join(FIXTURES, 'colors-legacy', 'oauth-client-app.json'), file);
    const start = jest.spyOn(ReadThread, 'start');
    const inventory = await loadManifestsAhead(file, 'manifest:app.json', dir, {
      readThread,
      threadFiles: 1,
    });
    expect(start).toHaveBeenCalledTimes(1);
    expect(inventory.applications).toEqual(loadManifests(file, 'manifest:app.json', dir).applications);
  });

  it('APIM_AUDIT_READ_AHEAD=off reads on this thread, however many files', async () => {
    const dir = folder();
    const start = jest.spyOn(ReadThread, 'start');
    process.env['APIM_AUDIT_READ_AHEAD'] = 'off';
    try {
      const inventory = await loadManifestsAhead(dir, 'manifest:dir', dir, { readThread, threadFiles: 1 });
      expect(inventory.applications).toEqual(loadManifests(dir, 'manifest:dir', dir).applications);
    } finally {
      delete process.env['APIM_AUDIT_READ_AHEAD'];
    }
    expect(start).not.toHaveBeenCalled();
  });
});
