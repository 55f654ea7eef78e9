import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'client/dist/**', 'client/.build-test-*/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['bench/**', 'bin/**', 'test/**', 'client/test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests walk synthesized CloudFormation and recorded events, which are untyped JSON.
    files: ['test/**', 'client/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['lambdas/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '**/lib/**', 'cdk-nag'] }],
    },
  },
  {
    // Passwords, keys, key ids and tokens come from node:crypto (a CSPRNG); Math.random is predictable.
    // client/src/secrets is left out on purpose: its cache TTL jitter may use Math.random.
    files: ['lambdas/**', 'contracts/**', 'client/src/field-encryption/**', 'client/src/keyring/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use node:crypto (randomInt, randomBytes): Math.random is not a CSPRNG.' },
      ],
    },
  },
  {
    // The operator command line starts fast and ships no CDK: it reads lib/config only (which imports no CDK).
    files: ['cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', '**/lambdas/**'] }],
    },
  },
  {
    files: ['client/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', '**/lib/**', '**/lambdas/**'] }],
    },
  },
  {
    files: ['contracts/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', '**/lib/**', '**/lambdas/**', '**/client/**', '@aws-sdk/*'] }],
    },
  },
);
