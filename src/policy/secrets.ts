/**
 * Literal secrets written into policy text: symmetric keys in `<issuer-signing-keys>` / `<decryption-keys>`, the
 * `password` of `<authentication-basic>`, and the value of a header or query parameter named like a credential
 * (`Ocp-Apim-Subscription-Key`, `Authorization`, `x-api-key`, ...). The `policy-literal-secret` rule reports them,
 * and the engine redacts their values from every message, so that no report quotes one. Named-value references
 * (`{{name}}`, which is how a secret or Key Vault named value is used) and policy expressions are not literals.
 */
import type { Model } from '../model/types';
import { policyTexts } from './effective';
import type { PolicyText } from './fragments';
import { attribute, childElements, elementText, findElementsNamed } from './parser';
import type { PolicyElement } from './types';

export type LiteralSecretKind = 'signing-key' | 'decryption-key' | 'password' | 'header' | 'query-parameter';

export interface LiteralSecret {
  kind: LiteralSecretKind;
  /** The policy or fragment it is written in. */
  text: PolicyText;
  /** The policy element that holds it: `issuer-signing-keys`, `decryption-keys`, `authentication-basic`, `set-header`, ... */
  holder: string;
  /** The header or query parameter's name (`''` for keys and passwords). */
  name: string;
  /** The element that holds it (`<key>`, `<value>`, `<authentication-basic>`). */
  element: PolicyElement;
  /** The secret as the gateway reads it (entities decoded). */
  value: string;
  /** Offset of the element that holds it (`<key>`, `<value>`, `<authentication-basic>`): findings point at it. */
  offset: number;
  /** n-th secret of this kind and holder in the text (0-based), for stable fingerprints. */
  index: number;
}

/** Header and query parameter names that carry credentials. */
const SENSITIVE_NAME = /key|secret|authori[sz]ation|token|password|passw|pwd|credential|signature|sas/i;

const REFERENCE = /\{\{[^{}]+\}\}/;

/** A value written out in the text: not empty, not a named-value reference, not a policy expression. */
export function isLiteral(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && !REFERENCE.test(trimmed) && !/^@[({]/.test(trimmed);
}

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

type Found = Omit<LiteralSecret, 'text' | 'index'>;

/** The elements that can hold a literal secret, by name. */
type Holders = ReadonlyMap<string, readonly PolicyElement[]>;

const HOLDERS = [
  'issuer-signing-keys',
  'decryption-keys',
  'authentication-basic',
  'set-header',
  'check-header',
  'set-query-parameter',
];

function* keyElements(found: Holders): Generator<Found> {
  for (const holder of ['issuer-signing-keys', 'decryption-keys'] as const) {
    for (const keys of found.get(holder) ?? []) {
      for (const key of childElements(keys).filter((k) => k.name === 'key')) {
        const value = elementText(key);
        if (!isLiteral(value)) continue;
        const kind = holder === 'issuer-signing-keys' ? 'signing-key' : 'decryption-key';
        yield { kind, holder, name: '', element: key, value: value.trim(), offset: key.offset };
      }
    }
  }
}

function* passwords(found: Holders): Generator<Found> {
  for (const element of found.get('authentication-basic') ?? []) {
    const password = attribute(element, 'password');
    if (!password || !isLiteral(password.value)) continue;
    const value = password.value.trim();
    yield { kind: 'password', holder: element.name, name: '', element, value, offset: element.offset };
  }
}

function* namedValues(found: Holders): Generator<Found> {
  const holders = [
    ['set-header', 'header'],
    ['check-header', 'header'],
    ['set-query-parameter', 'query-parameter'],
  ] as const;
  for (const [holder, kind] of holders) {
    for (const element of found.get(holder) ?? []) {
      const name = attribute(element, 'name')?.value.trim() ?? '';
      if (!isSensitiveName(name)) continue;
      for (const child of childElements(element).filter((c) => c.name === 'value')) {
        const value = elementText(child);
        if (!isLiteral(value)) continue;
        yield { kind, holder, name, element: child, value: value.trim(), offset: child.offset };
      }
    }
  }
}

/** The literal secrets of one readable policy or fragment text, in document order. */
export function literalSecretsIn(text: PolicyText): LiteralSecret[] {
  if (text.state.kind !== 'parsed') return [];
  return foundIn(text.state.root).map((f) => ({ ...f, text }));
}

/** The secrets of a parsed tree, read once per tree (equal texts share theirs: documents.ts `Readings`). */
const foundInTree = new WeakMap<PolicyElement, (Found & { index: number })[]>();

function foundIn(root: PolicyElement): (Found & { index: number })[] {
  const known = foundInTree.get(root);
  if (known) return known;
  const holders = findElementsNamed(root, HOLDERS);
  const found = [...keyElements(holders), ...passwords(holders), ...namedValues(holders)].sort(
    (a, b) => a.offset - b.offset,
  );
  const seen = new Map<string, number>();
  const indexed = found.map((f) => {
    const group = `${f.holder}|${f.name.toLowerCase()}`;
    const index = seen.get(group) ?? 0;
    seen.set(group, index + 1);
    return { ...f, index };
  });
  foundInTree.set(root, indexed);
  return indexed;
}

/**
 * Every literal secret in the model's policies and fragments (read once, as the effective-policy index reads them,
 * without building the index when no rule asked for it).
 */
export function literalSecrets(model: Model): LiteralSecret[] {
  const { documents, catalog } = policyTexts(model);
  return [...documents, ...catalog.documents].flatMap(literalSecretsIn);
}

/**
 * Every secret value the data holds, for the engine to redact: the policies' literal secrets, and the value of a named
 * value marked secret or backed by Key Vault should a source have kept one (the sources drop them; a snapshot written
 * by hand may not).
 */
export function secretValues(model: Model): string[] {
  const named = model.services
    .flatMap((service) => service.namedValues)
    .filter((nv) => nv.props.secret === true || nv.props.keyVault?.secretIdentifier !== undefined)
    .flatMap((nv) =>
      typeof nv.props.value === 'string' && nv.props.value.trim() !== '' ? [nv.props.value] : [],
    );
  return [...literalSecrets(model).map((s) => s.value), ...named];
}

/** How a report shows a secret: its length, none of its characters. */
export function redacted(value: string): string {
  return `[redacted: ${value.length} characters]`;
}

/**
 * Values shorter than this are reported by `policy-literal-secret` but not searched for in other messages: replacing
 * every `abc` in a report would garble it, and so short a value protects little.
 */
export const MIN_REDACTED_LENGTH = 4;

/** A function that replaces every occurrence of `secrets` in a text with `redacted(...)`; longest first. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((acc, value) => acc.split(value).join(redacted(value)), text);
}
