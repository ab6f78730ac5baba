/**
 * `npm run docs:rules`: regenerates the rule table in README.md from the rules' metadata.
 * A test fails when the committed table is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinRegistry } from '../registry';
import { packageRoot } from '../util/package-root';
import { rulesMarkdownTable, withRulesTable } from './rules-table';

export function renderReadme(readme: string): string {
  return withRulesTable(readme, rulesMarkdownTable(builtinRegistry().rules));
}

if (require.main === module) {
  const file = path.join(packageRoot(), 'README.md');
  writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
  process.stdout.write('README.md rule table updated\n');
}
