/**
 * Issue 12: an APIOps tree is read ahead on a second thread only from 1,000 APIs (READ_AHEAD_APIS): below that,
 * starting the thread cost more than it saved. Other entity folders do not count.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadApiopsFolder } from '../../../src/sources/apiops';
import { ReadAhead } from '../../../src/util/read-ahead';
import { makeTempDir } from '../../helpers/temp';

function tree(apis: number, servers: number): string {
  const root = makeTempDir('read-ahead-size');
  for (let i = 0; i < apis; i++) {
    const dir = path.join(root, 'apis', `api-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'apiInformation.json'), JSON.stringify({ properties: { path: `p${i}` } }));
  }
  for (let i = 0; i < servers; i++) {
    const dir = path.join(root, 'authorizationServers', `server-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'authorizationServerInformation.json'), JSON.stringify({ properties: {} }));
  }
  return root;
}

/** Whether loading `root` (read-ahead left to decide) took any file from the read-ahead thread. */
function readAhead(root: string): boolean {
  const take = jest.spyOn(ReadAhead.prototype, 'take');
  const saved = process.env['APIM_AUDIT_READ_AHEAD'];
  delete process.env['APIM_AUDIT_READ_AHEAD'];
  try {
    const inventory = loadApiopsFolder(root, 'apiops:tree', root);
    expect(inventory.services[0]?.apis).toBeDefined();
    return take.mock.results.some((r) => r.value !== undefined);
  } finally {
    take.mockRestore();
    if (saved !== undefined) process.env['APIM_AUDIT_READ_AHEAD'] = saved;
  }
}

const twoCores = availableParallelism() > 1 ? it : it.skip;

describe('APIOps read-ahead by size', () => {
  twoCores('reads 1,000 APIs ahead, and not 999 APIs with 1,000 other entity folders', () => {
    expect(readAhead(tree(999, 1000))).toBe(false);
    expect(readAhead(tree(1000, 0))).toBe(true);
  });
});
