/**
 * stripSecrets (src/sources/common/secrets.ts): secret properties removed at any depth, in any case, and what holds
 * none returned as it is (issue 12: not copied), with the containers above a removed property copied, never changed.
 */
import { isSecretKey, stripSecrets } from '../../../src/sources/common/secrets';

/** A deep copy, to show the input was not changed. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('stripSecrets', () => {
  it('removes secret properties at any depth and in any case, in objects and lists', () => {
    const input = {
      displayName: 'x',
      clientSecret: 's1',
      nested: {
        deeper: [
          { Password: 'p', keep: 1 },
          { certificatePassword: 'c', encodedCertificate: 'e' },
        ],
      },
      ResourceOwnerPassword: 'r',
      value: { secretText: 't', hint: 'h' },
    };
    const before = copy(input);
    expect(stripSecrets(input)).toEqual({
      displayName: 'x',
      nested: { deeper: [{ keep: 1 }, {}] },
      value: { hint: 'h' },
    });
    expect(input).toEqual(before);
  });

  it('removes `key` only under keyCredentials', () => {
    const input = { keyCredentials: [{ key: 'MIIB', keyId: '1' }], other: { key: 'kept' }, key: 'top' };
    expect(stripSecrets(input)).toEqual({
      keyCredentials: [{ keyId: '1' }],
      other: { key: 'kept' },
      key: 'top',
    });
    expect(stripSecrets({ KeyCredentials: [{ Key: 'x', usage: 'Verify' }] })).toEqual({
      KeyCredentials: [{ usage: 'Verify' }],
    });
  });

  it('returns what holds no secret as it is, and shares the parts of a copy that hold none', () => {
    const clean = { a: [1, { b: 'c' }], d: { e: null, f: true }, g: 'h' };
    expect(stripSecrets(clean)).toBe(clean);
    expect(stripSecrets(clean.a)).toBe(clean.a);
    const mixed = { clean: { x: [1, 2] }, list: [{ y: 1 }, { password: 'p' }, { z: 2 }], after: 'a' };
    const stripped = stripSecrets(mixed) as typeof mixed;
    expect(stripped).not.toBe(mixed);
    expect(stripped.clean).toBe(mixed.clean);
    expect(stripped.list).not.toBe(mixed.list);
    expect(stripped.list[0]).toBe(mixed.list[0]);
    expect(stripped.list[2]).toBe(mixed.list[2]);
    expect(stripped).toEqual({ clean: { x: [1, 2] }, list: [{ y: 1 }, {}, { z: 2 }], after: 'a' });
    // Keys keep their order, those before the secret as well as those after it.
    expect(Object.keys(stripSecrets({ a: 1, b: 2, clientSecret: 3, c: 4 }) as object)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('keeps a `__proto__` key of parsed input as an own property, in a copy too', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "password": "p", "x": 1}') as object;
    const stripped = stripSecrets(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
    expect(Object.keys(stripped)).toEqual(['__proto__', 'x']);
    expect((stripped as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('leaves scalars alone', () => {
    for (const value of [null, undefined, 0, 'password', true]) expect(stripSecrets(value)).toBe(value);
  });

  it('names secret keys in any case', () => {
    expect(isSecretKey('ClientSecret')).toBe(true);
    expect(isSecretKey('clientId')).toBe(false);
  });
});
