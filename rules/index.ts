/**
 * The registry of built-in rules, in the order the engine runs them (and reports list them). Adding a rule:
 * create rules/<id>.ts, rules/<id>.md and test/rules/<id>.test.ts, then add the rule to `BUILTIN_RULES`; its id
 * comes from the rule itself (`defineRule` keeps it as a literal type), and the meta-tests fail until all four
 * agree.
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

export const BUILTIN_RULES = [
  authServerV2Endpoints,
  appAccessTokenVersion,
  clientRedirectUriMatchesPortal,
  backendScopeExposed,
  apiOauthEnabled,
  clientSecretExpiry,
  clientApiPermission,
  authServerGrantTypes,
  redirectUriSafe,
  implicitGrantDisabled,
  apiValidateJwt,
  jwtAudienceMatchesTokenVersion,
  jwtIssuerMatchesTokenVersion,
  jwtRequiredScope,
  jwtValidationStrict,
  policyBaseInherited,
  policyParseError,
  policyLiteralSecret,
  sourcesConsistent,
] as const;

export type BuiltinRuleId = (typeof BUILTIN_RULES)[number]['id'];

export const BUILTIN_RULE_IDS: readonly BuiltinRuleId[] = BUILTIN_RULES.map((rule) => rule.id);

/** The built-in rules by id. */
export const builtinRules = Object.fromEntries(BUILTIN_RULES.map((rule) => [rule.id, rule])) as Readonly<
  Record<BuiltinRuleId, AnyRule>
>;
