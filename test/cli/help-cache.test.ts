import yargs from 'yargs';
import { withoutHelpCaching } from '../../src/cli/help-cache';

interface Usage {
  hasCachedHelpMessage(): boolean;
}

/** A parser like the CLI's: a command whose handler only records it, parsed with a callback. */
function parser() {
  return yargs()
    .scriptName('tool')
    .command(
      'scan [sources..]',
      'Scan',
      (y) => y.option('format', { type: 'string', describe: 'Report format' }),
      () => undefined,
    )
    .strict()
    .help()
    .exitProcess(false);
}

function usageOf(p: ReturnType<typeof parser>): Usage {
  return (p as unknown as { getInternalMethods(): { getUsageInstance(): Usage } })
    .getInternalMethods()
    .getUsageInstance();
}

async function parse(p: ReturnType<typeof parser>, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    void p.parse(argv, {}, (error, _args, output) => (error ? reject(error) : resolve(output)));
  });
}

describe('withoutHelpCaching', () => {
  it("applies to the yargs in use: it formats the help after a command's handler, and not with the change", async () => {
    // Without the change, yargs formats and keeps the help text (what the change spares every run).
    const plain = parser();
    await parse(plain, ['scan', 'a.json', '--format', 'json']);
    expect(usageOf(plain).hasCachedHelpMessage()).toBe(true);

    const changed = withoutHelpCaching(parser());
    await parse(changed, ['scan', 'a.json', '--format', 'json']);
    expect(usageOf(changed).hasCachedHelpMessage()).toBe(false);
  });

  it('leaves the help shown for --help and for a usage error as it was', async () => {
    for (const argv of [['--help'], ['scan', '--help']]) {
      expect(await parse(withoutHelpCaching(parser()), argv)).toBe(await parse(parser(), argv));
    }
    const failure = (p: ReturnType<typeof parser>) =>
      parse(p, ['scan', '--nope']).then(
        () => 'parsed',
        (error: Error) => error.message,
      );
    expect(await failure(withoutHelpCaching(parser()))).toBe(await failure(parser()));
  });

  it('changes nothing on a parser without the internals it looks for', () => {
    const bare = {} as unknown as ReturnType<typeof parser>;
    expect(withoutHelpCaching(bare)).toBe(bare);
  });
});
