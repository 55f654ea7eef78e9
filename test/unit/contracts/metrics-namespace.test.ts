import { metricsNamespaceFor, metricsNamespaceFromEnv, pascalCaseAppName } from '../../../contracts/metrics';

describe('metrics namespace (one rule for the stack, the functions and the client)', () => {
  it('turns a dashed app name into PascalCase', () => {
    expect(pascalCaseAppName('gaara-store')).toBe('GaaraStore');
    expect(pascalCaseAppName('billing')).toBe('Billing');
    expect(pascalCaseAppName('a-b-c')).toBe('ABC');
  });

  it('uses <App>/Secrets unless a namespace is configured', () => {
    expect(metricsNamespaceFor('gaara-store')).toBe('GaaraStore/Secrets');
    expect(metricsNamespaceFor('gaara-store', 'Custom/Ns')).toBe('Custom/Ns');
    expect(metricsNamespaceFor('gaara-store', '')).toBe('GaaraStore/Secrets');
  });

  it('reads APP_NAME and METRICS_NAMESPACE from the environment, defaulting to gaara-store', () => {
    expect(metricsNamespaceFromEnv({})).toBe('GaaraStore/Secrets');
    expect(metricsNamespaceFromEnv({ APP_NAME: 'shop-api' })).toBe('ShopApi/Secrets');
    expect(metricsNamespaceFromEnv({ APP_NAME: 'shop-api', METRICS_NAMESPACE: 'Ops/Rotation' })).toBe('Ops/Rotation');
  });
});
