/**
 * The pure parts of `token`: URL templates as the gateway matches them, and the `<choose>` conditions it decides
 * (three-valued: undefined when it cannot know).
 */
import { decideCondition, type ConditionFacts } from '../../src/token/conditions';
import { claimValues, decodeInput, namedClaims, tokenVersion } from '../../src/token/decode';
import { templateScore } from '../../src/token/match-operation';

describe('URL templates', () => {
  it('matches literal segments case-insensitively, parameters, {*rest}; prefers more literal segments', () => {
    expect(templateScore('/colors/random', '/Colors/random')).toBe(2);
    expect(templateScore('/colors/{id}', '/colors/random')).toBe(1);
    expect(templateScore('/colors/{id}?expand={e}', '/colors/7')).toBe(1);
    expect(templateScore('/files/{*path}', '/files/a/b/c')).toBe(1);
    expect(templateScore('/documentModels/{id}:analyze', '/documentModels/x:analyze')).toBe(1);
    expect(templateScore('/colors', '/colors/random')).toBeUndefined();
    expect(templateScore('/colors/{id}', '/colors')).toBeUndefined();
  });
});

describe('conditions', () => {
  const facts: ConditionFacts = {
    method: 'GET',
    path: '/colors/colors',
    operationId: 'get-colors',
    apiName: 'colors-api',
    product: undefined,
    tokenHeader: 'authorization',
    claims: { ver: '2.0', roles: ['a', 'b'] },
  };
  const cases: [string, boolean | undefined][] = [
    ['@(context.Request.Method == "GET")', true],
    ['@(context.Request.Method != "GET")', false],
    ['@("POST" == context.Request.Method)', false],
    ['@(context.Request.Method.Equals("get", StringComparison.OrdinalIgnoreCase))', true],
    ['@(context.Request.Url.Path.StartsWith("/colors"))', true],
    ['@(context.Operation.Id == "get-colors" && context.Api.Name == "colors-api")', true],
    ['@(context.Product == null)', true],
    ['@(context.Product?.Name == "gold" || !(context.Request.Method == "POST"))', true],
    [
      '@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Claims["ver"] == "2.0")',
      true,
    ],
    ['@(context.Request.Headers.GetValueOrDefault("X-Other","").AsJwt()?.Claims["ver"] == "2.0")', undefined],
    ['@(context.Request.IpAddress == "10.0.0.1")', undefined],
    ['@(context.Request.IpAddress == "10.0.0.1" && false)', false],
    ['@(context.Request.IpAddress == "10.0.0.1" || true)', true],
    ['@(context.Variables.GetValueOrDefault<bool>("x"))', undefined],
  ];
  it.each(cases)('%s -> %s', (condition, expected) => {
    expect(decideCondition(condition, facts)).toBe(expected);
  });
});

describe('decoding', () => {
  it('claims as JSON on stdin; claim values split at a separator; version from ver or the issuer', () => {
    const claims = decodeInput('{"scp":"a b","ver":"1.0","other":"x"}');
    expect(claims.ok && claims.token.from).toBe('claims');
    if (!claims.ok) return;
    expect(claimValues(claims.token.claims, 'scp', ' ')).toEqual(['a', 'b']);
    expect(namedClaims(claims.token.claims).map((c) => c.name)).toEqual(['ver', 'scp']);
    expect(tokenVersion({ iss: 'https://login.microsoftonline.com/t/v2.0' })).toBe(2);
    expect(tokenVersion({ iss: 'https://sts.windows.net/t/' })).toBe(1);
    expect(decodeInput('[1]').ok).toBe(false);
  });
});
