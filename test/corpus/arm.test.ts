/** The ARM source on third-party templates (Azure Verified Modules, the DevOps resource kit, AI-Gateway). */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseSourceSpec } from '../../src/sources';
import { loadArmTemplate } from '../../src/sources/arm';
import { REPO_ROOT } from '../helpers/sample';
import { scanJson, textAt, type ReportFinding } from '../sources/iac-helpers';
import { CORPUS_REL } from './corpus';

const CORPUS = `${CORPUS_REL}/arm`;

function load(spec: string) {
  const parsed = parseSourceSpec(spec, REPO_ROOT);
  return loadArmTemplate(parsed.location, parsed.raw, REPO_ROOT);
}

function findingOf(findings: ReportFinding[], ruleId: string, match: RegExp = /./): ReportFinding {
  const found = findings.find((f) => f.ruleId === ruleId && match.test(f.message));
  if (!found) throw new Error(`no ${ruleId} finding matching ${String(match)}`);
  return found;
}

describe('arm source: bare paths', () => {
  it('detects a Bicep-compiled template by its $schema', () => {
    expect(parseSourceSpec(`${CORPUS}/avm-service-main.json`, REPO_ROOT).kind).toBe('arm');
  });
});

describe('arm source: corpus templates', () => {
  const expectations: Record<
    string,
    { services: number; gaps: number; servers: number; apis: number; exit: number }
  > = {
    'aigateway-foundry-e2e-private-main.json': { services: 2, gaps: 0, servers: 0, apis: 2, exit: 0 },
    'avm-api-main.json': { services: 1, gaps: 0, servers: 0, apis: 1, exit: 0 },
    'avm-api-policy-main.json': { services: 1, gaps: 0, servers: 0, apis: 1, exit: 0 },
    'avm-authorization-server-main.json': { services: 1, gaps: 0, servers: 1, apis: 0, exit: 0 },
    'avm-service-main.json': { services: 1, gaps: 0, servers: 0, apis: 0, exit: 0 },
    'avm-service-policy-main.json': { services: 1, gaps: 0, servers: 0, apis: 0, exit: 0 },
    'devopskit-api-httpbin.v1.template.json': { services: 1, gaps: 0, servers: 0, apis: 1, exit: 0 },
    'devopskit-oauth2.template.json': { services: 1, gaps: 0, servers: 1, apis: 0, exit: 0 },
    'devopskit-openid.template.json': { services: 1, gaps: 0, servers: 0, apis: 0, exit: 0 },
  };

  it('covers every corpus template', () => {
    expect(readdirSync(path.join(REPO_ROOT, CORPUS)).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))('%s loads', async (file, expected) => {
    const inventory = load(`arm:${CORPUS}/${file}`);
    const services = inventory.services;
    expect({
      services: services.length,
      gaps: inventory.gaps.length,
      servers: services.flatMap((s) => s.authorizationServers ?? []).length,
      apis: services.flatMap((s) => s.apis ?? []).length,
    }).toEqual({
      services: expected.services,
      gaps: expected.gaps,
      servers: expected.servers,
      apis: expected.apis,
    });
    const { code } = await scanJson([`arm:${CORPUS}/${file}`]);
    expect(code).toBe(expected.exit);
  });

  it('evaluates Bicep modules (nested deployments) with values from a parameters file', async () => {
    const parameters = 'test/sources/arm/fixtures/avm-service.parameters.json';
    const spec = `arm:${CORPUS}/avm-service-main.json#${parameters}`;
    const inventory = load(spec);
    expect(inventory.gaps).toEqual([]);
    const [service] = inventory.services;
    expect(service?.name).toBe('contoso-apim');
    const server = service?.authorizationServers?.[0];
    expect(server?.name).toBe('colors-oauth');
    expect(server?.origin.pointer).toMatch(
      /^\/resources\/service_authorizationServers\/properties\/template\/resources\/authorizationServer$/,
    );
    expect(server?.properties).not.toHaveProperty('clientSecret');
    const { report, stdout } = await scanJson([spec]);
    expect(stdout).not.toContain('not-a-real-secret');
    const token = findingOf(report.findings, 'auth-server-v2-endpoints', /v1 token endpoint/);
    expect(token.location.file).toBe(`${CORPUS}/avm-service-main.json`);
    expect(textAt(token.location)).toMatch(/^"\[parameters\('tokenEndpoint'\)\]"/);
  });

  it('reads old-style policyContent and drops secrets given as parameters', () => {
    const httpbin = load(`arm:${CORPUS}/devopskit-api-httpbin.v1.template.json`);
    const api = httpbin.services[0]?.apis?.[0];
    expect(api?.policy?.value).toMatch(/<set-backend-service base-url="https:\/\/api\.apis\.guru\/v2\/" \/>/);
    expect(api?.policy?.origin?.pointer).toBe('/resources/4/properties/policyContent');
    const oauth = load(`arm:${CORPUS}/devopskit-oauth2.template.json`);
    const server = oauth.services[0]?.authorizationServers?.[0];
    expect(server?.name).toBe('client-app');
    expect(server?.properties).not.toHaveProperty('clientSecret');
    expect(Object.keys(server?.origin.unknown ?? {})).toEqual([
      'properties/clientRegistrationEndpoint',
      'properties/authorizationEndpoint',
      'properties/tokenBodyParameters',
      'properties/tokenEndpoint',
      'properties/clientId',
    ]);
  });
});
