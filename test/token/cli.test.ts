/**
 * `token` at the CLI edge: the token from an argument (a Bearer prefix and white space accepted), from stdin (`-`)
 * or a claims file; bad input is exit 2 with what is wrong and never the token; and the canary: a token string
 * and a claim value that is not a named claim appear in no output, no error message and no file.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../src/cli/main';
import { readStream, type CliIO } from '../../src/cli/io';
import { decodeJwt, MAX_TOKEN_BYTES } from '../../src/token/decode';
import { makeTempDir } from '../helpers/temp';
import { NOW, v2Claims, writeScenario } from './helpers';
import { mint } from './mint';

async function tokenCli(
  argv: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    cwd: options.cwd ?? path.resolve(__dirname, '../..'),
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    ...(options.stdin !== undefined
      ? { readStdin: (limit: number) => readStream(Readable.from([options.stdin ?? '']), limit) }
      : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const V2_POLICY = `    <validate-jwt header-name="Authorization">
      <audiences><audience>6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d</audience></audiences>
      <required-claims><claim name="groups" match="any"><value>admins</value></claim></required-claims>
    </validate-jwt>`;

describe('the canary: the token is never printed, logged or written', () => {
  const canaryValue = `CANARY-${randomBytes(8).toString('hex')}`;
  const token = mint(v2Claims({ groups: [canaryValue], canary: canaryValue }), { alg: 'HS256' });
  const [header = '', payload = '', signature = ''] = token.split('.');
  const secrets = [token, header, payload, signature, canaryValue];

  const assertClean = (texts: string[]) => {
    for (const text of texts) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  };

  it('in a rejection, a pass, stdin, a claims file, a Bearer argument, and every usage error', async () => {
    const cwd = makeTempDir('token-canary');
    const file = writeScenario({ inbound: V2_POLICY });
    const base = [
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--operation',
      'get-colors',
      '--now',
      NOW,
      '--no-config',
    ];
    // Outside the working folder (so that nothing there names it), in a temporary folder of its own (removed after).
    const claimsFile = path.join(makeTempDir('token-claims'), 'claims.json');
    writeFileSync(claimsFile, JSON.stringify(v2Claims({ groups: [canaryValue] })));
    const runs = [
      await tokenCli([...base, token], { cwd }),
      await tokenCli([...base, `Bearer ${token}`], { cwd }),
      await tokenCli([...base, '-'], { cwd, stdin: `  Bearer ${token}\n` }),
      await tokenCli([...base, '--claims', claimsFile], { cwd }),
      await tokenCli([...base, '--format', 'json', token], { cwd }),
      // usage errors with the token on the command line
      await tokenCli([...base, token, token], { cwd }),
      await tokenCli([...base, token, '--unknown-flag'], { cwd }),
      await tokenCli(['token', '-s', `snapshot:${file}`, token], { cwd }),
      await tokenCli([...base, '--claims', claimsFile, token], { cwd }),
      await tokenCli([...base.slice(0, 4), 'no-such-api', '--operation', 'x', token], { cwd }),
      await tokenCli([...base, `${token}.extra`], { cwd }),
      await tokenCli([...base, token.replace('.', '.!')], { cwd }),
      await tokenCli([...base, '--verbose', `${header}.${payload}`], { cwd }),
      // the token pasted where a name was expected
      await tokenCli(
        ['token', '-s', `snapshot:${file}`, '--api', token, '--operation', 'x', '--no-config', token],
        { cwd },
      ),
      await tokenCli([...base.slice(0, 6), '--method', 'GET', '--url', `/x/${token}`, '--no-config', token], {
        cwd,
      }),
    ];
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(runs[13]?.stderr).toMatch(/no API '<redacted: looks like a token>'/);
    expect(runs[4]?.stdout).toMatch(/"message": "a groups claim \(value not shown\)/);
    // The claim the policy requires is named, its value never shown.
    expect(runs[0]?.stdout).toMatch(/a groups claim \(value not shown\)/);
    assertClean(runs.flatMap((r) => [r.stdout, r.stderr]));
    // Nothing is written: not in the working directory, not beside the snapshot.
    expect(filesUnder(cwd)).toEqual([]);
    assertClean(filesUnder(path.dirname(file)).map((f) => readFileSync(f, 'utf8')));
  });
});

describe('reading the token', () => {
  const ok = v2Claims();

  it('a malformed token says what is wrong (segments, base64url, JSON, JWE, size), exit 2', async () => {
    const good = mint(ok);
    const [h = '', p = ''] = good.split('.');
    const notJson = Buffer.from('{not json').toString('base64url');
    const cases: [string, RegExp][] = [
      ['', /the token is empty/],
      ['abc', /1 segment separated by '\.'; a JWT has three/],
      [`${h}.${p}`, /2 segments/],
      [`${h}.${p}.s.x.y`, /five segments: it is an encrypted token \(JWE\)/],
      [`${h}.${p}!.`, /the payload \(segment 2\) is not base64url/],
      [`${h}.${notJson}.`, /the payload is base64url but not JSON/],
      [`${notJson}.${p}.`, /the header is base64url but not JSON/],
      [`${h}.${Buffer.from('[1]').toString('base64url')}.`, /the payload is JSON but not an object/],
      [`${h}.${'A'.repeat(MAX_TOKEN_BYTES)}.`, /over the 65536-byte limit/],
    ];
    for (const [input, expected] of cases) {
      const result = decodeJwt(input);
      expect({ input: input.slice(0, 20), problem: result.ok ? 'ok' : result.problem }).toEqual({
        input: input.slice(0, 20),
        problem: expect.stringMatching(expected),
      });
    }
    const spaced = decodeJwt(`  bearer   ${good}\n`);
    expect(spaced.ok).toBe(true);
  });

  it('from stdin, bounded; --claims through the safe file reader; exactly one of them', async () => {
    const file = writeScenario({});
    const base = [
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--operation',
      'get-colors',
      '--now',
      NOW,
      '--no-config',
    ];
    expect((await tokenCli([...base, '-'], { stdin: mint(ok) })).code).toBe(0);
    expect((await tokenCli([...base, '-'], { stdin: JSON.stringify(ok) })).code).toBe(0);
    const huge = await tokenCli([...base, '-'], { stdin: 'a'.repeat(MAX_TOKEN_BYTES * 2) });
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/over the 65536-byte limit/);
    const dir = makeTempDir('token-claims');
    const big = path.join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ aud: 'x'.repeat(MAX_TOKEN_BYTES) }));
    const tooBig = await tokenCli([...base, '--claims', big]);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/over the 65536-byte limit of a claims file/);
    const missing = await tokenCli([...base, '--claims', path.join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    const neither = await tokenCli(base);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(
      /give the token as an argument, - to read it from stdin, or --claims <file>/,
    );
  });

  it('--help shows the command', async () => {
    const help = await tokenCli(['token', '--help']);
    expect(help.stdout).toContain('token [jwt]');
    expect(help.stdout).toContain('--claims');
  });
});

describe('token --format json', () => {
  it('states the same diagnosis as the text, as a versioned document with only the named claims', async () => {
    const file = writeScenario({ inbound: V2_POLICY });
    const argv = [
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--operation',
      'get-colors',
      '--now',
      NOW,
    ];
    const token = mint(v2Claims({ groups: ['users'] }));
    const json = await tokenCli([...argv, '--no-config', '--format', 'json', token]);
    const text = await tokenCli([...argv, '--no-config', token]);
    expect(json.code).toBe(text.code);
    const doc = JSON.parse(json.stdout) as {
      version: number;
      signatureVerified: boolean;
      claims: Record<string, string[]>;
      verdict: string;
      paths: {
        verdict: string;
        steps: { element: string; checks: { check: string; outcome: string; error: string | null }[] }[];
      }[];
    };
    expect(doc.version).toBe(1);
    expect(doc.signatureVerified).toBe(false);
    expect(Object.keys(doc.claims)).not.toContain('groups');
    expect(doc.verdict).toBe('reject');
    const failed = doc.paths[0]?.steps[0]?.checks.filter((c) => c.outcome === 'fail') ?? [];
    expect(failed.map((c) => c.check)).toEqual(['required-claim']);
    expect(text.stdout).toContain(failed[0]?.error ?? 'no error');
  });
});
