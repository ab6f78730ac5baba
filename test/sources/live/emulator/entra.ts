/**
 * Entra ID as the identity SDK sees it: the tenant's OpenID discovery document and the v2 token endpoint
 * (client credentials with a secret). Tokens are unsigned JWTs carrying `aud` and `tid`; the emulator keeps
 * the ones it issued so that Graph and ARM can check the bearer and its audience.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedTenant } from './data';
import { json, type EmulatorRequest, type EmulatorResponse } from './http';

export interface IssuedToken {
  aud: string;
  tid: string;
  appid: string;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function oauthError(status: number, error: string, code: number, description: string): EmulatorResponse {
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
  });
}

export class EntraEmulator {
  readonly tokens = new Map<string, IssuedToken>();
  constructor(private readonly tenant: EmulatedTenant) {}

  /** Handles `/{tenant}/...` paths; undefined when the path is not Entra's. */
  handle(request: EmulatorRequest): EmulatorResponse | undefined {
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(
      request.path,
    );
    if (!match?.[1] || !match[2]) return undefined;
    const tenant = match[1];
    if (tenant.toLowerCase() !== this.tenant.tenantId.toLowerCase()) {
      return oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    }
    if (match[2].startsWith('v2.0')) {
      if (request.method !== 'GET') return json(405, {});
      const issuerBase = `${request.base}/${this.tenant.tenantId}`;
      return json(200, {
        issuer: `${issuerBase}/v2.0`,
        authorization_endpoint: `${issuerBase}/oauth2/v2.0/authorize`,
        token_endpoint: `${issuerBase}/oauth2/v2.0/token`,
        jwks_uri: `${issuerBase}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      });
    }
    if (request.method !== 'POST') return json(405, {});
    return this.token(new URLSearchParams(request.body));
  }

  /** The ID tokens a GitHub Actions job gets (`/_github/idtoken`), for federated sign-in. */
  githubIdToken(
    request: EmulatorRequest,
    github: { requestToken: string; subject: string },
  ): EmulatorResponse {
    if (request.headers['authorization'] !== `Bearer ${github.requestToken}`)
      return json(401, { message: 'Bad credentials' });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      sub: github.subject,
      aud: request.query.get('audience') ?? 'https://github.com/contoso',
      iat: now,
      exp: now + 300,
    };
    return json(200, {
      count: 1,
      value: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.sig`,
    });
  }

  private federatedClient(form: URLSearchParams, clientId: string): EmulatorResponse | undefined {
    const subject = this.tenant.federated?.[clientId];
    if (subject === undefined)
      return oauthError(
        401,
        'invalid_client',
        700016,
        `Application with identifier '${clientId}' has no federated credential.`,
      );
    let claims: { sub?: string; aud?: string; exp?: number };
    try {
      claims = JSON.parse(
        Buffer.from(form.get('client_assertion')?.split('.')[1] ?? '', 'base64url').toString(),
      ) as typeof claims;
    } catch {
      return oauthError(400, 'invalid_client', 50027, 'Invalid JWT token.');
    }
    if ((claims.exp ?? 0) < Date.now() / 1000)
      return oauthError(
        400,
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range.',
      );
    if (claims.aud !== 'api://AzureADTokenExchange' || claims.sub !== subject)
      return oauthError(
        400,
        'invalid_client',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Subject: '${claims.sub ?? ''}'. Assertion Audience: '${claims.aud ?? ''}'.`,
      );
    return undefined;
  }

  private token(form: URLSearchParams): EmulatorResponse {
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 70003, 'The grant type is not supported.');
    }
    const clientId = form.get('client_id') ?? '';
    if (form.has('client_assertion')) {
      const refused = this.federatedClient(form, clientId);
      return refused ?? this.issue(form, clientId);
    }
    const expected = this.tenant.clients[clientId];
    if (expected === undefined) {
      return oauthError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.tenant.tenantId}'.`,
      );
    }
    if (form.get('client_secret') !== expected) {
      return oauthError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    }
    return this.issue(form, clientId);
  }

  private issue(form: URLSearchParams, clientId: string): EmulatorResponse {
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (!scope)
      return oauthError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.');
    const aud = scope.slice(0, -'/.default'.length);
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud, tid: this.tenant.tenantId, appid: clientId, iat: now, exp: now + 3599 };
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.${randomUUID()}`;
    this.tokens.set(token, { aud, tid: this.tenant.tenantId, appid: clientId });
    return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
  }

  /** The token a request carries, when the emulator issued it. */
  bearer(request: EmulatorRequest): IssuedToken | undefined {
    const value = request.headers['authorization'];
    const text = Array.isArray(value) ? value[0] : value;
    const match = /^Bearer (.+)$/.exec(text ?? '');
    return match?.[1] ? this.tokens.get(match[1]) : undefined;
  }
}
