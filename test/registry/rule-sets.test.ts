/**
 * The rule sets keep a gate still across upgrades only if every new built-in rule is placed deliberately: in the
 * latest dated set (and so in `recommended`), or in `NOT_IN_LATEST_RULE_SET` with a reason. This meta-test holds the
 * table in src/registry/rule-sets.ts to that, and to the README and the config schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS } from '../../rules';
import {
  DATED_RULE_SETS,
  inRuleSet,
  LATEST_RULE_SET,
  NOT_IN_LATEST_RULE_SET,
  RULE_SET_NAMES,
} from '../../src/registry/rule-sets';
import { REPO_ROOT } from '../helpers/sample';

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('rule sets', () => {
  it('every built-in rule is in the latest dated set, or deliberately not (with a reason)', () => {
    const latest: readonly string[] = DATED_RULE_SETS[LATEST_RULE_SET];
    const left = Object.keys(NOT_IN_LATEST_RULE_SET);
    expect(sorted([...latest, ...left])).toEqual(sorted(BUILTIN_RULE_IDS));
    expect(latest.filter((id) => left.includes(id))).toEqual([]);
    for (const reason of Object.values(NOT_IN_LATEST_RULE_SET)) expect(reason).toMatch(/\S/);
  });

  it('the dated sets name built-in rules only, each once; the latest is the newest', () => {
    for (const ids of Object.values(DATED_RULE_SETS)) {
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(BUILTIN_RULE_IDS).toContain(id);
    }
    const dated = Object.keys(DATED_RULE_SETS);
    for (const name of dated) expect(name).toMatch(/^\d{4}-\d{2}$/);
    expect(LATEST_RULE_SET).toBe(sorted(dated).at(-1));
  });

  it('2026-12 is frozen: every rule that existed when it was cut', () => {
    expect(sorted(DATED_RULE_SETS['2026-12'])).toEqual(
      sorted([
        'api-oauth-enabled',
        'api-validate-jwt',
        'app-access-token-version',
        'auth-server-grant-types',
        'auth-server-v2-endpoints',
        'backend-scope-exposed',
        'client-api-permission',
        'client-redirect-uri-matches-portal',
        'client-secret-expiry',
        'implicit-grant-disabled',
        'jwt-audience-matches-token-version',
        'jwt-issuer-matches-token-version',
        'jwt-required-scope',
        'jwt-validation-strict',
        'policy-base-inherited',
        'policy-literal-secret',
        'policy-parse-error',
        'redirect-uri-safe',
        'sources-consistent',
      ]),
    );
  });

  it('plugin rules are in every set; no set at all is every rule', () => {
    for (const name of [...RULE_SET_NAMES, undefined]) expect(inRuleSet('acme/https-only', name)).toBe(true);
    for (const id of BUILTIN_RULE_IDS) expect(inRuleSet(id, undefined)).toBe(true);
  });

  it('the README "Rule sets" section and the config schema name every set', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Rule sets')) ?? '';
    for (const name of RULE_SET_NAMES) expect(section).toContain(`\`${name}\``);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schema = require('../../schemas/auditrc.schema.json') as {
      properties: { ruleSet: { examples: string[] } };
    };
    expect(schema.properties.ruleSet.examples).toEqual([...RULE_SET_NAMES]);
  });
});
