/**
 * What the checks of one token validation share: their result type, the context they read, and how they quote
 * values. A message names only the claims of `NAMED_CLAIMS` with their values; another claim is named, its value
 * never shown (`shown`).
 */
import { appIdInResource, resourceKey } from '../../entra/endpoints';
import type { App, Model } from '../../model/types';
import type { ResolvedValue } from '../../policy/named-values';
import type { ValueElement } from '../../../rules/support/jwt';
import { claimValues, isNamedClaim, tokenVersion, type DecodedToken } from '../decode';

export type Outcome = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  check:
    | 'token-location'
    | 'signature'
    | 'lifetime'
    | 'audience'
    | 'issuer'
    | 'required-claim'
    | 'client-application';
  outcome: Outcome;
  /** The runtime error a failure causes: the code (IDX...) and the APIM reason, when known. */
  error?: string;
  message: string;
  fix?: string;
}

export interface CheckContext {
  model: Model;
  token: DecodedToken;
  /** The header the request sends the token in, as given (`Authorization`). */
  header: string;
  now: Date;
}

export const q = (s: string) => `'${s}'`;
export const list = (values: readonly string[]) => values.map(q).join(', ');

/** The token's claim, for messages: the value when the claim is a named one, else only its name. */
export function shown(ctx: CheckContext, name: string): string {
  const values = claimValues(ctx.token.claims, name);
  if (values === undefined) return `no ${name} claim`;
  return isNamedClaim(name) ? `${name} ${list(values)}` : `a ${name} claim (value not shown)`;
}

export function versionText(ctx: CheckContext): string {
  const v = tokenVersion(ctx.token.claims);
  return v === undefined ? 'a token of unknown version' : `a v${v}.0 token`;
}

/** The app registration a resource identifier (an aud, an audience) belongs to, when the sources hold it. */
export function appOfResource(model: Model, resource: string): App | undefined {
  const guid = appIdInResource(resource);
  if (guid) {
    const app = model.appsByAppId.get(guid);
    if (app) return app;
  }
  const key = resourceKey(resource);
  return model.applications.find((a) => a.identifierUris.some((u) => resourceKey(u) === key));
}

/** A list of policy values compared with the token's: pass / fail / unknown (an opaque value might match). */
export function compareList(
  values: readonly ValueElement[],
  accepted: (value: string) => boolean,
): { outcome: Outcome; opaque: ResolvedValue[] } {
  const opaque = values.filter((v) => v.value.opaque).map((v) => v.value);
  if (values.some((v) => !v.value.opaque && accepted(v.value.value))) return { outcome: 'pass', opaque };
  return { outcome: opaque.length > 0 ? 'unknown' : 'fail', opaque };
}

export function opaqueReason(opaque: readonly ResolvedValue[]): string {
  const names = opaque.flatMap((o) => o.references.filter((r) => r.status !== 'resolved').map((r) => r.name));
  if (names.length > 0) {
    return `named value${names.length > 1 ? 's' : ''} ${list([...new Set(names)])} ${names.length > 1 ? 'are' : 'is'} not known offline (secret, Key Vault, an expression or not in the sources)`;
  }
  return 'a policy expression decides it at run time';
}

/** Stands for a value that is not known (a clock-skew whose reference is missing). */
export const emptyValue: ResolvedValue = {
  raw: '',
  value: '',
  references: [],
  expression: true,
  opaque: true,
};
