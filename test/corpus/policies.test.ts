/**
 * The parser against real-world policies nobody here wrote (`../shared/corpus`, read in place): every policy
 * file, the policies embedded in ARM templates and an APIOps artifact tree. Run by `npm run test:corpus`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { stripBom } from '../../src/json/positions';
import { childElements, findElements, parsePolicy } from '../../src/policy/parser';
import type { ParsedPolicy, PolicyElement } from '../../src/policy/types';
import { parsedOk, shape, timeRatio, toXml, type Sample } from '../policy/helpers';
import { CORPUS } from './corpus';

const POLICIES = path.join(CORPUS, 'policies');
const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'];

function read(file: string): string {
  return stripBom(readFileSync(file, 'utf8'));
}

/** Tags per corpus file from MANIFEST.tsv (`local_path` -> tags). */
function manifestTags(): Map<string, string[]> {
  const lines = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  const tags = new Map<string, string[]>();
  for (const line of lines) {
    const columns = line.split('\t');
    if (columns[0]) tags.set(columns[0], (columns[6] ?? '').split(',').filter(Boolean));
  }
  return tags;
}

function policyFiles(): Sample[] {
  return readdirSync(POLICIES)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({ name: `policies/${f}`, text: read(path.join(POLICIES, f)), format: undefined }));
}

function walkFiles(dir: string, name: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return walkFiles(full, name);
      return entry === name ? [full] : [];
    });
}

/** Every JSON string that holds a policy document, with its pointer; `[concat('...')]` of one literal unwrapped. */
function embeddedPolicies(value: unknown, pointer: string, out: { pointer: string; text: string }[]): void {
  if (typeof value === 'string') {
    const concat = /^\[concat\('((?:[^']|'')*)'\)\]$/s.exec(value);
    const text = concat?.[1]?.replace(/''/g, "'") ?? value;
    if (/<(policies|fragment)[\s>]/.test(text)) out.push({ pointer, text });
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => embeddedPolicies(v, `${pointer}/${i}`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) embeddedPolicies(v, `${pointer}/${k}`, out);
  }
}

function armSamples(): Sample[] {
  const dir = path.join(CORPUS, 'arm');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const found: { pointer: string; text: string }[] = [];
      embeddedPolicies(JSON.parse(read(path.join(dir, f))), '', found);
      return found.map((p) => ({ name: `arm/${f}#${p.pointer}`, text: p.text, format: undefined }));
    });
}

describe('policy corpus: every file parses', () => {
  const files = policyFiles();
  const tags = manifestTags();

  it('parses every policy file, strict-XML-invalid ones included, without warnings', () => {
    const parsed = files.filter((f) => parsedOk(f) !== undefined);
    expect(parsed).toHaveLength(56);
    const rawxml = files.filter((f) => tags.get(f.name)?.includes('rawxml-not-wellformed'));
    expect(rawxml).toHaveLength(30);
  });

  it('finds the root the manifest expects and the sections it says are there', () => {
    for (const file of files) {
      const fileTags = tags.get(file.name) ?? [];
      const root = parsedOk(file);
      expect([file.name, root.name]).toEqual([
        file.name,
        fileTags.includes('fragment') ? 'fragment' : 'policies',
      ]);
      if (root.name !== 'policies') continue;
      const sections = childElements(root).map((e) => e.name);
      const expected = SECTIONS.filter((s) => !fileTags.includes(`section-absent:${s}`));
      expect([file.name, sections]).toEqual([file.name, expected]);
      for (const section of childElements(root)) {
        const hasBase = childElements(section).some((e) => e.name === 'base');
        expect([file.name, section.name, hasBase]).toEqual([
          file.name,
          section.name,
          !fileTags.includes(`no-base:${section.name}`),
        ]);
      }
    }
  });

  it('reads validate-jwt and expressions where the manifest tags them', () => {
    for (const file of files) {
      const fileTags = tags.get(file.name) ?? [];
      const root = parsedOk(file);
      expect([file.name, findElements(root, 'validate-jwt').length > 0]).toEqual([
        file.name,
        fileTags.includes('validate-jwt'),
      ]);
      const hasExpression =
        JSON.stringify(shape(root)).includes('"expression":true') || hasExpressionAttribute(root);
      const tagged = fileTags.includes('expr-inline') || fileTags.includes('expr-block');
      expect([file.name, hasExpression]).toEqual([file.name, tagged]);
    }
  });

  it('reads every file identically as xml after entity-encoding it (the two formats agree)', () => {
    for (const file of files) {
      const root = parsedOk(file);
      const encoded = toXml(root);
      const asXml = parsePolicy(encoded, 'xml');
      expect([file.name, asXml.warnings]).toEqual([file.name, []]);
      expect(shape(asXml.root as PolicyElement)).toEqual(shape(root));
      expect(shape(parsePolicy(encoded, undefined).root as PolicyElement)).toEqual(shape(root));
    }
  });

  it('reads the strictly well-formed files the same way as xml and as rawxml', () => {
    const wellFormed = files.filter((f) => tags.get(f.name)?.includes('wellformed'));
    expect(wellFormed).toHaveLength(26);
    for (const file of wellFormed) {
      const detected = shape(parsedOk(file));
      expect(shape(parsedOk({ ...file, format: 'xml' }))).toEqual(detected);
    }
  });
});

describe('policy corpus: embedded and tree-shaped sources', () => {
  it('parses the policies embedded in ARM templates', () => {
    const samples = armSamples();
    expect(samples.map((s) => s.name)).toEqual([
      'arm/aigateway-foundry-e2e-private-main.json#/variables/apimPolicyXml',
      'arm/aigateway-foundry-e2e-private-main.json#/resources/apimGatewayConnection/properties/template/parameters/policyXml/defaultValue',
      'arm/aigateway-foundry-e2e-private-main.json#/resources/crossRegionOpenAI/properties/template/parameters/policyXml/defaultValue',
      'arm/devopskit-api-httpbin.v1.template.json#/resources/4/properties/policyContent',
    ]);
    for (const sample of samples) expect(parsedOk(sample).name).toBe('policies');
  });

  it('parses every policy.xml of the APIOps artifact tree', () => {
    const files = walkFiles(path.join(CORPUS, 'apiops'), 'policy.xml');
    expect(files).toHaveLength(11);
    const roots = files.map(
      (f) => parsedOk({ name: path.relative(CORPUS, f), text: read(f), format: 'rawxml' }).name,
    );
    expect(roots.filter((r) => r === 'fragment')).toHaveLength(2);
    expect(roots.filter((r) => r === 'policies')).toHaveLength(9);
  });
});

describe('policy corpus: parse time grows linearly', () => {
  it('a document ten times the largest corpus file takes at most ~30x as long', () => {
    const largest = policyFiles().reduce((a, b) => (b.text.length > a.text.length ? b : a));
    const inner = innerOfPolicies(largest.text);
    const big = `<policies>${inner.repeat(10)}</policies>`;
    const once = (text: string) => () => expectDocument(parsePolicy(text, undefined));
    // Typically ~10x; the bound only catches quadratic behaviour (which would be ~100x).
    expect(timeRatio(once(largest.text), once(big), 30)).toBeLessThan(30);
  });
});

function hasExpressionAttribute(root: PolicyElement): boolean {
  const pending = [root];
  for (let e = pending.pop(); e; e = pending.pop()) {
    if (e.attributes.some((a) => /^\s*@[({]/.test(a.value))) return true;
    pending.push(...childElements(e));
  }
  return false;
}

function innerOfPolicies(text: string): string {
  const start = text.indexOf('<policies>') + '<policies>'.length;
  return text.slice(start, text.lastIndexOf('</policies>'));
}

function expectDocument(result: ParsedPolicy): void {
  if (!result.root) throw new Error(result.error?.message ?? 'no root');
}
