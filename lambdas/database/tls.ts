/**
 * TLS to the database: the server certificate and host name are always verified unless the secret says
 * `ssl: false` (plaintext, explicitly). Never a silent fallback: a server without TLS fails the connection.
 * Trusted CAs: Node's store (bundled roots plus NODE_EXTRA_CA_CERTS, which Lambda points at the RDS bundle),
 * or, for tests, one injected CA.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

export function verifiedTls(host: string, ca?: string): ConnectionOptions & { rejectUnauthorized: true } {
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(ca === undefined ? {} : { ca }),
    // SNI must not carry an IP address; the identity check then uses the host itself.
    ...(isIP(host) === 0 ? { servername: host } : {}),
  };
}
