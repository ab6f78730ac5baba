/**
 * Keeps the rule catalogue honest in both directions: rule files == registry == docs == tests, docs have the
 * house sections, doc examples are executed, and the README table is generated from the metadata.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { renderReadme } from '../../src/cli/generate-readme';
import { docExamples } from '../helpers/doc-examples';
import {
  applyOverlay,
  buildModel,
  loadSampleDoc,
  notEvaluatedOutputs,
  REPO_ROOT,
  runRule,
  violations,
} from '../helpers/sample';

const sorted = (values: Iterable<string>) => [...values].sort();
const ruleFiles = sorted(
  readdirSync(path.join(REPO_ROOT, 'rules'))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, '')),
);
const docFiles = sorted(
  readdirSync(path.join(REPO_ROOT, 'rules'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.replace(/\.md$/, '')),
);
/** Rule tests, one per rule; `message-shape-*` tests check the findings of several rules (issue 15) and are not one. */
const testFiles = sorted(
  readdirSync(path.join(REPO_ROOT, 'test/rules'))
    .filter((f) => f.endsWith('.test.ts') && !f.startsWith('message-shape-'))
    .map((f) => f.replace(/\.test\.ts$/, '')),
);

const REQUIRED_SECTIONS = [
  '## Why',
  '## Errors it prevents',
  '## Remediation',
  '### Azure portal',
  '### Azure CLI',
  '### Bicep / ARM',
  '### Terraform',
  '### APIOps',
  '## Examples',
  '### Non-compliant',
  '### Compliant',
  '## Options',
  '## References',
];

function docOf(id: string): string {
  return readFileSync(path.join(REPO_ROOT, 'rules', `${id}.md`), 'utf8');
}

describe('rule catalogue', () => {
  it('rule files == registry == docs == tests', () => {
    expect(sorted(BUILTIN_RULE_IDS)).toEqual(ruleFiles);
    expect(docFiles).toEqual(ruleFiles);
    expect(testFiles).toEqual(ruleFiles);
  });

  it.each(BUILTIN_RULE_IDS)('%s: registry key matches the rule id, metadata complete', (id) => {
    const rule = builtinRules[id];
    expect(rule.id).toBe(id);
    expect(rule.meta.title.length).toBeGreaterThan(10);
    expect(rule.meta.tags.length).toBeGreaterThan(0);
    if (rule.meta.tags.includes('security')) expect(rule.meta.securitySeverity).toBeGreaterThan(0);
  });

  it.each(BUILTIN_RULE_IDS)('%s: doc has the house sections in order and names runtime errors', (id) => {
    const doc = docOf(id);
    expect(doc.startsWith('# ')).toBe(true);
    let cursor = 0;
    for (const section of REQUIRED_SECTIONS) {
      const at = doc.indexOf(`\n${section}\n`, cursor);
      expect({ section, found: at >= 0 }).toEqual({ section, found: true });
      cursor = at;
    }
    const errors = doc.slice(doc.indexOf('## Errors it prevents'), doc.indexOf('## Remediation'));
    expect(errors).toMatch(/AADSTS\d+|IDX\d+|401|developer portal/i);
  });

  it.each(BUILTIN_RULE_IDS)(
    '%s: doc examples are executed (non-compliant fires, compliant is clean)',
    (id) => {
      const rule = builtinRules[id];
      const { nonCompliant: bad, compliant: good } = docExamples(id);
      expect(bad.length).toBeGreaterThan(0);
      expect(good.length).toBeGreaterThan(0);
      const fixed = loadSampleDoc();
      for (const overlay of bad) {
        const outputs = runRule(rule, buildModel(applyOverlay(fixed, overlay)));
        expect({ overlay, fires: violations(outputs).length > 0 }).toEqual({ overlay, fires: true });
      }
      for (const overlay of good) {
        const outputs = runRule(rule, buildModel(applyOverlay(fixed, overlay)));
        expect({ overlay, outputs }).toEqual({ overlay, outputs: [] });
      }
      expect(notEvaluatedOutputs(runRule(rule, buildModel(fixed)))).toEqual([]);
    },
  );

  it('the README rule table is generated from the metadata (run `npm run docs:rules` when this fails)', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(renderReadme(readme)).toBe(readme);
  });
});
