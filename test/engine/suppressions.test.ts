import { applySuppressions, isExpired, selectorMatches } from '../../src/engine/suppressions';
import type { Finding } from '../../src/engine/types';

const finding: Finding = {
  ruleId: 'redirect-uri-safe',
  severity: 'error',
  message: 'm',
  resource: { kind: 'application', id: '/applications/abc', name: 'oauth-client-app' },
  location: {},
  logicalLocation: { fullyQualifiedName: '/applications/abc', kind: 'application', name: 'oauth-client-app' },
  fingerprint: 'f',
};
const now = new Date('2026-11-25T12:00:00Z');

describe('suppressions', () => {
  it('selectors match id, name, kind:name, with * wildcards', () => {
    expect(selectorMatches('oauth-client-app', finding)).toBe(true);
    expect(selectorMatches('application:oauth-*', finding)).toBe(true);
    expect(selectorMatches('/applications/abc', finding)).toBe(true);
    expect(selectorMatches('authorizationServer:oauth-client-app', finding)).toBe(false);
    expect(selectorMatches('oauth-backend-app', finding)).toBe(false);
  });

  it('a date-only expiry lasts through that day', () => {
    expect(isExpired({ rule: '*', resource: '*', justification: 'j', expires: '2026-11-25' }, now)).toBe(
      false,
    );
    expect(isExpired({ rule: '*', resource: '*', justification: 'j', expires: '2026-11-24' }, now)).toBe(
      true,
    );
  });

  it('suppresses matching findings with the justification, and reports expired suppressions', () => {
    const active = {
      rule: 'redirect-uri-safe',
      resource: 'oauth-client-app',
      justification: 'dev callback, PLAT-1',
    };
    const expired = { ...active, expires: '2026-01-01' };
    const other = { rule: 'client-secret-expiry', resource: '*', justification: 'other rule only' };
    const kept = applySuppressions([finding], [other, expired], now);
    expect(kept.findings[0]?.suppressed).toBeUndefined();
    expect(kept.expired).toEqual([expired]);
    const applied = applySuppressions([finding], [active], now);
    expect(applied.findings[0]?.suppressed).toEqual({ justification: 'dev callback, PLAT-1' });
  });
});
