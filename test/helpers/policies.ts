/**
 * Test helpers for policies: policy documents built from sections, the fixed sample with policies patched in,
 * models that keep their inventory (for file positions), finding locations as the engine computes them, and the
 * our own fixture policies (test/policy/fixtures).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { locate, locateTextOffset } from '../../src/engine/locate';
import type { AnyRule, RuleOutput, Violation } from '../../rules/support/contract';
import type { Location } from '../../src/engine/types';
import type { Inventory } from '../../src/inventory/types';
import { normalize } from '../../src/model/normalize';
import type { Model } from '../../src/model/types';
import { parseSnapshot, SNAPSHOT_KIND } from '../../src/sources/snapshot';
import {
  applyOverlay,
  BACKEND_APP_ID,
  loadSampleDoc,
  REPO_ROOT,
  runRule,
  TENANT_ID,
  type Overlay,
  type SnapshotDoc,
} from './sample';

export type Sections = Partial<Record<'inbound' | 'backend' | 'outbound' | 'on-error', string>>;

/** A `<policies>` document: sections not given hold `<base />`; sections in `omit` are left out entirely. */
export function policyXml(sections: Sections, omit: (keyof Sections)[] = []): string {
  const names: (keyof Sections)[] = ['inbound', 'backend', 'outbound', 'on-error'];
  const body = names
    .filter((n) => !omit.includes(n))
    .map((n) => `  <${n}>\n    ${sections[n] ?? '<base />'}\n  </${n}>`)
    .join('\n');
  return `<policies>\n${body}\n</policies>`;
}

export function rawxml(value: string): { format: 'rawxml'; value: string } {
  return { format: 'rawxml', value };
}

/** The parts of the fixed sample's global validate-jwt: its metadata, audience and required scope. */
export const SAMPLE_OPENID_CONFIG =
  '<openid-config url="https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration" />';
export const SAMPLE_AUDIENCES = `<audiences><audience>${BACKEND_APP_ID}</audience></audiences>`;
export const SAMPLE_SCOPE_CLAIM =
  '<required-claims><claim name="scp" match="any" separator=" "><value>Colors.Read</value></claim></required-claims>';

/** `<required-claims>` with one claim and its values (`match="any" separator=" "` unless other attributes). */
export function requiredClaims(
  name: string,
  values: string[],
  attributes = 'match="any" separator=" "',
): string {
  return `<required-claims><claim name="${name}" ${attributes}>${values.map((v) => `<value>${v}</value>`).join('')}</claim></required-claims>`;
}

/** An exposed delegated permission (`api.oauth2PermissionScopes` entry) named `value`. */
export function permissionScope(value: string, isEnabled = true) {
  return {
    id: `00000000-0000-0000-0000-${value.length.toString().padStart(12, '0')}`,
    value,
    type: 'User',
    isEnabled,
    adminConsentDisplayName: value,
    adminConsentDescription: value,
  };
}

/** The fixed sample's global validate-jwt, for tests that move it between scopes. */
export const VALIDATE_JWT =
  '<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401">' +
  SAMPLE_OPENID_CONFIG +
  SAMPLE_AUDIENCES +
  `<issuers><issuer>https://login.microsoftonline.com/${TENANT_ID}/v2.0</issuer></issuers>` +
  SAMPLE_SCOPE_CLAIM +
  '</validate-jwt>';

/**
 * The fixed sample with a global policy that validates tokens with `<validate-jwt header-name="Authorization"
 * require-scheme="Bearer"{attributes}>{body}</validate-jwt>` and forwards the request; `service` patches the
 * service beside it.
 */
export function withGlobalValidateJwt(
  body: string,
  attributes = '',
  service: Record<string, unknown> = {},
): Overlay {
  return {
    service: {
      policy: rawxml(
        policyXml({
          inbound: `<validate-jwt header-name="Authorization" require-scheme="Bearer"${attributes}>${body}</validate-jwt>`,
          backend: '<forward-request />',
        }),
      ),
      ...service,
    },
  };
}

/** The operations of the fixed sample's API, for tests that give them policies. */
export const GET_COLORS_OPERATION = {
  name: 'get-colors',
  properties: { displayName: 'Get colors', method: 'GET', urlTemplate: '/colors' },
};
const GET_RANDOM_COLOR_OPERATION = {
  name: 'get-random-color',
  properties: { displayName: 'Get random color', method: 'GET', urlTemplate: '/colors/random' },
};

/** The fixed sample's API (patched with `api`) whose operation get-random-color has the policy `policy`. */
export function withRandomColorPolicy(policy: unknown, api: Record<string, unknown> = {}): Overlay {
  return {
    api: { ...api, operations: [GET_COLORS_OPERATION, { ...GET_RANDOM_COLOR_OPERATION, policy }] },
  };
}

export interface Loaded {
  doc: SnapshotDoc;
  /** The JSON text the positions refer to (as `snapshot.json`). */
  text: string;
  inventory: Inventory;
  model: Model;
}

export function load(doc: SnapshotDoc): Loaded {
  const text = JSON.stringify(doc, null, 2);
  const inventory = parseSnapshot(text, 'snapshot.json');
  return { doc, text, inventory, model: normalize(inventory) };
}

/** The fixed sample (or `which`) with an overlay applied, loaded with positions. */
export function loadWith(
  overlay: Overlay = {},
  which: 'contoso' | 'contoso-fixed' = 'contoso-fixed',
): Loaded {
  return load(applyOverlay(loadSampleDoc(which), overlay));
}

/**
 * `run(overlay, options, which)` for one policy rule: the sample (overlay applied) loaded with positions, and the
 * rule's outputs on it, so that tests can check where findings point.
 */
export function loadedRunnerFor(rule: AnyRule) {
  return (
    overlay: Overlay = {},
    options: Record<string, unknown> = {},
    which: 'contoso' | 'contoso-fixed' = 'contoso-fixed',
  ): Loaded & { outputs: RuleOutput[] } => {
    const loaded = loadWith(overlay, which);
    return { ...loaded, outputs: runRule(rule, loaded.model, options) };
  };
}

/** Where the engine puts a violation: its text offset inside the policy text, else entity + path. */
export function locationOf(v: Violation, inventory: Inventory): Location {
  return (
    (v.textOffset && locateTextOffset(v.textOffset, inventory.files)) ??
    locate(v.entity, v.path, inventory.files)
  );
}

/**
 * 1-based line/column of the `occurrence`-th match of `needle` in the raw JSON text: what a finding on that
 * element must report. `needle` is written as it appears in the JSON (quotes escaped as `\"`).
 */
export function positionInJson(text: string, needle: string, occurrence = 0): Location {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${occurrence + 1} times`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { file: 'snapshot.json', line, column: at - before.lastIndexOf('\n') };
}

/**
 * Line and column of the `occurrence`-th match of `needle` in a RuleTester input as the tester writes it
 * (`kind` and `version` first, indented by two): where a RuleTester case expects a finding inside a policy text.
 */
export function positionInInput(
  input: Record<string, unknown>,
  needle: string,
  occurrence = 0,
): { line: number; column: number } {
  const text = JSON.stringify({ kind: SNAPSHOT_KIND, version: 1, ...input }, null, 2);
  const { line, column } = positionInJson(text, needle, occurrence);
  return { line: line!, column: column! };
}

/** Our own policy documents in the shapes real repositories hold (rawxml quirks, fragments, templates). */
export const FIXTURE_POLICIES = path.resolve(REPO_ROOT, 'test/policy/fixtures');

/** One of our own fixture policies (BOM removed). */
export function fixturePolicy(file: string): string {
  return readFileSync(path.join(FIXTURE_POLICIES, file), 'utf8').replace(/^\ufeff/, '');
}
