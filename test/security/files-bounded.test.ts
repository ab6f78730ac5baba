/**
 * Issue 10, "Bounded work" and "Nothing leaked": only regular files are read, with a size cap; invalid UTF-8 is
 * reported with file:line; `--output` never writes through a link and a missing folder is a usage error.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';
import { REPO_ROOT } from '../helpers/sample';
import { apiopsTree, POLICY } from './files-helpers';

const SNAPSHOT = path.join(REPO_ROOT, 'examples', 'contoso', 'snapshot.json');

function hasMkfifo(): boolean {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('files: only regular files, within the size cap', () => {
  it('a policy linked to /dev/zero: a located error, no hang', async () => {
    const tree = apiopsTree('sec-zero');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync('/dev/zero', policy);
    const run = await cli(['scan', '--source', `apiops:${tree.root}`, '--format', 'json'], {
      cwd: tree.root,
    });
    expect([2, 3]).toContain(run.code);
    expect(run.stdout + run.stderr).toContain('apis/echo/policy.xml');
  }, 10_000);

  (hasMkfifo() ? it : it.skip)(
    'a policy that is a FIFO inside the root: a located error (exit 2), no hang',
    async () => {
      const tree = apiopsTree('sec-fifo');
      const policy = path.join(tree.apiDir, 'policy.xml');
      rmSync(policy);
      execFileSync('mkfifo', [policy]);
      const run = await cli(['scan', '--source', `apiops:${tree.root}`], { cwd: tree.root });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('apis/echo/policy.xml is a named pipe (FIFO), not a regular file');
    },
    10_000,
  );

  (hasMkfifo() ? it : it.skip)(
    'a manifest that is a FIFO in a manifest folder: a located error (exit 2), never skipped',
    async () => {
      const dir = makeTempDir('sec-fifo-manifest');
      mkdirSync(path.join(dir, 'apps'));
      writeFileSync(
        path.join(dir, 'apps', 'a.json'),
        JSON.stringify({ appId: '11111111-1111-1111-1111-111111111111', displayName: 'a' }),
      );
      execFileSync('mkfifo', [path.join(dir, 'apps', 'b.json')]);
      const run = await cli(['scan', '--source', 'manifest:apps'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('apps/b.json is a named pipe (FIFO), not a regular file');
    },
    10_000,
  );

  it('a file larger than --max-file-size: a located error, exit 2', async () => {
    const dir = makeTempDir('sec-cap');
    const file = path.join(dir, 'huge.json');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 3 * 1024 * 1024);
    closeSync(fd);
    const run = await cli(['scan', '--source', 'snapshot:huge.json', '--max-file-size', '1MB'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('huge.json is 3 MB, over the 1 MB limit (raise it with --max-file-size)');
  });

  it('a policy larger than --max-file-size in an APIOps folder: a located error, exit 2', async () => {
    const tree = apiopsTree('sec-cap-apiops');
    writeFileSync(path.join(tree.apiDir, 'policy.xml'), POLICY + ' '.repeat(2048));
    const run = await cli(['scan', '--source', `apiops:${tree.root}`, '--max-file-size', '1KB'], {
      cwd: tree.root,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apis/echo/policy.xml is');
    expect(run.stderr).toContain('over the 1 KB limit');
  });

  it('--max-file-size that is not a size: exit 2', async () => {
    const run = await cli(['scan', SNAPSHOT, '--max-file-size', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-file-size lots: expected a size such as 512MB or 2GB');
  });

  it('an empty APIOps folder is invalid input (exit 2), not a clean service', async () => {
    const dir = makeTempDir('sec-empty');
    const run = await cli(['scan', '--source', `apiops:${dir}`], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no APIOps artifacts found');
  });
});

describe('files: invalid UTF-8 is reported with file:line', () => {
  it('in a snapshot', async () => {
    const dir = makeTempDir('sec-utf8');
    const text = readFileSync(SNAPSHOT);
    const lines = text.toString('utf8').split('\n');
    lines[2] = `${lines[2] ?? ''}\u0000`;
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xff;
    writeFileSync(path.join(dir, 'snap.json'), bytes);
    const run = await cli(['scan', '--source', 'snapshot:snap.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('snap.json:3: invalid UTF-8');
  });

  it('in an APIOps policy', async () => {
    const tree = apiopsTree('sec-utf8-apiops');
    const bytes = Buffer.concat([
      Buffer.from('<policies>\n  <inbound>'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(POLICY),
    ]);
    writeFileSync(path.join(tree.apiDir, 'policy.xml'), bytes);
    const run = await cli(['scan', '--source', `apiops:${tree.root}`], { cwd: tree.root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apis/echo/policy.xml:2: invalid UTF-8');
  });
});

describe('files: --output', () => {
  it('refuses a symbolic link and leaves its target untouched', async () => {
    const dir = makeTempDir('sec-out-link');
    const target = path.join(dir, 'victim.txt');
    writeFileSync(target, 'untouched');
    symlinkSync(target, path.join(dir, 'audit.sarif'));
    const run = await cli(['scan', SNAPSHOT, '--format', 'sarif', '--output', 'audit.sarif'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output audit.sarif is a symbolic link; it is not written through');
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('into a missing folder: exit 2 with a clear message', async () => {
    const dir = makeTempDir('sec-out-missing');
    const run = await cli(['scan', SNAPSHOT, '--format', 'sarif', '--output', 'missing/dir/x.sarif'], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--output missing/dir/x.sarif: the folder missing/dir does not exist');
    expect(run.stderr).not.toContain('internal error');
  });

  it('replaces an existing regular file', async () => {
    const dir = makeTempDir('sec-out-file');
    mkdirSync(path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'out', 'r.json'), 'old');
    const run = await cli(['scan', SNAPSHOT, '--format', 'json', '--output', 'out/r.json'], { cwd: dir });
    expect([0, 1]).toContain(run.code);
    expect(readFileSync(path.join(dir, 'out', 'r.json'), 'utf8')).toContain('"findings"');
  });
});
