jest.mock('jose', () => jest.requireActual('./support/jose-cjs').loadJoseAsCommonJs());
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from '../../contracts';
import { keyRingFixture } from '../../contracts/fixtures';
import { JwtKeyRing } from '../src/keyring/jwt';
import { KeyRingKeys } from '../src/keyring/key-ring';
import { SecretValue } from '../src/secret-value';

const wrap = (ring: KeyRing) => new SecretValue(ring, { secretId: 'gaara-store/test/jwt-secret' });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('key ring helpers', () => {
  it('gives the current key for signing and any kept key by kid; unknown kid throws naming the kid only', () => {
    const keys = new KeyRingKeys(wrap(keyRingFixture));
    expect(keys.current().kid).toBe(keyRingFixture.current.kid);
    expect(keys.current().key).toEqual(Buffer.from(keyRingFixture.current.key, 'base64url'));
    expect(keys.get(keyRingFixture.previous[0].kid).key).toEqual(Buffer.from(keyRingFixture.previous[0].key, 'base64url'));
    expect(keys.kids).toEqual([keyRingFixture.current.kid, keyRingFixture.previous[0].kid]);
    expect(() => keys.get('nope')).toThrow('gaara-store/test/jwt-secret: unknown key id "nope"');
    keys.current().key.fill(0); // copies: the ring is unchanged
    expect(keys.current().key).toEqual(Buffer.from(keyRingFixture.current.key, 'base64url'));
  });
});

describe('JWT over the jwt-secret ring (HS256 with kid, via jose)', () => {
  let ring: KeyRing = keyRingFixture;
  let refreshes = 0;
  const jwt = new JwtKeyRing(async (o) => {
    if (o?.forceRefresh) refreshes += 1;
    return wrap(ring);
  });
  beforeEach(() => {
    ring = keyRingFixture;
    refreshes = 0;
  });

  it('signs with the current key and kid, and verifies', async () => {
    const token = await jwt.sign({ sub: 'user-1' }, { expiresIn: '5m', issuer: 'gaara-store' });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', kid: keyRingFixture.current.kid, typ: 'JWT' });
    const { payload, kid } = await jwt.verify(token, { issuer: 'gaara-store' });
    expect(payload.sub).toBe('user-1');
    expect(kid).toBe(keyRingFixture.current.kid);
  });

  it('verifies a token signed with a previous key (issued before the rotation)', async () => {
    const old = keyRingFixture.previous[0];
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: old.kid }).sign(Buffer.from(old.key, 'base64url'));
    await expect(jwt.verify(token)).resolves.toMatchObject({ kid: old.kid });
  });

  it('refuses an unknown kid after one ring refresh, and a token whose kid names another key', async () => {
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: 'k-unknown' }).sign(Buffer.alloc(32, 9));
    await expect(jwt.verify(token)).rejects.toThrow('JWT refused: unknown kid "k-unknown"');
    expect(refreshes).toBe(1);
    const wrongKey = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: keyRingFixture.current.kid }).sign(Buffer.alloc(32, 9));
    await expect(jwt.verify(wrongKey)).rejects.toThrow(/signature verification failed/);
  });

  it('picks up a key another instance rotated in (unknown kid -> refresh -> found)', async () => {
    const rotated: KeyRing = {
      ...keyRingFixture,
      current: { kid: 'k-new', key: Buffer.alloc(32, 7).toString('base64url'), createdAt: '2026-11-20T00:00:00Z' },
    };
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256', kid: 'k-new' }).sign(Buffer.alloc(32, 7));
    const source = jest.fn(async (o?: { forceRefresh?: boolean }) => wrap(o?.forceRefresh ? rotated : keyRingFixture));
    await expect(new JwtKeyRing(source).verify(token)).resolves.toMatchObject({ kid: 'k-new' });
  });

  it('refuses alg none, other algorithms and a missing kid', async () => {
    const payload = b64({ sub: 'u' });
    const none = `${b64({ alg: 'none', kid: keyRingFixture.current.kid })}.${payload}.`;
    await expect(jwt.verify(none)).rejects.toThrow(/alg/i);
    const hs512Input = `${b64({ alg: 'HS512', kid: keyRingFixture.current.kid })}.${payload}`;
    const hs512 = `${hs512Input}.${createHmac('sha512', Buffer.from(keyRingFixture.current.key, 'base64url')).update(hs512Input).digest('base64url')}`;
    await expect(jwt.verify(hs512)).rejects.toThrow(/not allowed|HS256/);
    const noKid = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(keyRingFixture.current.key, 'base64url'));
    await expect(jwt.verify(noKid)).rejects.toThrow('JWT refused: no kid in the header');
  });
});
