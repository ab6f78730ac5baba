/**
 * Issue 10, trust model: a config file in the working tree (written by whoever opened the pull request) cannot
 * direct credentials. A local HTTPS server stands in for a hostile custom cloud: with a working-tree config naming
 * it as endpoint, not one connection reaches it, and the run fails with exit 2 naming the setting and how to allow
 * it. Also: --no-config / APIM_AUDIT_CONFIG=none, duplicate and prototype keys.
 */
import { createServer, type Server } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseConfig } from '../../src/config/file';
import { isTrustedConfigPath } from '../../src/config/trust';
import { cli } from '../helpers/cli';
import { auditErrorOf } from '../helpers/errors';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';
import { selfSignedCertificate } from '../sources/live/emulator/cert';

const SECRET = 'hostile-test-secret-Xy7~';
const TENANT = '4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00';
const CLIENT = '5f0c2b7e-9d1a-4c3b-8e6f-2a1b0c9d8e7f';
const OIDC_REQUEST_TOKEN = 'github-request-token-hostile-Q1';
const CONTOSO = path.join(REPO_ROOT, 'examples/contoso/snapshot.json');
const NOW = ['--now', '2026-11-25T12:00:00Z'];

interface Seen {
  connections: number;
  requests: { method: string; url: string; headers: string; body: string }[];
}

let server: Server;
let url: string;
let caFile: string;
const seen: Seen = { connections: 0, requests: [] };

beforeAll(async () => {
  const tls = selfSignedCertificate('hostile-cloud');
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      seen.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: JSON.stringify(req.headers),
        body,
      });
      // Plays along just enough (tenant discovery) for a client to send its credential to the token endpoint.
      const tenant = (req.url ?? '').split('/')[1] ?? '';
      if ((req.url ?? '').includes('/.well-known/openid-configuration')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            issuer: `${url}/${tenant}/v2.0`,
            authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/authorize`,
            token_endpoint: `${url}/${tenant}/oauth2/v2.0/token`,
            jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
          }),
        );
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_request"}');
    });
  });
  server.on('connection', () => (seen.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  caFile = path.join(makeTempDir('hostile-ca'), 'ca.pem');
  // The worst case: the job even trusts the hostile server's certificate.
  writeFileSync(caFile, tls.cert);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.connections = 0;
  seen.requests.length = 0;
});

/** A checkout as a pull request writes it: a git work tree holding `.auditrc.json`. */
function workingTree(config: unknown): string {
  const dir = makeTempDir('pr-tree');
  mkdirSync(path.join(dir, '.git'));
  writeFileSync(path.join(dir, '.auditrc.json'), JSON.stringify(config, null, 2));
  return dir;
}

function hostileCloud(): unknown {
  return { live: { cloud: { authorityHost: url, graphEndpoint: url, resourceManagerEndpoint: url } } };
}

const secretEnv = () => ({
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: CLIENT,
  AZURE_CLIENT_SECRET: SECRET,
  APIM_AUDIT_CA_FILE: caFile,
  APIM_AUDIT_TIMEOUT_SECONDS: '2',
  APIM_AUDIT_MAX_RETRIES: '0',
});

const oidcEnv = () => ({
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: CLIENT,
  ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/oidc/token`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN,
  APIM_AUDIT_CA_FILE: caFile,
  APIM_AUDIT_TIMEOUT_SECONDS: '2',
  APIM_AUDIT_MAX_RETRIES: '0',
});

describe('custom cloud endpoints come only from flags, environment or a trusted config', () => {
  it.each([
    ['client secret', secretEnv, []],
    ['GitHub OIDC token', oidcEnv, []],
    ['client secret, --config naming the working-tree file', secretEnv, ['--config', '.auditrc.json']],
  ])(
    'a working-tree config naming a hostile cloud: no request reaches it (%s), exit 2 naming the setting',
    async (_what, env, extra) => {
      const cwd = workingTree(hostileCloud());
      const run = await cli(['scan', '--source', 'graph', ...extra, ...NOW], { cwd, env: env() });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/\.auditrc\.json:\d+:\d+: live\.cloud: custom endpoints/);
      expect(run.stderr).toContain('APIM_AUDIT_AUTHORITY_HOST');
      expect(run.stderr).toContain('--config');
      expect(run.stdout).toBe('');
      expect(seen.connections).toBe(0);
      expect(seen.requests).toEqual([]);
    },
  );

  it('the same config from outside the working tree is trusted: the control shows the test would see a leak', async () => {
    const cwd = workingTree({});
    const trusted = path.join(makeTempDir('base-branch'), 'auditrc.json');
    writeFileSync(trusted, JSON.stringify(hostileCloud()));
    expect(isTrustedConfigPath(trusted, cwd)).toBe(true);
    const run = await cli(['scan', '--source', 'graph', '--config', trusted, ...NOW], {
      cwd,
      env: secretEnv(),
    });
    expect(run.code).not.toBe(0);
    expect(seen.connections).toBeGreaterThan(0);
    expect(
      seen.requests.some((r) => r.body.includes(encodeURIComponent(SECRET)) || r.body.includes(SECRET)),
    ).toBe(true);
  });

  it('a config path inside the working tree is never trusted, also through a subfolder or from a subfolder', () => {
    const tree = workingTree({});
    mkdirSync(path.join(tree, 'sub'));
    expect(isTrustedConfigPath(path.join(tree, '.auditrc.json'), tree)).toBe(false);
    expect(isTrustedConfigPath(path.join(tree, 'sub', 'x.json'), tree)).toBe(false);
    expect(isTrustedConfigPath(path.join(tree, '.auditrc.json'), path.join(tree, 'sub'))).toBe(false);
  });

  it('a config file may name a known cloud', () => {
    for (const cloud of ['AzurePublic', 'AzureUSGovernment', 'AzureChina']) {
      expect(parseConfig(JSON.stringify({ live: { cloud } }), '.auditrc.json').live?.cloud).toBe(cloud);
    }
  });

  it('a CA file is never taken from a config file (exit 2, says to use APIM_AUDIT_CA_FILE)', async () => {
    const cwd = workingTree({ live: { caFile: caFile } });
    const run = await cli(['scan', CONTOSO, ...NOW], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\.auditrc\.json:\d+:\d+: live\.caFile: .*APIM_AUDIT_CA_FILE/);
  });
});

describe('--no-config and APIM_AUDIT_CONFIG', () => {
  it.each([
    ['--no-config', ['--no-config'], {}],
    ['APIM_AUDIT_CONFIG=none', [], { APIM_AUDIT_CONFIG: 'none' }],
  ])('%s ignores the working-tree config, and the report says no config was used', async (_w, flags, env) => {
    const cwd = workingTree({ ...(hostileCloud() as object), failOn: 'none' });
    const run = await cli(['scan', CONTOSO, ...flags, ...NOW], { cwd, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Config: none \(defaults\)\n/);
  });

  it('APIM_AUDIT_CONFIG=<file> names the config like --config', async () => {
    const cwd = workingTree({});
    const file = path.join(makeTempDir('env-config'), 'auditrc.json');
    writeFileSync(file, JSON.stringify({ failOn: 'none' }));
    const run = await cli(['scan', CONTOSO, '--format', 'json', ...NOW], {
      cwd,
      env: { APIM_AUDIT_CONFIG: file },
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { configuration: { failOn: string } }).configuration.failOn).toBe(
      'none',
    );
  });
});

describe('config JSON that could hide settings is invalid', () => {
  it.each([
    [
      'a duplicate key',
      '{\n  "failOn": "error",\n  "failOn": "none"\n}\n',
      ".auditrc.json:3:3: 'failOn': duplicate key",
    ],
    [
      'a nested duplicate key',
      '{\n  "rules": {\n    "redirect-uri-safe": "error",\n    "redirect-uri-safe": "off"\n  }\n}\n',
      ".auditrc.json:4:5: 'redirect-uri-safe': duplicate key",
    ],
    [
      '__proto__',
      '{\n  "__proto__": { "failOn": "none" }\n}\n',
      ".auditrc.json:2:3: '__proto__': this key is not allowed",
    ],
    [
      'constructor',
      '{\n  "rules": { "constructor": { "prototype": {} } }\n}\n',
      ".auditrc.json:2:14: 'constructor': this key is not allowed",
    ],
  ])('%s: exit 2, located', async (_what, text, expected) => {
    const cwd = makeTempDir('keys');
    writeFileSync(path.join(cwd, '.auditrc.json'), text);
    const run = await cli(['scan', CONTOSO, ...NOW], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(expected);
    expect(({} as Record<string, unknown>)['failOn']).toBeUndefined();
  });

  it('__proto__ sets no prototype anywhere: the parse stops before any value is used', () => {
    const error = auditErrorOf(() =>
      parseConfig('{ "suppressions": [{ "__proto__": { "rule": "*" } }] }', '.auditrc.json'),
    );
    expect(error.code).toBe('config-invalid');
    expect(({} as Record<string, unknown>)['rule']).toBeUndefined();
  });
});
