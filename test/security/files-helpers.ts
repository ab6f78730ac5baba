/** A minimal APIOps folder (one API with a policy) in a temp dir, and a secret file outside it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../helpers/temp';

export const SECRET_MARKER = 'TOPSECRET-7f3a9c-DO-NOT-QUOTE';

export const POLICY = `<policies>
  <inbound>
    <base />
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
`;

export interface Tree {
  /** The temp folder holding `apiops/` and `outside/`. */
  base: string;
  root: string;
  apiDir: string;
  /** A file outside the source root whose content must never appear anywhere. */
  secret: string;
}

export function apiopsTree(prefix: string): Tree {
  const base = makeTempDir(prefix);
  const root = path.join(base, 'apiops');
  const apiDir = path.join(root, 'apis', 'echo');
  mkdirSync(apiDir, { recursive: true });
  writeFileSync(
    path.join(root, 'serviceInformation.json'),
    JSON.stringify({ name: 'contoso-apim', properties: {} }),
  );
  writeFileSync(
    path.join(apiDir, 'apiInformation.json'),
    JSON.stringify({ properties: { displayName: 'Echo', path: 'echo', protocols: ['https'] } }),
  );
  writeFileSync(path.join(apiDir, 'policy.xml'), POLICY);
  mkdirSync(path.join(base, 'outside'));
  const secret = path.join(base, 'outside', 'passwd');
  writeFileSync(
    secret,
    `root:x:0:0:${SECRET_MARKER}:/root:/bin/bash\n<policies>${SECRET_MARKER}</policies>\n`,
  );
  return { base, root, apiDir, secret };
}

/** Whether the process can be stopped by file permissions (not when running as root). */
export function permissionsApply(): boolean {
  return typeof process.getuid !== 'function' || process.getuid() !== 0;
}
