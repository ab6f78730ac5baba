/**
 * `npm run test:browser`: the HTML report in a real headless Chromium (Debian's `chromium`, or
 * `$APIM_AUDIT_CHROMIUM`) driven by puppeteer-core. Fails, never skips, when Chromium is absent. Screenshots go to
 * test/artifacts/ (ignored by git).
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/browser/global-setup.js',
  testTimeout: 60000,
};
