/**
 * The checks of one `validate-jwt` / `validate-azure-ad-token` against a decoded token, in the order the gateway
 * makes them (issue 14): where the token is read and its scheme, the signature of a Graph token, lifetime (exp,
 * nbf, clock skew), audience, issuer (explicit, and the one a known Entra openid-config publishes), required claims
 * (`match`, `separator`), client application ids. Pure.
 */
import { attr } from '../../policy/parser';
import type { ValidationConfig } from '../../../rules/support/jwt';

export { audience } from './audience';
export { clientApplication, requiredClaims } from './claims';
export { appOfResource, type CheckContext, type CheckResult, type Outcome } from './common';
export { issuer } from './issuer';
export { lifetime } from './lifetime';
export { signature, tokenLocation } from './location';

/** `failed-validation-httpcode` (default 401). */
export function failureStatus(config: ValidationConfig): string {
  return attr(config.statement.element, 'failed-validation-httpcode')?.trim() || '401';
}
