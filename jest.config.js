/** One Jest run for the whole suite: unit, infra, integration (real servers), bundle and the client package. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] };
const project = (displayName, roots, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform,
  roots,
  testMatch: ['**/*.test.ts'],
  ...extra,
});
module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit']),
    project('infra', ['<rootDir>/test/infra']),
    project('integration', ['<rootDir>/test/integration']),
    project('bundle', ['<rootDir>/test/bundle']),
    project('client', ['<rootDir>/client/test']),
    project('cli', ['<rootDir>/test/cli']),
  ],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
