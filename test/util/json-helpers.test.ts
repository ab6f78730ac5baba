/**
 * `definedOnly`: a record read value by value, without its undefined values, in the order given; `ownString`: the
 * same text, lone surrogates and all.
 */
import { definedOnly, ownString } from '../../src/util/json';

interface Credential {
  keyId?: string;
  hint?: string | null;
  endDateTime?: string;
}

describe('definedOnly', () => {
  it('gives the record itself when every value is there (null is a value)', () => {
    const record = { keyId: 'k', hint: null, endDateTime: '2027-01-01' };
    expect(definedOnly<Credential>(record)).toBe(record);
  });

  it('leaves out undefined values and keeps the order of the others', () => {
    const out = definedOnly<Credential>({ keyId: undefined, hint: 'h', endDateTime: 'e' });
    expect(Object.keys(out)).toEqual(['hint', 'endDateTime']);
    expect('keyId' in out).toBe(false);
    expect(JSON.stringify(definedOnly<Credential>({ keyId: 'k', hint: undefined, endDateTime: 'e' }))).toBe(
      '{"keyId":"k","endDateTime":"e"}',
    );
  });
});

describe('ownString', () => {
  it.each(['', 'x', 'Operation 0 of service 7', '\ud800 lone', 'é漢字🙂', ' '.repeat(1000)])(
    'keeps %j as it is',
    (text) => {
      const sliced = `prefix ${text} suffix`.slice(7, 7 + text.length);
      expect(ownString(sliced)).toBe(text);
    },
  );
});
