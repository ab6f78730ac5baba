/**
 * Issue 10, "Nothing lost, nothing leaked": the text output escapes control characters (C0/C1, ESC, OSC, bare CR/LF
 * inside names) and cannot emit a line that starts with `::` (a GitHub workflow command); JSON and SARIF keep the
 * exact names (JSON escapes them itself). Stderr, which quotes paths and names in errors, is escaped the same way.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { escapeLines, escapeText, neutralizeCommandLines } from '../../src/util/escape';
import { cli } from '../helpers/cli';
import { applyOverlay, loadSampleDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = ['--now', '2026-11-25T12:00:00Z'];

/** ESC (CSI, OSC with BEL), a C1 CSI, a bare CR, and LF-injected workflow commands. */
const EVIL_NAME =
  'Contoso \u001b]0;pwned\u0007Backend\u001b[2J \u009b31m\rAPI\n::error::x\n::add-mask::x\u2028 ::warning::y';
const EVIL_FRAGMENT = 'colors-headers\n::add-mask::x\r\n  ::error file=a::b\u001b[0m';

/** Raw control characters a terminal or log would interpret (LF, the line separator, is the report's own). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** A line (as the GitHub runner splits them: on CR and LF) that starts with `::` after white space. */
const COMMAND_LINE = /(?:^|[\r\n])[^\S\r\n\u2028\u2029]*\u0085?::/;

function hostileSnapshot(): { dir: string; file: string } {
  const doc = applyOverlay(loadSampleDoc('contoso'), { backendApp: { displayName: EVIL_NAME } });
  const product = (doc.apim?.[0] as { products: { policy: { value: string } }[] }).products[0]!;
  product.policy.value = product.policy.value.replace('colors-response-headers', EVIL_FRAGMENT);
  const dir = makeTempDir('leaks-text');
  // The file name itself carries an ESC sequence and an injected command; the text report lists file names.
  const file = path.join(dir, 'tenant\u001b[31m\n::error::file.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { dir, file };
}

/** Every string anywhere in a parsed JSON document. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('text output escapes control characters and never starts a workflow command (issue 10)', () => {
  it('names, fragment ids and file names with ESC/OSC/C1/CR/LF and ::commands: escaped in text, exact in JSON and SARIF', async () => {
    const { dir, file } = hostileSnapshot();
    const text = await cli(['scan', file, ...NOW], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).not.toMatch(RAW_CONTROL);
    expect(text.stdout).not.toMatch(COMMAND_LINE);
    expect(text.stdout).toContain(escapeText(EVIL_NAME));
    expect(text.stdout).toContain(
      '\\x1B]0;pwned\\x07Backend\\x1B[2J \\x9B31m\\rAPI\\n::error::x\\n::add-mask::x\\u2028',
    );
    expect(text.stdout).toContain(escapeText(EVIL_FRAGMENT));
    expect(text.stdout).toContain('tenant\\x1B[31m\\n::error::file.json');

    const json = await cli(['scan', file, '--format', 'json', ...NOW], { cwd: dir });
    const report = JSON.parse(json.stdout) as { findings: { resource: { name: string }; message: string }[] };
    expect(report.findings.map((f) => f.resource.name)).toContain(EVIL_NAME);
    expect(report.findings.some((f) => f.message.includes(EVIL_FRAGMENT))).toBe(true);
    // Nothing a terminal interprets, C1 controls and separators included (written as \u escapes).
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(json.stdout).not.toMatch(COMMAND_LINE);

    const sarif = await cli(['scan', file, '--format', 'sarif', ...NOW], { cwd: dir });
    const all = strings(JSON.parse(sarif.stdout));
    expect(all.some((s) => s.includes(EVIL_NAME))).toBe(true);
    expect(all.some((s) => s.includes(EVIL_FRAGMENT))).toBe(true);
    expect(sarif.stdout).not.toMatch(RAW_CONTROL);
    expect(sarif.stdout).not.toMatch(COMMAND_LINE);
  });

  it('with colour on, the only escape sequences are the report’s own SGR codes', async () => {
    const { dir, file } = hostileSnapshot();
    const { stdout } = await cli(['scan', file, ...NOW], { cwd: dir, tty: true });
    expect(stdout).toContain('\u001b[1m');
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const withoutOwnColours = stdout.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '');
    expect(withoutOwnColours).not.toMatch(RAW_CONTROL);
    expect(withoutOwnColours).not.toMatch(COMMAND_LINE);
  });

  it('errors on stderr quoting an input path are escaped too', async () => {
    const dir = makeTempDir('leaks-stderr');
    const { code, stderr } = await cli(
      ['scan', 'missing\u001b]8;;https://evil\u0007\n::error::x\r.json', ...NOW],
      {
        cwd: dir,
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('missing\\x1B]8;;https://evil\\x07');
    expect(stderr).not.toMatch(RAW_CONTROL);
    expect(stderr).not.toMatch(COMMAND_LINE);
  });

  it('the escaping helper: C0, C1, DEL, separators and bidi controls; lines starting a command are neutralized', () => {
    expect(escapeText('a\u0000b\u007fc\u0085d\u202ee\u2066f\tg')).toBe(
      'a\\x00b\\x7Fc\\x85d\\u202Ee\\u2066f\\tg',
    );
    expect(escapeText('plain ünïcode — text')).toBe('plain ünïcode — text');
    expect(neutralizeCommandLines('ok\n  ::error::x\n\u001b[1m::warning::y\u001b[22m\na :: b')).toBe(
      'ok\n  \\x3A:error::x\n\u001b[1m\\x3A:warning::y\u001b[22m\na :: b',
    );
    expect(escapeLines('\rprogress \u001b[2K: 1/2')).toBe('\rprogress \\x1B[2K: 1/2');
    expect(escapeLines('line one\n::add-mask::secret\n')).toBe('line one\n\\x3A:add-mask::secret\n');
  });
});
