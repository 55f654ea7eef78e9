import { jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { KeyRing } from '../../../contracts';
import { KeyRingError } from '../errors';
import type { SecretValue } from '../secret-value';
import { KeyRingKeys } from './key-ring';

export type KeyRingProvider = (options?: { forceRefresh?: boolean }) => Promise<SecretValue<KeyRing>>;

export interface JwtSignOptions {
  /** jose time span ('15m') or seconds since the epoch. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string | string[];
  subject?: string;
}

const ALGORITHM = 'HS256';

/**
 * HS256 JWTs over the jwt-secret key ring: signs with the current key and its kid; verifies with the key named by
 * the token's kid only (no trying every key), HS256 only (so alg "none" and algorithm confusion are refused).
 * An unknown kid triggers one ring refresh (another instance may have rotated first), then is refused.
 */
export class JwtKeyRing {
  constructor(private readonly ring: KeyRingProvider) {}

  async sign(payload: JWTPayload, options: JwtSignOptions = {}): Promise<string> {
    const { kid, key } = new KeyRingKeys(await this.ring()).current();
    let jwt = new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' }).setIssuedAt();
    if (options.expiresIn !== undefined) jwt = jwt.setExpirationTime(options.expiresIn);
    if (options.issuer) jwt = jwt.setIssuer(options.issuer);
    if (options.audience) jwt = jwt.setAudience(options.audience);
    if (options.subject) jwt = jwt.setSubject(options.subject);
    return jwt.sign(key);
  }

  async verify(token: string, options: Omit<JWTVerifyOptions, 'algorithms'> = {}): Promise<{ payload: JWTPayload; kid: string }> {
    const resolveKey = async (header: JWTHeaderParameters): Promise<Uint8Array> => {
      if (header.alg !== ALGORITHM) throw new KeyRingError(`JWT refused: algorithm "${String(header.alg)}" is not ${ALGORITHM}`);
      if (typeof header.kid !== 'string' || header.kid.length === 0) throw new KeyRingError('JWT refused: no kid in the header');
      const found = new KeyRingKeys(await this.ring()).find(header.kid) ?? new KeyRingKeys(await this.ring({ forceRefresh: true })).find(header.kid);
      if (!found) throw new KeyRingError(`JWT refused: unknown kid "${header.kid}"`);
      return found.key;
    };
    const { payload, protectedHeader } = await jwtVerify(token, resolveKey, { ...options, algorithms: [ALGORITHM] });
    return { payload, kid: protectedHeader.kid as string };
  }
}

/** A JwtKeyRing reading the ring through a SecretsClient's cache. */
export function jwtKeyRing(secrets: { getKeyRing(id: string, o?: { forceRefresh?: boolean }): Promise<SecretValue<KeyRing>> }, secretId: string): JwtKeyRing {
  return new JwtKeyRing((options) => secrets.getKeyRing(secretId, options));
}
