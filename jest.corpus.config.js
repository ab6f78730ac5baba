/**
 * `npm run test:corpus`: the parsers and loaders against real third-party files (`../shared/corpus`, or
 * `$APIM_AUDIT_CORPUS`). Fails, never skips, when the corpus is absent.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/corpus'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/corpus/global-setup.js',
};
