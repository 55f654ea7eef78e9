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
