/**
 * Where the validation reads the token (header, query parameter, token-value) and its scheme; a Microsoft Graph
 * token, whose signature no one but Graph can validate.
 */
import { resolvedAttribute, type ValidationConfig } from '../../../rules/support/jwt';
import { opaqueReason, type CheckContext, type CheckResult } from './common';

/** Where the validation reads the token, and whether the request's header reaches it. */
export function tokenLocation(config: ValidationConfig, ctx: CheckContext): CheckResult {
  const { element, source } = config.statement;
  const query = resolvedAttribute(source, element, 'query-parameter-name');
  const tokenValue = resolvedAttribute(source, element, 'token-value');
  const headerName =
    resolvedAttribute(source, element, 'header-name') ??
    (config.kind === 'validate-azure-ad-token' && !query && !tokenValue
      ? { value: 'Authorization', opaque: false, raw: 'Authorization', references: [], expression: false }
      : undefined);
  const sent = ctx.header;
  if (tokenValue) {
    const reads = /Headers\s*\.\s*GetValueOrDefault\s*\(\s*"([^"]+)"/.exec(tokenValue.value)?.[1];
    if (reads && reads.toLowerCase() === sent.toLowerCase()) {
      return { check: 'token-location', outcome: 'pass', message: `token-value reads the ${sent} header` };
    }
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: 'token-value is a policy expression: which value it validates is decided at run time',
    };
  }
  if (query && !headerName) {
    return {
      check: 'token-location',
      outcome: 'fail',
      error: 'TokenNotPresent ("JWT not present.")',
      message: `it reads the token from the query parameter '${query.value}', and the request sends it in the ${sent} header`,
      fix: `Send the token as the query parameter '${query.value}', or set header-name="${sent}" on the ${config.kind} (the authorization server's bearerTokenSendingMethods says where the test console sends it).`,
    };
  }
  if (!headerName) {
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: 'it names neither header-name, query-parameter-name nor token-value',
    };
  }
  if (headerName.opaque) {
    return {
      check: 'token-location',
      outcome: 'unknown',
      message: `header-name: ${opaqueReason([headerName])}`,
    };
  }
  if (headerName.value.toLowerCase() !== sent.toLowerCase()) {
    return {
      check: 'token-location',
      outcome: 'fail',
      error: 'TokenNotPresent ("JWT not present.")',
      message: `it reads the token from the ${headerName.value} header, and the request sends it in ${sent}`,
      fix: `Send the token in the ${headerName.value} header${headerName.value.toLowerCase() === 'authorization' ? ' as "Bearer <token>"' : ' (without a Bearer prefix)'}, or set header-name="${sent}".`,
    };
  }
  const scheme =
    config.kind === 'validate-jwt' ? resolvedAttribute(source, element, 'require-scheme') : undefined;
  const sentScheme = sent.toLowerCase() === 'authorization' ? 'Bearer' : undefined;
  if (scheme && !scheme.opaque && scheme.value !== '' && sentScheme !== undefined) {
    if (scheme.value.toLowerCase() !== sentScheme.toLowerCase()) {
      return {
        check: 'token-location',
        outcome: 'fail',
        error: 'JwtInvalid (scheme not allowed)',
        message: `require-scheme is '${scheme.value}', and the request sends "Bearer <token>"`,
        fix: `Set require-scheme="Bearer" (the scheme OAuth 2.0 clients send), or send "${scheme.value} <token>".`,
      };
    }
  }
  return { check: 'token-location', outcome: 'pass', message: `reads the ${sent} header` };
}

/** A Microsoft Graph token (a `nonce` in its header) fails signature validation anywhere but at Graph. */
export function signature(ctx: CheckContext): CheckResult | undefined {
  if (!ctx.token.graphNonce) return undefined;
  return {
    check: 'signature',
    outcome: 'fail',
    error: 'IDX10511 (TokenSignatureInvalid)',
    message:
      'the token header has a nonce: it is a Microsoft Graph token, whose signature only Graph can validate',
    fix: "Request a token for the API, not for Graph: the authorization server's defaultScope (or the client's scope) must be api://<backend appId>/<scope>.",
  };
}
