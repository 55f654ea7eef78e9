/**
 * A client-computed SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's stored format), so the plaintext
 * password never reaches the server's statement logs (log_statement = ddl, pgaudit).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const ITERATIONS = 4096;

export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  // SASLprep is the identity for printable ASCII; other passwords would need normalisation we do not do.
  if (!/^[ -~]+$/.test(password)) throw new Error('SCRAM verifier: only printable ASCII passwords are supported');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
