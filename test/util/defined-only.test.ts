/** `definedOnly`: a record read value by value, without its undefined values, in the order given. */
import { definedOnly } from '../../src/util/json';

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
