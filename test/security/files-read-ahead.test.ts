/**
 * Issue 12: reading ahead on a second thread (src/util/read-ahead.ts) changes nothing a scan reports. Each tree
 * below (hostile ones from the security suites, and the fixtures of every APIOps layout) is scanned with read-ahead
 * forced on and off (APIM_AUDIT_READ_AHEAD): the same exit code, report and messages.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { apiopsTree, SECRET_MARKER } from './files-helpers';
import { ReadAhead } from '../../src/util/read-ahead';
import * as spec from '../../src/sources/apiops/spec';
import { makeTempDir } from '../helpers/temp';

async function scan(root: string, readAhead: 'on' | 'off', extra: string[] = []) {
  process.env['APIM_AUDIT_READ_AHEAD'] = readAhead;
  try {
    return await cli(['scan', '--source', `apiops:${root}`, '--format', 'json', ...extra], { cwd: root });
  } finally {
    delete process.env['APIM_AUDIT_READ_AHEAD'];
  }
}

async function expectSameScans(root: string, extra: string[] = [], prepared?: number): Promise<void> {
  const take = jest.spyOn(ReadAhead.prototype, 'take');
  const takePrepared = jest.spyOn(ReadAhead.prototype, 'takePrepared');
  const usePrepared = jest.spyOn(spec, 'preparedYamlSpec');
  const on = await scan(root, 'on', extra);
  // The worker did read files that the scan used (the comparison below is not of two scans without it).
  expect(take.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(0);
  // And read the operations of as many specifications as said (when the test says).
  const made = takePrepared.mock.results.filter((r) => r.value !== undefined).length;
  if (prepared !== undefined) expect(made).toBe(prepared);
  // And used them instead of reading the specifications again.
  expect(usePrepared).toHaveBeenCalledTimes(made);
  take.mockRestore();
  takePrepared.mockRestore();
  usePrepared.mockRestore();
  const off = await scan(root, 'off', extra);
  expect(on).toEqual(off);
  expect(on.stdout + on.stderr).not.toContain(SECRET_MARKER);
}

const FIXTURES = path.join(REPO_ROOT, 'test', 'sources', 'apiops', 'fixtures');

describe('files: a scan with read-ahead reports what a scan without it does', () => {
  it.each([
    ['colors'],
    ['workspaces'],
    ['layouts/apiops-cli'],
    ['layouts/display-names'],
    ['layouts/misplaced'],
    ['layouts/revisions'],
    ['layouts/versions-2022'],
  ])('the %s fixture', async (fixture) => {
    await expectSameScans(path.join(FIXTURES, fixture));
  });

  it('YAML specifications read on the worker thread: every kind, unreadable ones included', async () => {
    const root = makeTempDir('ahead-specs');
    const specs = path.join(FIXTURES, 'specs');
    const yaml = readdirSync(specs).filter((f) => f.endsWith('.yaml'));
    const texts: [string, string | Buffer][] = [
      ...yaml.map((f): [string, string] => [f, readFileSync(path.join(specs, f), 'utf8')]),
      ['bad-syntax.yaml', 'openapi: 3.0.1\npaths:\n  /a:\n    get: [unclosed\n'],
      ['not-utf8.yaml', Buffer.from([0x6f, 0x3a, 0x20, 0xe9, 0x0a])],
      ['empty.yaml', ''],
    ];
    texts.forEach(([, text], i) => {
      const api = path.join(root, 'apis', `api-${i}`);
      mkdirSync(api, { recursive: true });
      writeFileSync(path.join(api, 'apiInformation.json'), JSON.stringify({ properties: { path: `p${i}` } }));
      writeFileSync(path.join(api, 'specification.yaml'), text);
      // An operation policy without <base /> (a finding on each operation of the specification that has it).
      mkdirSync(path.join(api, 'operations', 'list-items'), { recursive: true });
      writeFileSync(
        path.join(api, 'operations', 'list-items', 'policy.xml'),
        '<policies><inbound /><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
      );
    });
    writeFileSync(
      path.join(root, 'policy.xml'),
      '<policies><inbound><validate-jwt header-name="Authorization" /></inbound><backend /><outbound /><on-error /></policies>',
    );
    // Every specification the YAML readers accept; the unreadable ones are read again and reported by the main thread.
    const readable = texts.filter(([, text]) => {
      const result = spec.yamlSpecOperations(typeof text === 'string' ? Buffer.from(text) : text, '');
      return 'operations' in result;
    }).length;
    expect(readable).toBeGreaterThan(3);
    await expectSameScans(root, [], readable);
  });

  it('a policy linked to a file outside the root, and an API folder linked outside', async () => {
    const tree = apiopsTree('ahead-links-out');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync(tree.secret, policy);
    const outsideApi = path.join(tree.base, 'outside', 'evil');
    mkdirSync(outsideApi);
    writeFileSync(path.join(outsideApi, 'policy.xml'), `<policies>${SECRET_MARKER}</policies>`);
    symlinkSync(outsideApi, path.join(tree.root, 'apis', 'evil'));
    await expectSameScans(tree.root);
  });

  it('an API folder linked inside the root, a dangling link and a link loop', async () => {
    const tree = apiopsTree('ahead-links-in');
    const shared = path.join(tree.root, 'shared', 'echo2');
    mkdirSync(shared, { recursive: true });
    writeFileSync(
      path.join(shared, 'apiInformation.json'),
      JSON.stringify({ properties: { path: 'echo2' } }),
    );
    symlinkSync(shared, path.join(tree.root, 'apis', 'echo2'));
    mkdirSync(path.join(tree.apiDir, 'operations', 'get'), { recursive: true });
    symlinkSync(
      path.join(tree.base, 'missing.xml'),
      path.join(tree.apiDir, 'operations', 'get', 'policy.xml'),
    );
    const loop = path.join(tree.root, 'apis', 'loop');
    mkdirSync(loop);
    symlinkSync(path.join(loop, 'policy.xml'), path.join(loop, 'policy.xml'));
    await expectSameScans(tree.root);
  });

  it('operation folders looked into, not listed: a FIFO, a folder, links and stray files where the files are', async () => {
    const tree = apiopsTree('ahead-probed');
    const op = (name: string) => {
      const dir = path.join(tree.apiDir, 'operations', name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    execFileSync('mkfifo', [path.join(op('fifo'), 'policy.xml')]);
    mkdirSync(path.join(op('folder'), 'policy.xml'));
    symlinkSync(tree.secret, path.join(op('linked-out'), 'policy.xml'));
    symlinkSync(tree.secret, path.join(op('info-linked-out'), 'operationInformation.json'));
    writeFileSync(
      path.join(op('info-linked-out'), 'policy.xml'),
      '<policies><inbound><base /></inbound></policies>',
    );
    writeFileSync(path.join(op('stray'), 'policy.xml.bak'), `<policies>${SECRET_MARKER}</policies>`);
    writeFileSync(path.join(op('plain'), 'policy.xml'), '<policies><inbound /></policies>');
    const probed = jest.spyOn(ReadAhead.prototype, 'probed');
    await expectSameScans(tree.root);
    // Some folders were looked into (the others listed): both ways are compared.
    expect(probed.mock.results.filter((r) => r.value !== undefined).length).toBeGreaterThan(0);
    expect(probed.mock.results.filter((r) => r.value === undefined).length).toBeGreaterThan(0);
    probed.mockRestore();
  });

  it('a FIFO, a file over --max-file-size and invalid UTF-8', async () => {
    const tree = apiopsTree('ahead-bad-files');
    for (const name of ['fifo', 'large', 'latin1']) {
      mkdirSync(path.join(tree.root, 'apis', name, 'operations', 'get'), { recursive: true });
      writeFileSync(
        path.join(tree.root, 'apis', name, 'apiInformation.json'),
        JSON.stringify({ properties: { path: name } }),
      );
    }
    execFileSync('mkfifo', [path.join(tree.root, 'apis', 'fifo', 'policy.xml')]);
    writeFileSync(
      path.join(tree.root, 'apis', 'large', 'operations', 'get', 'policy.xml'),
      `<policies>${' '.repeat(4096)}</policies>`,
    );
    writeFileSync(
      path.join(tree.root, 'apis', 'latin1', 'policy.xml'),
      Buffer.from('<policies><!-- caf\xe9 --></policies>', 'latin1'),
    );
    await expectSameScans(tree.root, ['--max-file-size', '2k']);
  });
});
