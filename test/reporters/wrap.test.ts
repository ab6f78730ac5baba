import { wrapCommand, wrapWords } from '../../reporters/wrap';

describe('wrapWords', () => {
  it('fills each line up to the width, breaking at spaces', () => {
    expect(wrapWords('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrapWords('aaa bbb ccc ddd', 6)).toEqual(['aaa', 'bbb', 'ccc', 'ddd']);
    expect(wrapWords('aaa bbb ccc ddd', 15)).toEqual(['aaa bbb ccc ddd']);
  });

  it('never breaks inside a word longer than the width: the word stands alone and overflows', () => {
    const url = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
    expect(wrapWords(`set it to ${url} now`, 20)).toEqual(['set it to', url, 'now']);
    expect(wrapWords(url, 10)).toEqual([url]);
  });

  it('uses the first width for the first line and the other width for the rest (a hanging label)', () => {
    expect(wrapWords('aa bb cc dd', 5, 8)).toEqual(['aa bb', 'cc dd']);
    expect(wrapWords('aa bb cc dd ee', 2, 8)).toEqual(['aa', 'bb cc dd', 'ee']);
  });

  it('collapses runs of spaces and gives no line for empty text', () => {
    expect(wrapWords('  a   b  ', 10)).toEqual(['a b']);
    expect(wrapWords('', 10)).toEqual([]);
  });
});

describe('wrapCommand', () => {
  it('ends every line but the last with a continuation, counted in the width', () => {
    expect(wrapCommand('az ad app update --id 123', 100)).toEqual(['az ad app update --id 123']);
    // 'az ad app' is 9 characters: with ' \' it fills a width of 11 exactly.
    expect(wrapCommand('az ad app update', 11)).toEqual(['az ad app \\', 'update']);
    // Every line keeps room for the continuation, the last one too (greedy, no look-ahead).
    expect(wrapCommand('az ad app update', 10)).toEqual(['az ad \\', 'app \\', 'update']);
  });

  it('keeps an option with its value, and never breaks inside single quotes', () => {
    const command = `az rest --method patch --uri 'https://x/y?a=1' --body '{"a": "b c"}' --headers If-Match=*`;
    expect(wrapCommand(command, 30)).toEqual([
      'az rest --method patch \\',
      "--uri 'https://x/y?a=1' \\",
      `--body '{"a": "b c"}' \\`,
      '--headers If-Match=*',
    ]);
  });

  it("treats the shell's quoted quote ('it'\\''s') and a backslash-escaped space as part of one argument", () => {
    expect(wrapCommand(`echo 'it'\\''s a b' x\\ y z`, 1)).toEqual([
      `echo \\`,
      `'it'\\''s a b' \\`,
      'x\\ y \\',
      'z',
    ]);
  });

  it('gives back the same command when the lines are joined as a shell joins them', () => {
    const command = `az ad app update --id 1 --set api.requestedAccessTokenVersion='2' --set 'x=a b'`;
    for (const width of [1, 20, 40, 200]) {
      expect(wrapCommand(command, width).join('\n').replace(/ \\\n/g, ' ')).toBe(command);
    }
  });
});
