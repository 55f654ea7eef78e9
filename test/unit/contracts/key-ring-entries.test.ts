import { catalogEntry, type SecretName } from '../../../contracts';

function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const key = (n: number) => Buffer.alloc(32, n).toString('base64url');

/** A well-formed ring with `count` previous keys. */
function ringWithPrevious(count: number) {
  return {
    schema: 1,
    current: { kid: 'k-current', key: key(0), createdAt: '2026-11-01T00:00:00.000Z' },
    previous: Array.from({ length: count }, (_, i) => ({
      kid: `k-previous-${i}`,
      key: key(i + 1),
      createdAt: '2026-08-01T00:00:00.000Z',
      retiredAt: '2026-11-01T00:00:00.000Z',
    })),
  };
}

describe('each key-ring catalog entry parses with its own name and its own previous-key bound', () => {
  const entries: { name: SecretName; maxPrevious: number; tooMany: string; badKey: string }[] = [
    {
      name: 'secret-key',
      maxPrevious: 4,
      tooMany: 'secret-key secret: field "previous" holds more than the 4 keys allowed',
      badKey: 'secret-key secret: field "current.key" must be base64url',
    },
    {
      name: 'jwt-secret',
      maxPrevious: 4,
      tooMany: 'jwt-secret secret: field "previous" holds more than the 4 keys allowed',
      badKey: 'jwt-secret secret: field "current.key" must be base64url',
    },
    {
      name: 'encryption-key',
      maxPrevious: 64,
      tooMany: 'encryption-key secret: field "previous" holds more than the 64 keys allowed',
      badKey: 'encryption-key secret: field "current.key" must be base64url',
    },
  ];

  it.each(entries)('$name accepts $maxPrevious previous keys and refuses one more, naming itself', ({ name, maxPrevious, tooMany }) => {
    const { parse } = catalogEntry(name);
    expect(() => parse(ringWithPrevious(maxPrevious))).not.toThrow();
    expect(thrownMessage(() => parse(ringWithPrevious(maxPrevious + 1)))).toBe(tooMany);
  });

  it.each(entries)('$name names itself when it refuses a ring', ({ name, badKey }) => {
    const { parse } = catalogEntry(name);
    const badRing = { ...ringWithPrevious(0), current: { kid: 'k-current', key: 'not base64url!', createdAt: '2026-11-01T00:00:00.000Z' } };
    expect(thrownMessage(() => parse(badRing))).toBe(badKey);
  });
});
