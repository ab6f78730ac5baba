/**
 * The JSON examples of a rule's doc, for rule tests that assert more about them than test/meta/catalogue.test.ts
 * does. The meta-test already runs every example of every rule (non-compliant fires, compliant is clean), so a
 * rule test needs this only for an extra, rule-specific property.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type Overlay } from './sample';

export interface DocExamples {
  nonCompliant: Overlay[];
  compliant: Overlay[];
}

/** The ```json blocks under `### Non-compliant` and `### Compliant` of rules/<id>.md, read as the meta-test does. */
export function docExamples(ruleId: string): DocExamples {
  const doc = readFileSync(path.join(REPO_ROOT, 'rules', `${ruleId}.md`), 'utf8');
  return {
    nonCompliant: overlaysUnder(doc, '### Non-compliant'),
    compliant: overlaysUnder(doc, '### Compliant'),
  };
}

/** Blocks between the heading and the next heading of level 2 or 3. */
function overlaysUnder(doc: string, heading: string): Overlay[] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) return [];
  const section = doc.slice(start + heading.length + 2).split(/\n#{2,3} /)[0] ?? '';
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as Overlay);
}
