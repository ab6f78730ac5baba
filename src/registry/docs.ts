/**
 * Rule docs: the markdown next to each rule (`rules/<id>.md`, or `<rule-id>.md` next to a plugin module) and where
 * it is published. Read here, at the I/O edge, so that the engine and the reporters stay pure.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../util/package-root';

export interface RuleDoc {
  docs?: string;
  helpUri?: string;
}

const REPOSITORY = 'https://github.com/apim-oauth-audit/apim-oauth-audit';

function readIfPresent(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The doc of a built-in rule: `rules/<id>.md` of this package, published in the repository. */
export function builtinRuleDoc(id: string): RuleDoc {
  const docs = readIfPresent(path.join(packageRoot(), 'rules', `${id}.md`));
  return { helpUri: `${REPOSITORY}/blob/main/rules/${id}.md`, ...(docs !== undefined ? { docs } : {}) };
}

/** The doc of a plugin rule: `<rule-id>.md` (its id without the plugin name) next to the plugin module. */
export function pluginRuleDoc(pluginFile: string, localId: string): RuleDoc {
  const docs = readIfPresent(path.join(path.dirname(pluginFile), `${localId}.md`));
  return docs !== undefined ? { docs } : {};
}
