/**
 * The runtime-error catalogue owns the code -> rules mapping; each rule doc names the same errors under
 * "## Errors it prevents". This keeps the two honest in both directions: every code a doc names is in the
 * catalogue and maps back to that rule, and every rule the catalogue lists for an error names it in its doc. A doc
 * "names" an entry by one of its codes (as a word) or by one of its message texts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS } from '../../rules';
import { RUNTIME_ERRORS, entryName, knownCodes, lookupError, type RuntimeError } from '../../src/explain';
import { REPO_ROOT } from '../helpers/sample';

const sorted = (values: Iterable<string>) => [...values].sort();

function errorsSection(id: string): string {
  const doc = readFileSync(path.join(REPO_ROOT, 'rules', `${id}.md`), 'utf8');
  const start = doc.indexOf('\n## Errors it prevents\n');
  const end = doc.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(0);
  return doc.slice(start, end);
}

const fold = (text: string) => text.replace(/\s+/g, ' ').toLowerCase();

/** Does the text name the entry: one of its codes as a word, or one of its message texts? */
function names(text: string, entry: RuntimeError): boolean {
  return (
    entry.codes.some((code) => new RegExp(`\\b${code}\\b`, 'i').test(text)) ||
    entry.messages.some((message) => fold(text).includes(fold(message)))
  );
}

/** Words in a doc that look like an error code: AADSTS and IDX numbers, APIM LastError reasons. */
const CODE_LIKE = /\b(AADSTS\d+|IDX\d+|Token[A-Z][A-Za-z]+|JwtInvalid)\b/g;

/**
 * Every code named in the project's runtime-error research (docs/runtime-errors.md, sections A to E, kept outside
 * the repository): the catalogue must know each one. Copied here so that `npm test` reads nothing outside the
 * repository; a code added to the research is added here and to the catalogue.
 */
const RESEARCH_CODES = [
  // A. Entra ID
  ...['50011', '500113', '900971', '700016', '90002', '50194', '7000215', '7000222', '7000218', '700025'],
  ...[
    '900144',
    '28003',
    '650053',
    '70011',
    '28000',
    '700022',
    '500011',
    '500013',
    '50001',
    '901002',
    '90100',
  ],
  ...['65001', '90094', '65005', '650057', '90009', '50146', '9002326', '9002327', '9002325'],
  ...['50020', '50034', '53003', '50076'],
].map((n) => `AADSTS${n}`);
const RESEARCH_GATEWAY = [
  // B. validate-jwt: LastError reasons and the IDX codes of their messages
  ...['TokenNotPresent', 'TokenNotFound', 'TokenIssuerNotAllowed', 'TokenAudienceNotAllowed'],
  ...[
    'TokenClaimValueNotAllowed',
    'TokenClaimNotFound',
    'TokenSignatureInvalid',
    'TokenSignatureKeyNotFound',
  ],
  ...['TokenExpired', 'JwtInvalid', 'IDX10205', 'IDX10214', 'IDX10511', 'IDX10503', 'IDX10501', 'IDX10223'],
  'IDX10500',
];
/** C and D: errors known by their message only, as users paste them. */
const RESEARCH_MESSAGES: readonly (readonly [message: string, name: string])[] = [
  ['JWT not present.', 'TokenNotPresent'],
  ['Claim value mismatch: aud=6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d', 'TokenClaimValueNotAllowed'],
  ['Unable to authenticate due to internal error.', '"Unable to authenticate due to internal error"'],
  [
    'Since the browser initiates the request, it requires Cross-Origin Resource Sharing (CORS) enabled on the server.',
    '"Since the browser initiates the request, it requires Cross-Origin Resource Sharing"',
  ],
];

describe('runtime-error catalogue', () => {
  it('knows every code of the research, and each resolves to the entry that lists it', () => {
    for (const code of [...RESEARCH_CODES, ...RESEARCH_GATEWAY]) {
      const found = lookupError(code);
      expect({ code, kind: found.kind }).toEqual({ code, kind: 'found' });
      if (found.kind === 'found') expect(found.entry.codes).toContain(code);
    }
    for (const [message, name] of RESEARCH_MESSAGES) {
      const found = lookupError(message);
      expect(found.kind === 'found' ? entryName(found.entry) : found).toBe(name);
    }
  });

  it('every code and message of every entry resolves to that entry, in any letter case', () => {
    for (const entry of RUNTIME_ERRORS) {
      for (const name of [...entry.codes, ...entry.messages]) {
        for (const typed of [name, name.toLowerCase(), name.toUpperCase()]) {
          const found = lookupError(typed);
          expect({ typed, entry: found.kind === 'found' ? entryName(found.entry) : found.kind }).toEqual({
            typed,
            entry: entryName(entry),
          });
        }
      }
    }
  });

  it('codes are unique, entries are complete, and an entry no rule prevents says why and what to check', () => {
    const codes = knownCodes().map((c) => c.toLowerCase());
    expect(new Set(codes).size).toBe(codes.length);
    for (const entry of RUNTIME_ERRORS) {
      expect(entry.codes.length + entry.messages.length).toBeGreaterThan(0);
      expect(entry.title).not.toMatch(/\n/);
      expect(entry.causes.length).toBeGreaterThan(0);
      expect(new Set(entry.rules).size).toBe(entry.rules.length);
      if (entry.rules.length === 0) {
        expect('noRule' in entry && entry.noRule.length > 20).toBe(true);
        expect((entry.manual ?? '').length).toBeGreaterThan(20);
      }
    }
  });

  it.each(BUILTIN_RULE_IDS)(
    '%s: every code its doc names under Errors it prevents is in the catalogue',
    (id) => {
      const unknown = [...errorsSection(id).matchAll(CODE_LIKE)]
        .map((m) => m[0])
        .filter((code) => lookupError(code).kind !== 'found');
      expect(unknown).toEqual([]);
    },
  );

  it.each(BUILTIN_RULE_IDS)(
    '%s: the errors its doc names are exactly the errors the catalogue says it prevents',
    (id) => {
      const section = errorsSection(id);
      const namedByDoc = RUNTIME_ERRORS.filter((entry) => names(section, entry)).map(entryName);
      const mappedToRule = RUNTIME_ERRORS.filter((entry) =>
        (entry.rules as readonly string[]).includes(id),
      ).map(entryName);
      expect(sorted(namedByDoc)).toEqual(sorted(mappedToRule));
    },
  );
});
