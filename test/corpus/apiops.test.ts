/** The APIOps source on the extractor's own SampleArtifacts tree (Azure/apiops), read in place from the corpus. */
import path from 'node:path';
import { loadApiopsFolder } from '../../src/sources/apiops';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { NOW, scanJson } from '../sources/iac-helpers';
import { CORPUS_REL } from './corpus';

const CORPUS = `${CORPUS_REL}/apiops/Azure-apiops/SampleArtifacts`;

function load(dir: string, spec = `apiops:${dir}`) {
  return loadApiopsFolder(path.resolve(REPO_ROOT, dir), spec, REPO_ROOT);
}

describe('apiops source: the APIOps SampleArtifacts tree ', () => {
  it('loads without error, with every artifact kind the audit uses', () => {
    const inventory = load(CORPUS);
    expect(inventory.gaps).toEqual([]);
    const service = inventory.services[0];
    // No serviceInformation.json and no #<name>: the folder name stands in, marked unknown. APIOps extracts no
    // authorization servers and no OpenID Connect providers: those collections are unknown, not empty.
    expect(service?.name).toBe('SampleArtifacts');
    expect(Object.keys(service?.origin.unknown ?? {})).toEqual([
      'name',
      'authorizationServers',
      'openidConnectProviders',
    ]);
    expect(service?.policy?.value).toMatch(/<include-fragment fragment-id="policyFragment1" \/>/);
    const apis = service?.apis ?? [];
    expect(apis.map((a) => a.name)).toEqual([
      'basic-api',
      'graphql-api',
      'revisioned-api',
      'revisioned-api;rev=2',
      'soap-api',
      'versioned-api-v1',
      'versioned-api-v2',
      'wadl-api',
    ]);
    expect(apis.filter((a) => a.properties.isCurrent === false).map((a) => a.name)).toEqual([
      'revisioned-api;rev=2',
    ]);
    expect(apis.flatMap((a) => a.operations ?? []).map((o) => o.name)).toEqual([
      'get-items',
      'create-item',
      'get-revision',
      'get-revision-v2',
      'get-revision-details',
      'get-version-v1',
      'get-version-v2',
    ]);
    expect(apis.flatMap((a) => a.operations ?? []).filter((o) => o.policy).length).toBe(4);
    expect(apis.filter((a) => a.policy).map((a) => a.name)).toEqual(['basic-api', 'revisioned-api;rev=2']);
    expect(service?.products?.map((p) => [p.name, p.apis?.length, p.policy !== undefined])).toEqual([
      ['product1', 3, true],
      ['product2', 4, true],
    ]);
    expect(service?.namedValues).toHaveLength(4);
    expect(service?.policyFragments?.map((f) => f.name)).toEqual(['policyFragment1', 'policyFragment2']);
    expect(Object.keys(inventory.files)).toHaveLength(39);
  });

  it('scans as a bare path, complete, with no findings about a service it cannot name', async () => {
    const { code, report } = await scanJson([`apiops:${CORPUS}#sample-apim`]);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.gaps).toEqual([]);
    const bare = await cli(['scan', CORPUS, '--format', 'json', '--fail-on', 'none', '--now', NOW]);
    expect(bare.code).toBe(0);
  });
});
