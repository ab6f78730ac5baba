/**
 * The Colors scenario of `examples/contoso/snapshot.json` expressed as infrastructure code, derived from the
 * sample so that the fixtures keep mirroring it:
 * - `test/sources/apiops/fixtures/colors/`: the APIOps artifact folder the extractor would write for the service, plus
 *   the hand-written `authorizationServers/` and `serviceInformation.json` conventions;
 * - `test/sources/apiops/fixtures/colors-apps.snapshot.json`: the two app registrations alone (the Entra side);
 * - `test/sources/arm/fixtures/colors.json` + `colors.parameters.json`: the template `bicep build` emits for a Bicep file
 *   that declares the apps with the Microsoft Graph extension and the APIM service with its children.
 *
 * The files are checked in. `UPDATE_FIXTURES=1 npx jest test/sources` rewrites them from the sample (then run
 * `npx prettier --write test/sources/apiops/fixtures test/sources/arm/fixtures`); otherwise a test fails when they drift.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSampleDoc, REPO_ROOT } from '../helpers/sample';

type Json = Record<string, unknown>;

export const APIOPS_COLORS = 'test/sources/apiops/fixtures/colors';
export const APIOPS_COLORS_APPS = 'test/sources/apiops/fixtures/colors-apps.snapshot.json';
export const ARM_COLORS = 'test/sources/arm/fixtures/colors.json';
export const ARM_COLORS_PARAMETERS = 'test/sources/arm/fixtures/colors.parameters.json';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function sample() {
  const doc = loadSampleDoc('contoso');
  const service = (doc.apim ?? [])[0] as Json;
  const apps = (doc.applications ?? []) as Json[];
  return { doc, service, apps };
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

// ----- APIOps ----------------------------------------------------------------------------------------------

function yamlScalar(value: string): string {
  return /^[A-Za-z0-9 ./_-]*$/.test(value) && value.trim() === value && value !== ''
    ? value
    : `'${value.replace(/'/g, "''")}'`;
}

/** The OpenAPI 3 YAML APIM exports for an API (what APIOps saves as specification.yaml). */
function openApiYaml(service: Json, api: Json): string {
  const props = api['properties'] as Json;
  const byPath = new Map<string, Json[]>();
  for (const op of list(api['operations'])) {
    const p = op['properties'] as Json;
    const url = String(p['urlTemplate']);
    byPath.set(url, [...(byPath.get(url) ?? []), op]);
  }
  const lines = [
    'openapi: 3.0.1',
    'info:',
    `  title: ${yamlScalar(String(props['displayName']))}`,
    "  description: ''",
    "  version: '1.0'",
    'servers:',
    `  - url: https://${String(service['name'])}.azure-api.net/${String(props['path'])}`,
    'paths:',
  ];
  for (const [url, ops] of byPath) {
    lines.push(`  ${url}:`);
    for (const op of ops) {
      const p = op['properties'] as Json;
      lines.push(
        `    ${String(p['method']).toLowerCase()}:`,
        `      summary: ${yamlScalar(String(p['displayName']))}`,
        `      operationId: ${String(op['name'])}`,
        '      responses:',
        "        '200':",
        "          description: ''",
      );
    }
  }
  lines.push('components: {}', '');
  return lines.join('\n');
}

/** APIOps' API DTO has no `oAuth2AuthenticationSettings` / `openidAuthenticationSettings` arrays. */
function apiInformation(api: Json): Json {
  const props = structuredClone(api['properties']) as Json;
  const auth = props['authenticationSettings'] as Json | undefined;
  if (auth) {
    delete auth['oAuth2AuthenticationSettings'];
    delete auth['openidAuthenticationSettings'];
  }
  return { properties: props };
}

export function apiopsColorsFiles(): Map<string, string> {
  const { service } = sample();
  const files = new Map<string, string>();
  const put = (file: string, content: string) => files.set(file, content);
  const props = service['properties'] as Json;
  put(
    'serviceInformation.json',
    json({
      name: service['name'],
      id: service['id'],
      location: service['location'],
      properties: { hostnameConfigurations: props['hostnameConfigurations'] },
    }),
  );
  const policy = service['policy'] as Json | undefined;
  if (policy) put('policy.xml', String(policy['value']));
  for (const server of list(service['authorizationServers'])) {
    put(
      `authorizationServers/${String(server['name'])}/authorizationServerInformation.json`,
      json({ properties: server['properties'] }),
    );
  }
  for (const api of list(service['apis'])) {
    const dir = `apis/${String(api['name'])}`;
    put(`${dir}/apiInformation.json`, json(apiInformation(api)));
    put(`${dir}/specification.yaml`, openApiYaml(service, api));
    const apiPolicy = api['policy'] as Json | undefined;
    if (apiPolicy) put(`${dir}/policy.xml`, String(apiPolicy['value']));
    for (const op of list(api['operations'])) {
      const opPolicy = op['policy'] as Json | undefined;
      if (opPolicy) put(`${dir}/operations/${String(op['name'])}/policy.xml`, String(opPolicy['value']));
    }
  }
  for (const product of list(service['products'])) {
    const dir = `products/${String(product['name'])}`;
    put(`${dir}/productInformation.json`, json({ properties: product['properties'] }));
    const productPolicy = product['policy'] as Json | undefined;
    if (productPolicy) put(`${dir}/policy.xml`, String(productPolicy['value']));
    for (const apiName of (product['apis'] as string[] | undefined) ?? []) {
      put(`${dir}/apis/${apiName}/productApiInformation.json`, json({}));
    }
  }
  for (const nv of list(service['namedValues'])) {
    put(
      `named values/${String(nv['name'])}/namedValueInformation.json`,
      json({ properties: nv['properties'] }),
    );
  }
  for (const fragment of list(service['policyFragments'])) {
    const dir = `policy fragments/${String(fragment['name'])}`;
    // APIOps removes format and value from the information file; the value is the policy.xml.
    const properties = { ...(fragment['properties'] as Json) };
    const value = properties['value'];
    delete properties['value'];
    delete properties['format'];
    put(`${dir}/policyFragmentInformation.json`, json({ properties }));
    put(`${dir}/policy.xml`, String(value));
  }
  return files;
}

export function appsSnapshotFile(): string {
  const { doc } = sample();
  return json({
    $schema: '../../../schemas/snapshot.schema.json',
    kind: doc['kind'],
    version: doc['version'],
    tenantId: doc['tenantId'],
    cloud: doc['cloud'],
    collectedAt: doc['collectedAt'],
    applications: doc.applications,
  });
}

// ----- ARM (bicep build output) -----------------------------------------------------------------------------

interface Substitutions {
  tenantId: string;
  apimName: string;
  backendAppId: string;
  clientAppId: string;
}

/**
 * A string of the sample as the Bicep author would write it: the tenant, the service name and the apps'
 * appIds come from parameters and `reference(...)`, compiled to `format(...)` like Bicep interpolation.
 */
function expressionFor(value: string, s: Substitutions): string {
  const inputs: [string, string][] = [
    [s.tenantId, "parameters('tenantId')"],
    [s.backendAppId, "reference('backendApp').appId"],
    [s.clientAppId, "reference('clientApp').appId"],
    [s.apimName, "parameters('apimName')"],
  ];
  const args: string[] = [];
  let template = value.replace(/[{}]/g, (c) => c + c);
  for (const [literal, expression] of inputs) {
    if (!template.includes(literal)) continue;
    template = template.split(literal).join(`{${args.length}}`);
    args.push(expression);
  }
  if (args.length === 0) return value.startsWith('[') ? `[${value}` : value;
  if (template === '{0}') return `[${args[0] ?? ''}]`;
  return `[format('${template.replace(/'/g, "''")}', ${args.join(', ')})]`;
}

function substitute(value: unknown, s: Substitutions): unknown {
  if (typeof value === 'string') return expressionFor(value, s);
  if (Array.isArray(value)) return value.map((v) => substitute(v, s));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, s)]));
  }
  return value;
}

function childName(...segments: string[]): string {
  return `[format('${['{0}', ...segments.map((x) => x.replace(/'/g, "''"))].join('/')}', parameters('apimName'))]`;
}

function symbol(...parts: string[]): string {
  return parts
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p, i) => (i === 0 ? p.toLowerCase() : (p[0] ?? '').toUpperCase() + p.slice(1)))
    .join('');
}

export function armColorsFiles(): Map<string, string> {
  const { doc, service, apps } = sample();
  const [backend, client] = apps as [Json, Json];
  const s: Substitutions = {
    tenantId: String(doc['tenantId']),
    apimName: String(service['name']),
    backendAppId: String(backend['appId']),
    clientAppId: String(client['appId']),
  };
  const resources: Record<string, Json> = {};
  const apimType = (child: string) => `Microsoft.ApiManagement/service${child}`;
  const add = (name: string, resource: Json) => {
    resources[name] = { ...resource, apiVersion: resource['apiVersion'] ?? '2024-05-01' };
  };
  const graphApp = (app: Json) => {
    const body = structuredClone(app);
    for (const credential of list(body['passwordCredentials'])) delete credential['secretText'];
    return {
      extension: 'microsoftGraphV1',
      type: 'Microsoft.Graph/applications@v1.0',
      properties: { uniqueName: app['displayName'], ...body },
    };
  };
  resources['backendApp'] = graphApp(backend);
  const clientBody = graphApp(client);
  const web = (clientBody.properties as Json)['web'] as Json;
  web['redirectUris'] = substitute(web['redirectUris'], s);
  resources['clientApp'] = clientBody;
  const props = service['properties'] as Json;
  add('apim', {
    type: apimType(''),
    name: "[parameters('apimName')]",
    location: "[parameters('location')]",
    sku: { name: 'Developer', capacity: 1 },
    properties: {
      publisherEmail: "[parameters('publisherEmail')]",
      publisherName: 'Contoso',
      hostnameConfigurations: list(props['hostnameConfigurations'])
        .filter((h) => h['type'] !== 'Proxy')
        .map((h) => ({ ...h, hostName: "[parameters('developerPortalHostName')]" })),
    },
  });
  const policyResource = (name: string, policy: Json, dependsOn: string) => ({
    type: '',
    name,
    properties: { format: policy['format'], value: policy['value'] },
    dependsOn: [dependsOn],
  });
  const policy = service['policy'] as Json | undefined;
  if (policy)
    add('globalPolicy', {
      ...policyResource(childName('policy'), policy, 'apim'),
      type: apimType('/policies'),
    });
  for (const nv of list(service['namedValues'])) {
    const nvProps = structuredClone(nv['properties']) as Json;
    if (nvProps['secret'] === true) nvProps['value'] = `[parameters('${symbol(String(nv['name']))}')]`;
    add(symbol('nv', String(nv['name'])), {
      type: apimType('/namedValues'),
      name: childName(String(nv['name'])),
      properties: nvProps,
      dependsOn: ['apim'],
    });
  }
  for (const fragment of list(service['policyFragments'])) {
    add(symbol('fragment', String(fragment['name'])), {
      type: apimType('/policyFragments'),
      name: childName(String(fragment['name'])),
      properties: fragment['properties'],
      dependsOn: ['apim'],
    });
  }
  for (const server of list(service['authorizationServers'])) {
    add(symbol(String(server['name'])), {
      type: apimType('/authorizationServers'),
      name: childName(String(server['name'])),
      properties: substitute(server['properties'], s),
      dependsOn: ['apim', 'backendApp', 'clientApp'],
    });
  }
  for (const api of list(service['apis'])) {
    const apiName = String(api['name']);
    const apiSymbol = symbol(apiName);
    add(apiSymbol, {
      type: apimType('/apis'),
      name: childName(apiName),
      properties: api['properties'],
      dependsOn: ['apim'],
    });
    const apiPolicy = api['policy'] as Json | undefined;
    if (apiPolicy)
      add(symbol(apiName, 'policy'), {
        ...policyResource(childName(apiName, 'policy'), apiPolicy, apiSymbol),
        type: apimType('/apis/policies'),
      });
    for (const op of list(api['operations'])) {
      const opName = String(op['name']);
      const opSymbol = symbol(apiName, opName);
      add(opSymbol, {
        type: apimType('/apis/operations'),
        name: childName(apiName, opName),
        properties: op['properties'],
        dependsOn: [apiSymbol],
      });
      const opPolicy = op['policy'] as Json | undefined;
      if (opPolicy)
        add(symbol(apiName, opName, 'policy'), {
          ...policyResource(childName(apiName, opName, 'policy'), opPolicy, opSymbol),
          type: apimType('/apis/operations/policies'),
        });
    }
  }
  for (const product of list(service['products'])) {
    const productName = String(product['name']);
    const productSymbol = symbol('product', productName);
    add(productSymbol, {
      type: apimType('/products'),
      name: childName(productName),
      properties: product['properties'],
      dependsOn: ['apim'],
    });
    const productPolicy = product['policy'] as Json | undefined;
    if (productPolicy)
      add(symbol('product', productName, 'policy'), {
        ...policyResource(childName(productName, 'policy'), productPolicy, productSymbol),
        type: apimType('/products/policies'),
      });
    for (const apiName of (product['apis'] as string[] | undefined) ?? []) {
      add(symbol('product', productName, apiName), {
        type: apimType('/products/apis'),
        name: childName(productName, apiName),
        dependsOn: [productSymbol, symbol(apiName)],
      });
    }
  }
  const secretParameters = Object.fromEntries(
    list(service['namedValues'])
      .filter((nv) => (nv['properties'] as Json)['secret'] === true)
      .map((nv) => [symbol(String(nv['name'])), { type: 'securestring' }]),
  );
  const portalHost = list(props['hostnameConfigurations']).find((h) => h['type'] === 'DeveloperPortal');
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    languageVersion: '2.1-experimental',
    contentVersion: '1.0.0.0',
    metadata: {
      _EXPERIMENTAL_WARNING:
        'This template uses ARM features that are experimental. Experimental features should be enabled for testing purposes only, as there are no guarantees about the quality or stability of these features. Do not enable these settings for any production usage, or your production environment may be subject to breaking changes.',
      _EXPERIMENTAL_FEATURES_ENABLED: ['Extensibility'],
      _generator: { name: 'bicep', version: '0.38.33.27573', templateHash: '11872926335011434213' },
    },
    parameters: {
      apimName: { type: 'string', metadata: { description: 'Name of the API Management service.' } },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      publisherEmail: { type: 'string' },
      tenantId: { type: 'string', defaultValue: '[tenant().tenantId]' },
      developerPortalHostName: {
        type: 'string',
        defaultValue: portalHost?.['hostName'] ?? 'developer.contoso.com',
      },
      ...secretParameters,
    },
    extensions: { microsoftGraphV1: { name: 'MicrosoftGraph', version: '1.0.0' } },
    resources,
  };
  const parameters = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters: { apimName: { value: s.apimName }, tenantId: { value: s.tenantId } },
  };
  return new Map([
    ['colors.json', json(template)],
    ['colors.parameters.json', json(parameters)],
  ]);
}

// ----- Writing and checking -----------------------------------------------------------------------------------

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(full).isDirectory() ? filesUnder(full, rel) : [rel];
  });
}

/** JSON compares by value (Prettier reformats the checked-in files); everything else byte for byte. */
function same(file: string, expected: string, actual: string): boolean {
  if (file.endsWith('.json'))
    return JSON.stringify(JSON.parse(expected)) === JSON.stringify(JSON.parse(actual));
  return expected === actual;
}

/**
 * Writes the expected files under `dir` (UPDATE_FIXTURES=1), or lists every file that differs from them.
 * `exclusive`: the folder holds exactly these files.
 */
export function syncFixtures(dir: string, expected: Map<string, string>, exclusive: boolean): string[] {
  const root = path.join(REPO_ROOT, dir);
  if (process.env['UPDATE_FIXTURES'] === '1') {
    if (exclusive) rmSync(root, { recursive: true, force: true });
    for (const [file, content] of expected) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    }
    return [];
  }
  const problems: string[] = [];
  for (const [file, content] of expected) {
    const full = path.join(root, file);
    if (!existsSync(full)) problems.push(`${dir}/${file} is missing`);
    else if (!same(file, content, readFileSync(full, 'utf8'))) problems.push(`${dir}/${file} differs`);
  }
  if (exclusive) {
    for (const file of filesUnder(root)) if (!expected.has(file)) problems.push(`${dir}/${file} is extra`);
  }
  return problems;
}
