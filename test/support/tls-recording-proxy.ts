/**
 * A recording TCP proxy: proves whether a client's connection was TLS from the start ("nothing in clear").
 *
 *   const proxy = await startTlsRecordingProxy({ host: server.host, port: server.port }, 'mysql');
 *   // point the code under test at proxy.host:proxy.port (the server certificate must name proxy.host,
 *   // 127.0.0.1, for verification to pass), run it, then:
 *   expect(proxy.connections().length).toBeGreaterThan(0);
 *   expect(proxy.allEncrypted()).toBe(true);          // every connection upgraded to TLS after the preamble only
 *   expect(proxy.sawInClear(password)).toBe(false);    // no client byte sent in clear holds the password
 *   await proxy.close();                               // in afterAll / finally
 *
 * Protocol preambles (plaintext the protocol needs before its TLS handshake; anything more is a leak):
 * - postgres: the 8-byte SSLRequest (length 8, code 80877103), then the TLS ClientHello;
 * - mysql (MySQL/MariaDB): the server speaks first (greeting), the client answers with a 36-byte SSL Request
 *   packet (4-byte header + 32-byte payload with the CLIENT_SSL capability), then the TLS ClientHello;
 * - redis: the TLS ClientHello is the first client byte.
 *
 * Only client-to-server bytes are recorded (server bytes are forwarded unrecorded). The analysis runs over
 * the bytes recorded so far, so read `connections()` after the client is done.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

export type ProxiedProtocol = 'postgres' | 'mysql' | 'redis';

export interface RecordedConnection {
  /** True only when the client's first bytes were exactly the protocol's preamble followed by a TLS ClientHello. */
  tls: boolean;
  /** Client bytes before the ClientHello (every client byte when there was none). */
  plaintextBytes: number;
  /** The first 4 KiB the client sent (encrypted after the handshake starts when `tls`). */
  clientBytes: Buffer;
  /** The client bytes known to have crossed in clear (up to 1 MiB): the preamble, or the whole stream without TLS. */
  plaintext: Buffer;
  /** Every client byte forwarded on this connection. */
  totalClientBytes: number;
}

export interface TlsRecordingProxy {
  host: string;
  port: number;
  connections(): RecordedConnection[];
  /** At least one connection, and every connection TLS from the start (after the protocol's preamble only). */
  allEncrypted(): boolean;
  /** Whether `needle` (a string as UTF-8, or bytes) occurs in any client byte that crossed in clear. */
  sawInClear(needle: string | Buffer): boolean;
  /** Forgets the connections recorded so far (the proxy keeps running). */
  reset(): void;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

const CLIENT_BYTES_KEPT = 4 * 1024;
const PLAINTEXT_KEPT = 1024 * 1024;
const CLIENT_SSL = 0x0800;
const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103
const MYSQL_SSL_REQUEST_LENGTH = 4 + 32;

/** A TLS record header of a handshake record (0x16, version 3.x) whose first message is a ClientHello (0x01). */
export function isClientHelloAt(bytes: Buffer, offset: number): boolean {
  if (bytes.length < offset + 6) return false;
  const [type, major, minor] = [bytes[offset], bytes[offset + 1], bytes[offset + 2] as number];
  return type === 0x16 && major === 0x03 && minor >= 0x01 && minor <= 0x04 && bytes[offset + 5] === 0x01;
}

/** Length of the protocol's plaintext preamble at the start of `bytes`, or undefined when it is not there. */
export function preambleLength(bytes: Buffer, protocol: ProxiedProtocol): number | undefined {
  switch (protocol) {
    case 'redis':
      return 0;
    case 'postgres':
      return bytes.subarray(0, 8).equals(POSTGRES_SSL_REQUEST) ? 8 : undefined;
    case 'mysql': {
      // 3-byte little-endian payload length 32, sequence id 1 (the greeting was 0), capabilities with CLIENT_SSL.
      if (bytes.length < MYSQL_SSL_REQUEST_LENGTH) return undefined;
      const payloadLength = bytes.readUIntLE(0, 3);
      const capabilities = bytes.readUInt32LE(4);
      return payloadLength === 32 && bytes[3] === 1 && (capabilities & CLIENT_SSL) !== 0 ? MYSQL_SSL_REQUEST_LENGTH : undefined;
    }
  }
}

function findClientHello(bytes: Buffer, from = 0): number | undefined {
  for (let i = from; i + 6 <= bytes.length; i++) if (isClientHelloAt(bytes, i)) return i;
  return undefined;
}

/** The verdict on one client stream, from its first bytes (`kept`) and the number of bytes it sent in all. */
export function analyzeClientStream(kept: Buffer, totalClientBytes: number, protocol: ProxiedProtocol): { tls: boolean; plaintextBytes: number } {
  const preamble = preambleLength(kept, protocol);
  if (preamble !== undefined && isClientHelloAt(kept, preamble)) return { tls: true, plaintextBytes: preamble };
  // Not a clean upgrade: report how much went before a later ClientHello (e.g. a STARTTLS after plaintext), if any.
  const hello = findClientHello(kept);
  return { tls: false, plaintextBytes: hello ?? totalClientBytes };
}

class ConnectionRecord {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly protocol: ProxiedProtocol) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= PLAINTEXT_KEPT) return;
    const part = chunk.subarray(0, PLAINTEXT_KEPT - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  }

  snapshot(): RecordedConnection {
    const all = Buffer.concat(this.chunks);
    const { tls, plaintextBytes } = analyzeClientStream(all, this.total, this.protocol);
    return {
      tls,
      plaintextBytes,
      clientBytes: all.subarray(0, CLIENT_BYTES_KEPT),
      plaintext: all.subarray(0, Math.min(plaintextBytes, all.length)),
      totalClientBytes: this.total,
    };
  }
}

export async function startTlsRecordingProxy(target: { host: string; port: number }, protocol: ProxiedProtocol): Promise<TlsRecordingProxy> {
  let records: ConnectionRecord[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    const record = new ConnectionRecord(protocol);
    records.push(record);
    const upstream = createConnection({ host: target.host, port: target.port });
    track(client);
    track(upstream);
    client.on('data', (chunk: Buffer) => record.add(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const connections = () => records.map((r) => r.snapshot());
  return {
    host: '127.0.0.1',
    port,
    connections,
    allEncrypted() {
      const all = connections();
      return all.length > 0 && all.every((c) => c.tls);
    },
    sawInClear(needle) {
      const bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle;
      return connections().some((c) => c.plaintext.includes(bytes));
    },
    reset() {
      records = [];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
