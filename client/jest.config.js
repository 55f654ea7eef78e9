/** The package's own Jest config, so `npm test` works from client/ (the root jest.config.js runs it as the `client` project). */
const path = require('node:path');

module.exports = {
  rootDir: __dirname,
  displayName: 'client',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, '..', 'tsconfig.json'), diagnostics: false }] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 120000,
};
