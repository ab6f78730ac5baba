/**
 * From what a user types or pastes to a catalogue entry: codes anywhere in a message, in any case; messages without
 * a code by their words; unknown codes with the nearest known ones; a bounded input.
 */
import { MAX_EXPLAIN_INPUT, entryName, lookupError, nearestCodes } from '../../src/explain';

function nameOf(input: string): string {
  const found = lookupError(input);
  return found.kind === 'found' ? entryName(found.entry) : found.kind;
}

describe('lookupError', () => {
  it('finds the code inside a pasted message, whatever the case', () => {
    expect(
      nameOf(
        "AADSTS50011: The redirect URI 'https://contoso.developer.azure-api.net/signin-oauth/code/callback/Entra' specified in the request does not match the redirect URIs configured for the application '11111111-2222-3333-4444-555555555555'.",
      ),
    ).toBe('AADSTS50011');
    expect(nameOf('aadsts50011')).toBe('AADSTS50011');
    expect(
      nameOf(
        'An error has occurred while authorizing access via entra-auth: invalid_client AADSTS7000215: Invalid client secret provided.',
      ),
    ).toBe('AADSTS7000215');
    expect(
      nameOf(
        "JWT Validation Failed: IDX10205: Issuer validation failed. Issuer: 'https://sts.windows.net/x/'.",
      ),
    ).toBe('IDX10205');
    expect(nameOf('tokenissuernotallowed')).toBe('IDX10205');
    expect(nameOf('AADSTS90100')).toBe('AADSTS901002');
  });

  it('the first code in the text wins over a message of another entry later in it', () => {
    expect(nameOf('IDX10214: Audience validation failed. (JWT not present.)')).toBe('IDX10214');
  });

  it('recognises a message without a code, white space folded', () => {
    expect(nameOf('JWT   not\npresent.')).toBe('TokenNotPresent');
    expect(nameOf('Claim value mismatch: aud=api://colors')).toBe('TokenClaimValueNotAllowed');
    expect(nameOf('Unable to authenticate due to internal error.')).toBe(
      '"Unable to authenticate due to internal error"',
    );
  });

  it('reads a bare number as an AADSTS code, else an IDX code', () => {
    expect(nameOf('50011')).toBe('AADSTS50011');
    expect(nameOf('10223')).toBe('IDX10223');
  });

  it('suggests the nearest codes of the same prefix for an unknown one', () => {
    expect(lookupError('AADSTS50012')).toEqual({
      kind: 'unknown',
      token: 'AADSTS50012',
      suggestions: ['AADSTS50011', 'AADSTS50020', 'AADSTS50001'],
    });
    expect(nearestCodes('IDX10206')).toEqual(['IDX10205', 'IDX10214', 'IDX10223']);
    const inText = lookupError('AADSTS99999: something else entirely');
    expect(inText.kind === 'unknown' && inText.token).toBe('AADSTS99999');
    expect(inText.kind === 'unknown' && inText.suggestions.every((c) => c.startsWith('AADSTS'))).toBe(true);
  });

  it('suggests by edit distance for a misspelt name, and nothing for unrelated text', () => {
    expect(nearestCodes('TokenExpird')[0]).toBe('TokenExpired');
    expect(lookupError('something went wrong somewhere')).toEqual({ kind: 'unknown', suggestions: [] });
  });

  it('refuses an input longer than the bound, even with a code in it', () => {
    const long = `AADSTS50011 ${'x'.repeat(MAX_EXPLAIN_INPUT)}`;
    expect(lookupError(long)).toEqual({ kind: 'too-long', length: long.length });
    expect(nameOf(`AADSTS50011 ${'x'.repeat(MAX_EXPLAIN_INPUT - 12)}`)).toBe('AADSTS50011');
  });
});
