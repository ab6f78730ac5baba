import { cli } from '../helpers/cli';
it('probe', async () => {
  for (const args of [
    ['--source', 'apiops:examples/apiops-real/apimartifacts', '--source', 'manifest:examples/apiops-real/entra'],
    ['--source', 'arm:test/sources/arm/fixtures/colors.json#test/sources/arm/fixtures/colors.parameters.json'],
    ['--source', 'arm:test/sources/arm/fixtures/nested.json#test/sources/arm/fixtures/nested.parameters.json'],
  ]) {
    const run = await cli(['scan', ...args, '--no-config', '--compact', '--now', '2026-11-25T12:00:00Z']);
    console.log(run.stdout.split('\n').filter((l) => /:\d+:\d+: /.test(l)).join('\n') + '\n' + run.stderr);
  }
});
