/**
 * What "OAuth on the API" means for a gate. An API that validates Entra ID tokens declares OAuth 2.0 / OpenID
 * Connect user authorization (else the developer portal's test console cannot get a token for it: warning); the
 * APIs named by the `protect` option must declare it and validate tokens (errors); a reference names a server or
 * provider that exists. An API that validates no token is not an OAuth API and gets no finding by default.
 *
 * Whether a referenced server exists rests on the service's server collection: a source that does not carry it
 * (APIOps) leaves it unknown, and the engine reports the check as not evaluated (src/inventory/collections.ts).
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import { isEntraLoginHost } from '../src/entra/endpoints';
import { unknownIn } from '../src/model/unknown';
import type { Api, AuthReference, AuthServer, Evidence, OpenIdProvider } from '../src/model/types';
import {
  allStatements,
  type CallPath,
  type EffectiveStatement,
  type OperationPolicy,
  type Unreadable,
} from '../src/policy/effective';
import { describeUnreadable } from './support/policy-texts';
import { currentOperations, describeSource, listNames, readValidation, statementEntity } from './support/jwt';
import { inboundReach, tokenVerdict } from './support/validation-verdict';
import { clip, fit, fitList } from './support/message';

export interface ApiOauthEnabledOptions {
  /** APIs (name or path, glob `*`) that must be OAuth-protected: missing OAuth and missing validation are errors. */
  protect: string[];
  /** APIs (name or path, glob `*`) that are not checked at all. */
  exclude: string[];
}

const AUTH_SETTINGS = 'properties/authenticationSettings';

/** Where user authorization is set, per source kind (one clause, for fix texts). */
const SETTING_FORMS =
  'authenticationSettings.oAuth2 { authorizationServerId, scope } in an APIOps apiInformation.json, ' +
  'authenticationSettings.oAuth2AuthenticationSettings in ARM/Bicep, an oauth2_authorization block in Terraform, ' +
  'or Settings > Security > User authorization in the portal';

/** Case-insensitive glob where `*` matches any run of characters (API names are case-insensitive in ARM). */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\/+/, '')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether a pattern names the API by its resource name or its URL path (leading `/` ignored). */
function matches(api: Api, patterns: RegExp[]): boolean {
  const apiPath = (api.props.path ?? '').replace(/^\/+/, '');
  return patterns.some((p) => p.test(api.name) || (apiPath !== '' && p.test(apiPath)));
}

/** `API 'name' (revision n)`, the name passed through `name` (a message shortens it when it must). */
function describeApi(api: Api, name: (value: string) => string = (v) => v): string {
  return `API '${name(api.name)}' (revision ${api.revision})`;
}

function existing(names: string[]): string {
  return names.length === 0 ? 'none exist' : `existing: ${fitList(names, 60)}`;
}

/** Why an API without user authorization fails in the developer portal. */
const NO_TOKEN_IN_CONSOLE =
  "Without user authorization the developer portal's test console does not offer to get a token for the API, so " +
  'its test calls carry no token and fail with 401 (JWT not present).';

const SET_AUTHORIZATION = `Set the API's user authorization to an authorization server (${SETTING_FORMS})`;

// ----- references -----------------------------------------------------------------------------------------

/** A reference whose server or provider is not in the data; the engine abstains when the collection is unknown. */
function missingTarget(api: Api, ref: AuthReference<AuthServer> | AuthReference<OpenIdProvider>): RuleOutput {
  const server = ref.collection === 'authorizationServers';
  const what = server ? 'authorization server' : 'OpenID Connect provider';
  const names = server
    ? api.service.authorizationServers.map((s) => s.name)
    : api.service.openidProviders.map((p) => p.name);
  return violation(
    api,
    fit((n) => [
      `${describeApi(api, n)} references ${what} '${n(ref.ref)}', which does not exist in service '${n(api.service.name)}' ` +
        `(${existing(names)}); expected an existing ${what}.`,
      `${describeApi(api, n)} references ${what} '${clip(n(ref.ref), 60)}', which does not exist in service ` +
        `'${clip(n(api.service.name), 40)}'; expected an existing ${what}.`,
    ]),
    {
      path: ref.path,
      key: `${server ? 'oauth2' : 'openid'}:${ref.ref}`,
      evidence: [{ collection: ref.collection, parent: api.service }],
      detail:
        `The ${what} cannot be found, so the developer portal's test console cannot get a token for the API and ` +
        'its test calls fail with 401 (JWT not present); a deployment of the API that names it may be rejected too.',
      // Which server the user meant is not known: described, not applied.
      fix: { text: `Reference an existing ${what} (${existing(names)}), or create '${ref.ref}'.` },
    },
  );
}

// ----- token validation of an API ---------------------------------------------------------------------------

/** What the effective inbound policies of an API's current operations do with tokens. */
interface ApiTokens {
  /** Validations on call paths that validate every request. */
  validations: EffectiveStatement[];
  /** Call paths that run no unconditional validation (none at all, or only under a condition). */
  unvalidated: { op: OperationPolicy; path: CallPath }[];
  unreadable: Unreadable[];
}

function tokensOf(ops: readonly OperationPolicy[]): ApiTokens {
  const result: ApiTokens = { validations: [], unvalidated: [], unreadable: [] };
  for (const op of ops) {
    for (const path of op.paths) {
      const verdict = tokenVerdict(path);
      if (verdict.kind === 'ok') {
        const found = allStatements(path.sections.inbound.statements).filter(
          (s) => s.element.name === 'validate-jwt' || s.element.name === 'validate-azure-ad-token',
        );
        for (const s of found) if (!result.validations.includes(s)) result.validations.push(s);
      } else if (verdict.kind === 'none' || verdict.kind === 'conditional') {
        result.unvalidated.push({ op, path });
      } else if (verdict.kind === 'unknown') {
        result.unreadable.push(...verdict.unreadable.filter((u) => !result.unreadable.includes(u)));
      }
      // `lost` (a dropped <base />): api-validate-jwt reports it on every API.
    }
  }
  return result;
}

const STS_HOSTS = ['sts.windows.net', 'sts.chinacloudapi.cn'];

/** Whether a validation accepts Entra ID tokens: `unknown` when its issuer side is not known offline. */
function issuerSide(statement: EffectiveStatement): 'entra' | 'other' | 'unknown' {
  if (statement.element.name === 'validate-azure-ad-token') return 'entra';
  const config = readValidation(statement);
  let unknown = false;
  for (const { value } of [...config.openidConfigs, ...config.issuers]) {
    let host: string | undefined;
    try {
      host = value.expression ? undefined : new URL(value.value.trim()).hostname.toLowerCase();
    } catch {
      host = undefined;
    }
    if (host === undefined || /\{\{/.test(host)) unknown = true;
    else if (isEntraLoginHost(host) || STS_HOSTS.includes(host)) return 'entra';
  }
  return unknown ? 'unknown' : 'other';
}

function statementEvidence(statement: EffectiveStatement): Evidence {
  return {
    entity: statementEntity(statement.source),
    path: statement.source.fragment ? 'properties/value' : 'policy',
  };
}

function describeValidations(statements: readonly EffectiveStatement[]): string {
  const labels = [...new Set(statements.map((s) => `${s.element.name} in ${describeSource(s.source)}`))];
  return labels.join(' and ');
}

function* unprotectedApi(api: Api, tokens: ApiTokens): Generator<RuleOutput> {
  const entra = tokens.validations.filter((s) => issuerSide(s) === 'entra');
  if (entra.length > 0) {
    yield violation(
      api,
      fit((n) => [
        `${describeApi(api, n)} validates Entra ID tokens (${describeValidations(entra)}) but declares no OAuth 2.0 ` +
          'or OpenID Connect user authorization.',
        `${describeApi(api, n)} validates Entra ID tokens (${entra[0]!.element.name}) but declares no OAuth 2.0 ` +
          'or OpenID Connect user authorization.',
      ]),
      // Any one validation makes the API an OAuth API: rest on one whose text is known, if there is one.
      {
        path: AUTH_SETTINGS,
        key: 'no-user-authorization',
        severity: 'warning',
        evidence: [statementEvidence(entra.find((s) => !unknownIn([statementEvidence(s)])) ?? entra[0]!)],
        detail: `It validates tokens with ${describeValidations(entra)}. ${NO_TOKEN_IN_CONSOLE}`,
        fix: {
          text: `${SET_AUTHORIZATION}, or list the API in the rule option exclude if the portal is not used for it.`,
        },
      },
    );
    return;
  }
  const undetermined = tokens.validations.filter((s) => issuerSide(s) === 'unknown');
  if (undetermined.length > 0) {
    yield notEvaluated(
      `Whether ${describeApi(api)} validates Entra ID tokens is not known: the issuer and metadata of ` +
        `${describeValidations(undetermined)} are not known offline (an unresolved named value or an expression).`,
      api,
    );
    return;
  }
  if (tokens.validations.length === 0 && tokens.unreadable.length > 0) {
    yield notEvaluated(
      `Whether ${describeApi(api)} validates tokens is not known: ${describeUnreadable(tokens.unreadable[0]!)}.`,
      api,
    );
    return;
  }
  yield checked(api, [{ entity: api, path: AUTH_SETTINGS }]);
}

function* protectedApi(api: Api, tokens: ApiTokens): Generator<RuleOutput> {
  const validated =
    tokens.validations.length > 0
      ? ` It validates tokens with ${describeValidations(tokens.validations)}.`
      : ' It validates no token either.';
  yield violation(
    api,
    fit(
      (n) =>
        `${describeApi(api, n)} must be OAuth-protected (rule option protect) but declares no OAuth 2.0 or OpenID ` +
        'Connect user authorization; expected an authorization server.',
    ),
    {
      path: AUTH_SETTINGS,
      key: 'no-user-authorization',
      evidence: [],
      detail: `${NO_TOKEN_IN_CONSOLE}${validated}`,
      fix: { text: `${SET_AUTHORIZATION}.` },
    },
  );
  if (tokens.unvalidated.length > 0) {
    const ops = [...new Set(tokens.unvalidated.map((u) => u.op.label))];
    const evidence = tokens.unvalidated.flatMap(({ op, path }) =>
      inboundReach(op, path).map((owner): Evidence => ({ entity: owner, path: 'policy' })),
    );
    const one = ops.length === 1;
    yield violation(
      api,
      fit((n) =>
        [60, 40].map(
          (budget) =>
            `API '${n(api.name)}' (revision ${api.revision}) must be OAuth-protected (rule option protect) but ` +
            `${one ? 'operation' : 'operations'} ${fitList(ops, budget)} ${one ? 'runs' : 'run'} no validate-jwt ` +
            'or validate-azure-ad-token on every request.',
        ),
      ),
      {
        path: 'policy',
        key: 'no-token-validation',
        evidence,
        detail:
          `The global, workspace, product, API and operation scopes were checked: ${one ? 'this operation' : 'these operations'} ` +
          `(${listNames(ops)}) forward requests without a valid token to the backend, so the API is not protected.`,
        // The openid-config and audience of the validation are the user's to choose: described, not applied.
        fix: {
          text: `Add validate-jwt (or validate-azure-ad-token) to the inbound section of the API policy of '${api.name}'.`,
        },
      },
    );
  }
  for (const u of tokens.unreadable) {
    yield notEvaluated(
      `Whether ${describeApi(api)}, which must be OAuth-protected, validates tokens on every request is not known: ` +
        `${describeUnreadable(u)}.`,
      api,
    );
  }
}

/** Servers on the API that the developer portal hides from the test console (`useInTestConsole: false`). */
function hiddenServers(refs: AuthReference<AuthServer>[]): AuthServer[] {
  return refs.flatMap((r) => (r.target && r.target.props.useInTestConsole === false ? [r.target] : []));
}

const DEFAULTS: ApiOauthEnabledOptions = { protect: [], exclude: [] };

export default defineRule({
  id: 'api-oauth-enabled',
  meta: {
    title:
      'APIs that validate Entra ID tokens declare OAuth 2.0 or OpenID Connect user authorization with an existing server',
    severity: 'error',
    tags: ['apim', 'portal', 'security'],
    securitySeverity: 5.0,
    requires: ['apim'],
    declaresEvidence: true,
  },
  options: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        protect: {
          type: 'array',
          description:
            'APIs (resource name or URL path, glob `*` allowed) that must be OAuth-protected: missing user authorization and missing token validation are errors.',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
        },
        exclude: {
          type: 'array',
          description:
            'APIs (resource name or URL path, glob `*` allowed) that are not checked, e.g. health endpoints.',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
        },
      },
    },
    defaults: DEFAULTS,
  },
  *check(model, ctx) {
    const excluded = ctx.options.exclude.map(globToRegExp);
    const protectedPatterns = ctx.options.protect.map(globToRegExp);
    const opsByApi = new Map<Api, OperationPolicy[]>();
    for (const op of currentOperations(model)) opsByApi.set(op.api, [...(opsByApi.get(op.api) ?? []), op]);
    const hidden = new Map<AuthServer, Api[]>();
    for (const api of model.apis) {
      // Non-current revisions are not served by default and the portal documents only the current one.
      if (!api.isCurrent || matches(api, excluded)) continue;
      const refs = [...api.oauth2, ...api.openid];
      if (refs.length === 0) {
        const tokens = tokensOf(opsByApi.get(api) ?? []);
        yield* matches(api, protectedPatterns) ? protectedApi(api, tokens) : unprotectedApi(api, tokens);
        continue;
      }
      // Whether a protected API with user authorization validates tokens is api-validate-jwt's finding.
      const missing = refs.filter((r) => r.state !== 'present');
      for (const ref of missing) yield missingTarget(api, ref);
      if (missing.length === 0) yield checked(api, [{ entity: api, path: AUTH_SETTINGS }]);
      for (const server of hiddenServers(api.oauth2))
        hidden.set(server, [...(hidden.get(server) ?? []), api]);
    }
    for (const [server, apis] of hidden) {
      const names = apis.map((a) => a.name);
      yield violation(
        server,
        fit((n) =>
          [80, 40].map(
            (budget) =>
              `Authorization server '${n(server.name)}' is configured on ${names.length === 1 ? 'API' : 'APIs'} ` +
              `${fitList(names.map(n), budget)} but has useInTestConsole false; expected true.`,
          ),
        ),
        {
          path: 'properties/useInTestConsole',
          severity: 'note',
          evidence: apis.map((a): Evidence => ({ entity: a, path: AUTH_SETTINGS })),
          detail:
            'The developer portal test console does not offer the server, so users cannot get a token there and ' +
            'test calls to these APIs fail with 401 (JWT not present).',
          fix: {
            text: 'Set useInTestConsole to true unless the server is meant for API documentation only.',
            property: { path: 'properties/useInTestConsole', value: true },
          },
        },
      );
    }
  },
});
