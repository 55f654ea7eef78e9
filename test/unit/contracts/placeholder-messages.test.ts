import { catalogEntry, parseKeyRing, type SecretName } from '../../../contracts';

function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

/** What a reader is told when a secret still holds the value the stack deployed: each message written out in full. */
describe('a secret still holding its deploy-time placeholder is refused with why it has no value yet', () => {
  /** The whole message the catalog entry's parser throws for its own initial value. */
  const refusal = (name: SecretName) => {
    const entry = catalogEntry(name);
    return thrownMessage(() => entry.parse(entry.initialValue()));
  };

  it('database-url and redis-password: seeded by the runbook first-deploy step', () => {
    expect(refusal('database-url')).toBe(
      'database-url secret: field "placeholder" is set: the credential has not been seeded yet (see the runbook, first deploy)',
    );
    expect(refusal('redis-password')).toBe(
      'redis-password secret: field "placeholder" is set: the credential has not been seeded yet (see the runbook, first deploy)',
    );
  });

  it('a key ring: created by its first rotation', () => {
    expect(refusal('jwt-secret')).toBe('jwt-secret secret: field "placeholder" is set: the ring has not been created yet (the first rotation creates it)');
    expect(thrownMessage(() => parseKeyRing({ placeholder: true }))).toBe(
      'key ring secret: field "placeholder" is set: the ring has not been created yet (the first rotation creates it)',
    );
  });

  it('mail-password and sentry-dsn: set by an operator', () => {
    expect(refusal('mail-password')).toBe(
      'mail-password secret: field "placeholder" is set: an operator has not set this third-party secret yet (see the runbook)',
    );
    expect(refusal('sentry-dsn')).toBe('sentry-dsn secret: field "placeholder" is set: an operator has not set this third-party secret yet (see the runbook)');
  });
});
