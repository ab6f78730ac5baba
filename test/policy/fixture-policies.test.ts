/**
 * The parser on our own policies in the shapes real repositories hold (test/policy/fixtures: rawxml that a
 * strict XML parser rejects, fragments, tabs, a Terraform template) and on the bundled sample snapshots. The same
 * checks run over third-party files in the corpus suite (`npm run test:corpus`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { stripBom } from '../../src/json/positions';
import { childElements, findElements, parsePolicy } from '../../src/policy/parser';
import type { ParsedPolicy, PolicyElement } from '../../src/policy/types';
import { FIXTURE_POLICIES } from '../helpers/policies';
import { invariantProblems, parsedOk, shape, timeRatio, toXml, type Sample } from './helpers';

const REPO = path.resolve(__dirname, '../..');

function fixtures(): Sample[] {
  return readdirSync(FIXTURE_POLICIES)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({
      name: f,
      text: stripBom(readFileSync(path.join(FIXTURE_POLICIES, f), 'utf8')),
      format: undefined,
    }));
}

describe('fixture policies', () => {
  const files = fixtures();

  it('are all read without an error or a warning', () => {
    expect(files.map((f) => [f.name, parsedOk(f).name])).toEqual([
      ['fragment-entra-auth.xml', 'fragment'],
      ['global-forward.xml', 'policies'],
      ['mcp-token.xml', 'policies'],
      ['method-authorization.xml', 'policies'],
      ['rawxml-expressions.xml', 'policies'],
      ['validate-azure-ad-token.xml', 'policies'],
      ['validate-jwt-tabs.xml', 'policies'],
    ]);
  });

  it('include rawxml that a strict XML reading rejects, and read it with the expressions intact', () => {
    const raw = files.find((f) => f.name === 'rawxml-expressions.xml')!;
    // Not well-formed XML: a bare && and quotes and generics inside attribute values.
    expect(raw.text).toMatch(/value="@\([^\n]*&& [^\n]*"1"\)" \/>/);
    expect(raw.text).toContain('GetValueOrDefault<string>("backend-token")');
    const root = parsedOk(raw);
    const variable = findElements(root, 'set-variable')[0];
    expect(variable?.attributes.find((a) => a.name === 'value')?.value).toBe(
      '@(context.Request.IpAddress.StartsWith("10.") && context.Request.Headers.GetValueOrDefault("X-Internal","") == "1")',
    );
    expect(findElements(root, 'send-request')).toHaveLength(1);
    expect(childElements(root).map((e) => e.name)).toEqual(['inbound', 'backend', 'outbound', 'on-error']);
  });

  it('read the same with CRLF line endings and a UTF-8 byte order mark', () => {
    for (const file of files) {
      const crlf = `\ufeff${file.text.replace(/\n/g, '\r\n')}`;
      const root = parsedOk({ ...file, name: `${file.name} (CRLF, BOM)`, text: stripBom(crlf) });
      // Text keeps its line endings as written; the tree is the same.
      const tree = (r: PolicyElement) => JSON.stringify(shape(r)).replace(/\\r\\n/g, '\\n');
      expect([file.name, tree(root)]).toEqual([file.name, tree(parsedOk(file))]);
    }
  });

  it('read identically as xml after entity-encoding (the two formats agree)', () => {
    for (const file of files) {
      const root = parsedOk(file);
      const encoded = toXml(root);
      const asXml = parsePolicy(encoded, 'xml');
      expect([file.name, asXml.warnings]).toEqual([file.name, []]);
      expect(shape(asXml.root as PolicyElement)).toEqual(shape(root));
    }
  });

  it('keep a Terraform template placeholder as text, and its %{ } directives as text between elements', () => {
    const text = readFileSync(path.join(FIXTURE_POLICIES, 'terraform-template.xml.tftpl'), 'utf8');
    const result = parsePolicy(text, 'rawxml');
    expect(invariantProblems(text, result)).toEqual([]);
    const root = result.root as PolicyElement;
    const config = findElements(root, 'openid-config')[0];
    expect(config?.attributes[0]?.value).toBe(
      'https://login.microsoftonline.com/${tenant_id}/v2.0/.well-known/openid-configuration',
    );
    expect(findElements(root, 'audience')).toHaveLength(1);
  });
});

describe('bundled sample snapshots', () => {
  function snapshotSamples(): Sample[] {
    return ['contoso', 'contoso-fixed'].flatMap((example) => {
      const found: Sample[] = [];
      const visit = (value: unknown, pointer: string): void => {
        if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${pointer}/${i}`));
        if (!value || typeof value !== 'object') return;
        const record = value as Record<string, unknown>;
        if (typeof record.value === 'string' && (record.format === 'xml' || record.format === 'rawxml')) {
          found.push({ name: `${example}#${pointer}`, text: record.value, format: record.format });
        }
        for (const [k, v] of Object.entries(record)) visit(v, `${pointer}/${k}`);
      };
      const text = readFileSync(path.join(REPO, 'examples', example, 'snapshot.json'), 'utf8');
      visit(JSON.parse(stripBom(text)), '');
      return found;
    });
  }

  it('parses the policies of both samples', () => {
    // contoso-fixed must read cleanly; contoso is deliberately broken and may hold an unreadable policy for a
    // rule to report, so there every policy only has to end as a tree or a located error.
    const samples = snapshotSamples();
    const fixed = samples.filter((s) => s.name.startsWith('contoso-fixed#'));
    expect(fixed.length).toBeGreaterThanOrEqual(3);
    for (const sample of fixed) expect(['policies', 'fragment']).toContain(parsedOk(sample).name);
    const broken = samples.filter((s) => !s.name.startsWith('contoso-fixed#'));
    expect(broken.length).toBeGreaterThanOrEqual(3);
    for (const sample of broken) {
      expect([sample.name, invariantProblems(sample.text, parsePolicy(sample.text, sample.format))]).toEqual([
        sample.name,
        [],
      ]);
    }
  });
});

describe('parse time', () => {
  it('grows linearly: a document ten times the largest fixture takes at most ~30x as long', () => {
    const largest = fixtures().reduce((a, b) => (b.text.length > a.text.length ? b : a));
    const start = largest.text.indexOf('<policies>') + '<policies>'.length;
    const inner = largest.text.slice(start, largest.text.lastIndexOf('</policies>'));
    const big = `<policies>${inner.repeat(10)}</policies>`;
    const once = (text: string) => () => expectDocument(parsePolicy(text, undefined));
    // Typically ~10x; the bound only catches quadratic behaviour (which would be ~100x).
    expect(timeRatio(once(largest.text), once(big), 30)).toBeLessThan(30);
  });
});

function expectDocument(result: ParsedPolicy): void {
  if (!result.root) throw new Error(result.error?.message ?? 'no root');
}
