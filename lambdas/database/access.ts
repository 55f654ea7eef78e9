/**
 * Logging in for a step: errors say which version's credential was used, and `tryLogin` turns only an
 * authentication failure into "no" (network and TLS failures stop the step: never a fallback on those).
 */
import { isAuthFailure, RotationError } from '../rotation/errors';
import type { ConnectOptions, DbEndpoint, DbSession, EngineDriver } from './driver';

export class DbAccess {
  constructor(
    readonly driver: EngineDriver,
    private readonly opts: ConnectOptions,
  ) {}

  async login(endpoint: DbEndpoint, which: string): Promise<DbSession> {
    try {
      return await this.driver.connect(endpoint, this.opts);
    } catch (e) {
      const inner = e instanceof RotationError ? e : new RotationError('Internal', 'login failed', { cause: e });
      throw new RotationError(inner.errorClass, `${which}: ${inner.message}`, { cause: e });
    }
  }

  /** The session, or undefined when the credential was refused. */
  async tryLogin(endpoint: DbEndpoint, which: string): Promise<DbSession | undefined> {
    try {
      return await this.login(endpoint, which);
    } catch (e) {
      if (isAuthFailure(e)) return undefined;
      throw e;
    }
  }

  /** Logs in, runs `use`, always closes. */
  async with<R>(endpoint: DbEndpoint, which: string, use: (s: DbSession) => Promise<R>): Promise<R> {
    const session = await this.login(endpoint, which);
    try {
      return await use(session);
    } finally {
      await session.close();
    }
  }
}

/**
 * Logs in with the first candidate whose credential is accepted, trying the next one only after an
 * authentication failure. Undefined candidates (no AWSPREVIOUS) are skipped.
 */
export async function loginFirstAccepted(
  db: DbAccess,
  candidates: { which: string; endpoint: () => Promise<DbEndpoint | undefined> }[],
): Promise<{ session: DbSession; which: string } | undefined> {
  for (const candidate of candidates) {
    const endpoint = await candidate.endpoint();
    if (endpoint === undefined) continue;
    const session = await db.tryLogin(endpoint, candidate.which);
    if (session) return { session, which: candidate.which };
  }
  return undefined;
}
