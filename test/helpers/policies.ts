/**
 * Test helpers for policies: policy documents built from sections, the fixed sample with policies patched in,
 * models that keep their inventory (for file positions), finding locations as the engine computes them, and the
 * real-world policies of the shared corpus.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { locate, locateTextOffset } from '../../src/engine/locate';
import type { Location, Violation } from '../../src/engine/types';
import type { Inventory } from '../../src/inventory/types';
import { normalize } from '../../src/model/normalize';
import type { Model } from '../../src/model/types';
import { parseSnapshot } from '../../src/sources/snapshot';
import { applyOverlay, loadSampleDoc, REPO_ROOT, type Overlay, type SnapshotDoc } from './sample';

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

/** The fixed sample's global validate-jwt, for tests that move it between scopes. */
export const VALIDATE_JWT =
  '<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401">' +
  '<openid-config url="https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration" />' +
  '<audiences><audience>6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d</audience></audiences>' +
  '<issuers><issuer>https://login.microsoftonline.com/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/v2.0</issuer></issuers>' +
  '<required-claims><claim name="scp" match="any" separator=" "><value>Colors.Read</value></claim></required-claims>' +
  '</validate-jwt>';

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

export const CORPUS_POLICIES = path.resolve(REPO_ROOT, '../shared/corpus/policies');

/** A real-world policy of the shared corpus, as published (BOM removed). */
export function corpusPolicy(file: string): string {
  return readFileSync(path.join(CORPUS_POLICIES, file), 'utf8').replace(/^\ufeff/, '');
}
