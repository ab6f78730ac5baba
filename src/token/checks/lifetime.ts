/**
 * exp and nbf against `--now`, with the validation's clock-skew (default 0) and require-expiration-time.
 */
import { resolvedAttribute, type ValidationConfig } from '../../../rules/support/jwt';
import { dateClaim } from '../decode';
import { emptyValue, opaqueReason, type CheckContext, type CheckResult } from './common';

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** exp and nbf against `now`, with the validation's clock skew. */
export function lifetime(config: ValidationConfig, ctx: CheckContext): CheckResult[] {
  const { element, source } = config.statement;
  const skewValue =
    config.kind === 'validate-jwt' ? resolvedAttribute(source, element, 'clock-skew') : undefined;
  const skewKnown = !skewValue || (!skewValue.opaque && /^\d+$/.test(skewValue.value));
  const skew = skewValue && skewKnown ? Number(skewValue.value) : 0;
  const requireExp =
    config.kind === 'validate-jwt'
      ? (resolvedAttribute(source, element, 'require-expiration-time')?.value ?? 'true').toLowerCase() !==
        'false'
      : true;
  const now = ctx.now.getTime() / 1000;
  const exp = dateClaim(ctx.token.claims, 'exp');
  const nbf = dateClaim(ctx.token.claims, 'nbf');
  const at = `at ${ctx.now.toISOString()}${skew > 0 ? ` (clock-skew ${skew} s)` : ''}`;
  const results: CheckResult[] = [];
  const unknownSkew = (r: CheckResult): CheckResult =>
    skewKnown
      ? r
      : {
          ...r,
          outcome: 'unknown',
          message: `${r.message}; clock-skew: ${opaqueReason([skewValue ?? emptyValue])}`,
        };
  if (exp === undefined) {
    if (requireExp) {
      results.push({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10225 (the token has no expiration time)',
        message: 'the token has no exp claim, and require-expiration-time is true (the default)',
        fix: 'Send an access token issued by Entra (it always has exp); set require-expiration-time="false" only for tokens that never expire, which Entra does not issue.',
      });
    }
  } else if (now > exp + skew) {
    results.push(
      unknownSkew({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10223 (TokenExpired)',
        message: `the token expired: exp ${isoSeconds(exp)}, ${at}`,
        fix: 'Get a new token (sign in again in the test console, or let the client refresh it); if fresh tokens fail too, compare the gateway and client clocks (--now sets the instant checked).',
      }),
    );
  }
  if (nbf !== undefined && now + skew < nbf) {
    results.push(
      unknownSkew({
        check: 'lifetime',
        outcome: 'fail',
        error: 'IDX10222 (the token is not yet valid)',
        message: `the token is not valid yet: nbf ${isoSeconds(nbf)}, ${at}`,
        fix: 'Compare the clocks of the client, Entra and the gateway; a clock-skew of a few minutes on validate-jwt absorbs small differences.',
      }),
    );
  }
  if (results.length === 0) {
    results.push({
      check: 'lifetime',
      outcome: 'pass',
      message: exp !== undefined ? `valid until ${isoSeconds(exp)} ${at}` : 'no exp, and none is required',
    });
  }
  return results;
}
