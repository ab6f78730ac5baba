/**
 * Issue 10, "Nothing lost, nothing leaked": symbolic links in the working tree. A link that leaves the source root
 * is never followed (a gap naming the link, never its target or content); inside the root, links are followed;
 * a dangling or looping link, and a folder that cannot be listed, is a gap (exit 3), never "no policy".
 */
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { apiopsTree, permissionsApply, POLICY, SECRET_MARKER } from './files-helpers';

interface JsonReport {
  complete: boolean;
  gaps: { source: string; what: string; reason: string }[];
}

async function scanJson(root: string, extra: string[] = []) {
  const run = await cli(['scan', '--source', `apiops:${root}`, '--format', 'json', ...extra], { cwd: root });
  return { ...run, report: JSON.parse(run.stdout) as JsonReport };
}

describe('files: symbolic links that leave the source root', () => {
  it.each(['text', 'json', 'sarif'])(
    'policy.xml linked to a file outside the root: its content is in no %s output and the run is not clean',
    async (format) => {
      const tree = apiopsTree('sec-link-out');
      const policy = path.join(tree.apiDir, 'policy.xml');
      rmSync(policy);
      symlinkSync(tree.secret, policy);
      const run = await cli(['scan', '--source', `apiops:${tree.root}`, '--format', format], {
        cwd: tree.root,
      });
      expect(run.code).toBe(3);
      expect(run.stdout + run.stderr).not.toContain(SECRET_MARKER);
      expect(run.stdout + run.stderr).not.toContain(tree.secret);
      expect(run.stdout).toContain('apis/echo/policy.xml');
    },
  );

  it('policy.xml linked to /etc/passwd: a gap naming the link, not its target', async () => {
    const tree = apiopsTree('sec-passwd');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync('/etc/passwd', policy);
    const { code, report, stdout } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.complete).toBe(false);
    expect(report.gaps).toEqual([
      expect.objectContaining({
        what: 'apis/echo/policy.xml',
        reason: expect.stringContaining('leads outside the source folder') as unknown,
      }),
    ]);
    expect(stdout).not.toContain('root:x:0');
    expect(stdout).not.toContain('/etc/passwd');
  });

  it('an API folder linked to a folder outside the root: a gap, not read', async () => {
    const tree = apiopsTree('sec-dir-out');
    const outsideApi = path.join(tree.base, 'outside', 'evil');
    mkdirSync(outsideApi);
    writeFileSync(
      path.join(outsideApi, 'apiInformation.json'),
      JSON.stringify({ properties: { path: 'evil' } }),
    );
    writeFileSync(path.join(outsideApi, 'policy.xml'), `<policies>${SECRET_MARKER}</policies>`);
    symlinkSync(outsideApi, path.join(tree.root, 'apis', 'evil'));
    const { code, report, stdout } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.gaps.map((g) => g.what)).toContain('apis/evil');
    expect(stdout).not.toContain(SECRET_MARKER);
  });
});

describe('files: symbolic links inside the source root', () => {
  it('a symlinked API folder inside the root is read, not skipped', async () => {
    const tree = apiopsTree('sec-dir-in');
    const shared = path.join(tree.root, 'shared', 'echo2');
    mkdirSync(shared, { recursive: true });
    writeFileSync(
      path.join(shared, 'apiInformation.json'),
      JSON.stringify({ properties: { displayName: 'Echo 2', path: 'echo2', protocols: ['https'] } }),
    );
    writeFileSync(path.join(shared, 'policy.xml'), POLICY);
    symlinkSync(shared, path.join(tree.root, 'apis', 'echo2'));
    const run = await cli(['snapshot', '--source', `apiops:${tree.root}`, '--output', 'snap.json'], {
      cwd: tree.root,
    });
    expect(run.stderr).not.toContain('incomplete');
    expect(run.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const snapshot = readFileSync(path.join(tree.root, 'snap.json'), 'utf8');
    expect(snapshot).toContain('"echo2"');
  });

  it('a dangling policy.xml link is a gap (exit 3), not "no policy"', async () => {
    const tree = apiopsTree('sec-dangling');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync(path.join(tree.apiDir, 'missing.xml'), policy);
    const { code, report } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.gaps).toEqual([
      expect.objectContaining({
        what: 'apis/echo/policy.xml',
        reason: 'is a symbolic link to a missing file',
      }),
    ]);
  });

  it('a looping policy.xml link is a gap (exit 3), not "no policy"', async () => {
    const tree = apiopsTree('sec-loop');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync(path.join(tree.apiDir, 'b.xml'), policy);
    symlinkSync(policy, path.join(tree.apiDir, 'b.xml'));
    const { code, report } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.gaps).toEqual([
      expect.objectContaining({ what: 'apis/echo/policy.xml', reason: 'is a symbolic link loop' }),
    ]);
  });
});

describe('files: I/O errors while listing are gaps', () => {
  it('apis/ that cannot be listed (a dangling link) is a gap, exit 3', async () => {
    const tree = apiopsTree('sec-readdir');
    renameSync(path.join(tree.root, 'apis'), path.join(tree.root, 'apis-moved'));
    symlinkSync(path.join(tree.root, 'nowhere'), path.join(tree.root, 'apis'));
    const { code, report } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.gaps.map((g) => g.what)).toContain('apis');
  });

  it('apis/ that is a file is a gap, exit 3', async () => {
    const tree = apiopsTree('sec-apis-file');
    rmSync(path.join(tree.root, 'apis'), { recursive: true });
    writeFileSync(path.join(tree.root, 'apis'), 'not a folder');
    writeFileSync(path.join(tree.root, 'policy.xml'), POLICY);
    const { code, report } = await scanJson(tree.root);
    expect(code).toBe(3);
    expect(report.gaps).toEqual([
      expect.objectContaining({ what: 'apis', reason: 'is not a folder, so its entries are unknown' }),
    ]);
  });

  (permissionsApply() ? it : it.skip)(
    'apis/ without read permission (chmod 000) is a gap, exit 3',
    async () => {
      const tree = apiopsTree('sec-chmod');
      writeFileSync(path.join(tree.root, 'policy.xml'), POLICY);
      const apis = path.join(tree.root, 'apis');
      chmodSync(apis, 0o000);
      try {
        const { code, report } = await scanJson(tree.root);
        expect(code).toBe(3);
        expect(report.gaps.map((g) => g.what)).toContain('apis');
      } finally {
        chmodSync(apis, 0o755);
      }
    },
  );
});

describe('files: turning rules off never turns lost data into a clean pass', () => {
  it('an unreadable policy with every rule off is still a gap (exit 3)', async () => {
    const tree = apiopsTree('sec-rules-off');
    const policy = path.join(tree.apiDir, 'policy.xml');
    rmSync(policy);
    symlinkSync(path.join(tree.apiDir, 'missing.xml'), policy);
    const rules = await cli(['rules', '--format', 'json']);
    const ids = [...rules.stdout.matchAll(/"id":\s*"([a-z0-9-]+)"/g)].map((m) => m[1] ?? '');
    expect(ids.length).toBeGreaterThan(5);
    const off = ids.flatMap((id) => ['--rule', `${id}=off`]);
    const { code, report } = await scanJson(tree.root, off);
    expect(code).toBe(3);
    expect(report.complete).toBe(false);
    expect(report.gaps.map((g) => g.what)).toEqual(['apis/echo/policy.xml']);
  });
});
