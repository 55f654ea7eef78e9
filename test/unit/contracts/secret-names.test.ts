import { secretId, secretNamePrefix } from '../../../contracts/catalog';
import { outOfScope } from '../../../contracts/secret-identity';

describe('secret naming (one rule for the stack, the rotators, the filters and the client)', () => {
  it('names every secret of an environment under <app>/<env>/', () => {
    expect(secretNamePrefix('gaara-store', 'prod')).toBe('gaara-store/prod/');
    expect(secretId('gaara-store', 'prod', 'database-url')).toBe('gaara-store/prod/database-url');
  });
});

describe("the rotators' scope check reads the same prefix", () => {
  const scope = { app: 'gaara-store', environment: 'prod', serves: ['database-url' as const] };
  it('accepts its own secret and refuses a sibling environment whose name starts the same', () => {
    expect(outOfScope('gaara-store/prod/database-url', scope)).toBeUndefined();
    expect(outOfScope('gaara-store/prod-eu/database-url', scope)).toBe(
      'is not a secret of gaara-store/prod/* (this function serves only its own application and environment)',
    );
  });
});
