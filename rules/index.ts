/**
 * The registry of built-in rules. Adding a rule: create rules/<id>.ts, rules/<id>.md and
 * test/rules/<id>.test.ts, then add the id here; the meta-tests fail until all four agree.
 */
import type { AnyRule } from './support/contract';
import authServerV2Endpoints from './auth-server-v2-endpoints';
import appAccessTokenVersion from './app-access-token-version';
import clientRedirectUriMatchesPortal from './client-redirect-uri-matches-portal';
import backendScopeExposed from './backend-scope-exposed';
import apiOauthEnabled from './api-oauth-enabled';
import clientSecretExpiry from './client-secret-expiry';
import clientApiPermission from './client-api-permission';
import authServerGrantTypes from './auth-server-grant-types';
import redirectUriSafe from './redirect-uri-safe';
import implicitGrantDisabled from './implicit-grant-disabled';
import apiValidateJwt from './api-validate-jwt';
import jwtAudienceMatchesTokenVersion from './jwt-audience-matches-token-version';
import jwtIssuerMatchesTokenVersion from './jwt-issuer-matches-token-version';
import jwtRequiredScope from './jwt-required-scope';
import jwtValidationStrict from './jwt-validation-strict';
import policyBaseInherited from './policy-base-inherited';
import policyParseError from './policy-parse-error';
import policyLiteralSecret from './policy-literal-secret';
import sourcesConsistent from './sources-consistent';

export const BUILTIN_RULE_IDS = [
  'auth-server-v2-endpoints',
  'app-access-token-version',
  'client-redirect-uri-matches-portal',
  'backend-scope-exposed',
  'api-oauth-enabled',
  'client-secret-expiry',
  'client-api-permission',
  'auth-server-grant-types',
  'redirect-uri-safe',
  'implicit-grant-disabled',
  'api-validate-jwt',
  'jwt-audience-matches-token-version',
  'jwt-issuer-matches-token-version',
  'jwt-required-scope',
  'jwt-validation-strict',
  'policy-base-inherited',
  'policy-parse-error',
  'policy-literal-secret',
  'sources-consistent',
] as const;

export type BuiltinRuleId = (typeof BUILTIN_RULE_IDS)[number];

export const builtinRules: Readonly<Record<BuiltinRuleId, AnyRule>> = {
  'auth-server-v2-endpoints': authServerV2Endpoints,
  'app-access-token-version': appAccessTokenVersion,
  'client-redirect-uri-matches-portal': clientRedirectUriMatchesPortal,
  'backend-scope-exposed': backendScopeExposed,
  'api-oauth-enabled': apiOauthEnabled,
  'client-secret-expiry': clientSecretExpiry,
  'client-api-permission': clientApiPermission,
  'auth-server-grant-types': authServerGrantTypes,
  'redirect-uri-safe': redirectUriSafe,
  'implicit-grant-disabled': implicitGrantDisabled,
  'api-validate-jwt': apiValidateJwt,
  'jwt-audience-matches-token-version': jwtAudienceMatchesTokenVersion,
  'jwt-issuer-matches-token-version': jwtIssuerMatchesTokenVersion,
  'jwt-required-scope': jwtRequiredScope,
  'jwt-validation-strict': jwtValidationStrict,
  'policy-base-inherited': policyBaseInherited,
  'policy-parse-error': policyParseError,
  'policy-literal-secret': policyLiteralSecret,
  'sources-consistent': sourcesConsistent,
};
