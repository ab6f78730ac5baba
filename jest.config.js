/**
 * `npm test`: everything under test/ except the third-party corpus suite (test/corpus/, `npm run test:corpus`) and
 * the browser suite (test/browser/, `npm run test:browser`, needs Chromium), so that the tests pass on a fresh
 * clone with nothing next to it.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/corpus/', '<rootDir>/test/browser/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: false }] },
  // Plugins (examples/custom-rule) require the package by name; under jest that is the source, not dist/.
  moduleNameMapper: { '^apim-oauth-audit$': '<rootDir>/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanup.ts'],
  testTimeout: 30000,
};
