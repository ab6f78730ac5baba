import { azureDevopsReporter } from '../../reporters/azure-devops';
import { jsonReporter } from '../../reporters/json';
import { textReporter } from '../../reporters/text';
import { sarifReporter } from '../../reporters/sarif';
import { escapeLines } from '../../src/util/escape';
import { OPTIONS } from './sample-result';
import { findingAt, hostileFinding, resultWith } from './ci-formats-helpers';

/** A logging command as the agent reads it: `##vso[area.action key=value;...]message`, anywhere in a line. */
const COMMAND = /##vso\[([\w.]+) ?([^\]]*)\](.*)$/i;

function unescape(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3B/g, ';')
    .replace(/%5D/g, ']')
    .replace(/%AZP25/g, '%');
}

function commands(report: string) {
  return report.split('\n').flatMap((line) => {
    const match = COMMAND.exec(line);
    if (!match) return [];
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(';').filter((p) => p !== '')) {
      properties[pair.slice(0, pair.indexOf('='))] = unescape(pair.slice(pair.indexOf('=') + 1));
    }
    return [{ name: match[1], properties, message: unescape(match[3] ?? '') }];
  });
}

const INJECTION = `x ##vso[task.setvariable variable=AZURE_CLIENT_SECRET]stolen ##[error]red ##VSO[task.complete result=Succeeded]`;

describe('azure-devops reporter', () => {
  it('logs each finding as an issue on its file, line and column, coded with the rule', () => {
    const report = azureDevopsReporter(resultWith([findingAt(1, 'error'), findingAt(2, 'note')]), OPTIONS);
    expect(commands(report)).toEqual([
      {
        name: 'task.logissue',
        properties: {
          type: 'error',
          sourcepath: 'entra/app-1.json',
          linenumber: '2',
          columnnumber: '3',
          code: 'redirect-uri-safe',
        },
        message:
          "redirect-uri-safe: App 'app-1' has redirect URI http://app-1.contoso.com/signin; use https.",
      },
      expect.objectContaining({
        properties: expect.objectContaining({ type: 'warning' }) as unknown,
        message: expect.stringMatching(/^note: redirect-uri-safe: /) as unknown,
      }),
    ]);
    expect(report.trimEnd().split('\n').at(-1)).toBe(
      'apim-oauth-audit: 2 findings (1 errors, 0 warnings, 1 notes).',
    );
  });

  it('escapes values so that none ends the command or runs another', () => {
    const finding = hostileFinding();
    finding.message = `${finding.message} ${INJECTION}`;
    finding.location.file = 'a;b].xml';
    const report = azureDevopsReporter(resultWith([finding]), OPTIONS);
    const found = commands(report);
    expect(found).toHaveLength(1);
    expect(found[0]?.properties['sourcepath']).toBe('a;b].xml');
    expect(report.split('\n')).toHaveLength(3); // one issue, the summary line, the final newline
  });

  it.each([
    ['text', () => textReporter(resultWith([findingAt(1, 'error', { message: INJECTION })]), OPTIONS)],
    ['json', () => jsonReporter(resultWith([findingAt(1, 'error', { message: INJECTION })]), OPTIONS)],
    ['sarif', () => sarifReporter(resultWith([findingAt(1, 'error', { message: INJECTION })]), OPTIONS)],
    ['stderr', () => escapeLines(`apim-oauth-audit: ${INJECTION}\n`)],
  ])('the %s report runs no Azure Pipelines command a value carries', (_name, make) => {
    const report = make();
    expect(report).not.toMatch(/##(vso)?\[/i);
    expect(report).toContain('task.setvariable variable=AZURE_CLIENT_SECRET');
  });

  it('keeps the value in JSON: the escaped bracket parses back to the same string', () => {
    const report = jsonReporter(resultWith([findingAt(1, 'error', { message: INJECTION })]), OPTIONS);
    expect((JSON.parse(report) as { findings: { message: string }[] }).findings[0]?.message).toBe(INJECTION);
  });
});
