// Fails the whole corpus run at once (before any suite) when the corpus is absent: never a silent skip.
const { existsSync } = require('node:fs');
const path = require('node:path');

module.exports = async function globalSetup() {
  const configured = process.env.APIM_AUDIT_CORPUS;
  const root = path.resolve(
    __dirname,
    '../..',
    configured && configured.trim() ? configured : '../shared/corpus',
  );
  if (!existsSync(path.join(root, 'MANIFEST.tsv'))) {
    throw new Error(
      `npm run test:corpus: the third-party corpus is not at ${root}. Put it at ../shared/corpus next to the ` +
        'repository or set APIM_AUDIT_CORPUS=<folder>.',
    );
  }
};
