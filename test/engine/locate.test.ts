import { createHash } from 'node:crypto';
import { fingerprint, pointerFor } from '../../src/engine/locate';
import { sha256Hex, sha256Key } from '../../src/util/digest';
import type { Entity } from '../../src/model/types';

describe('fingerprint', () => {
  const entity = { kind: 'application', id: '/applications/ABC' } as unknown as Entity;

  it('is the first 32 hex digits of the SHA-256 of rule, entity (id lower-cased) and key', () => {
    const expected = createHash('sha256')
      .update('implicit-grant-disabled\u0000application|/applications/abc\u0000web:x')
      .digest('hex')
      .slice(0, 32);
    expect(fingerprint('implicit-grant-disabled', entity, 'web:x')).toBe(expected);
  });

  it('gives the same digest with the one-shot hash and with createHash', () => {
    for (const text of ['', 'a', 'é\u0000😀', 'x'.repeat(10_000)]) {
      expect(sha256Hex(text)).toBe(sha256Hex(text, null));
      expect(sha256Hex(text, null)).toBe(createHash('sha256').update(text).digest('hex'));
      const bytes = Buffer.from(text);
      expect(sha256Key(bytes)).toBe(sha256Key(bytes, null));
      // The same digest as the hex one, a character per byte.
      expect(Buffer.from(sha256Key(text), 'latin1').toString('hex')).toBe(sha256Hex(text));
      expect(sha256Key(text)).toHaveLength(32);
    }
  });
});

describe('pointerFor', () => {
  const at = (pointer: string, paths?: Record<string, string>) =>
    ({
      origin: paths ? { file: 'f.json', pointer, paths } : { file: 'f.json', pointer },
    }) as unknown as Entity;

  it('appends the canonical path to the entity pointer, escaping only `~`, unless the origin maps it', () => {
    expect(pointerFor(at('/value/0'), 'web/redirectUris/1')).toBe('/value/0/web/redirectUris/1');
    expect(pointerFor(at(''), 'a~b/c~~d')).toBe('/a~0b/c~0~0d');
    expect(pointerFor(at('', { 'web/redirectUris': '/replyUrlsWithType' }), 'web/redirectUris')).toBe(
      '/replyUrlsWithType',
    );
    expect(pointerFor(at('/x'), undefined)).toBe('/x');
  });
});
