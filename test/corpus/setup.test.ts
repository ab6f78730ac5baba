/**
 * The corpus run fails at once, naming the folder, when the corpus is absent (a globalSetup that throws), never
 * skips. Runs in `npm run test:corpus`, which has the corpus: the missing folder is simulated.
 */
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

describe('corpus suite set-up', () => {
  it('the corpus run fails at once, naming the folder, when the corpus is absent', async () => {
    const { default: setup } = (await import(path.join(__dirname, 'global-setup.js'))) as {
      default: () => Promise<void>;
    };
    const saved = process.env['APIM_AUDIT_CORPUS'];
    process.env['APIM_AUDIT_CORPUS'] = path.join(REPO, 'no-such-corpus');
    try {
      await expect(setup()).rejects.toThrow(/the third-party corpus is not at .*no-such-corpus/);
    } finally {
      if (saved === undefined) delete process.env['APIM_AUDIT_CORPUS'];
      else process.env['APIM_AUDIT_CORPUS'] = saved;
    }
  });
});
