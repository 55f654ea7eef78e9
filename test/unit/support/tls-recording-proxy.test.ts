/**
 * The recording proxy itself, over REAL sockets: a plain TCP echo server, a real node:tls server with a
 * certificate from a test CA (openssl), and servers that speak a MODELLED protocol preamble (PostgreSQL's
 * SSLRequest, MySQL's greeting + SSL Request) before upgrading the same socket to TLS. Clients are hand-written
 * so each byte sequence is known; real pg/mysql2 clients through the proxy are proven in the integration tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, createServer as netCreateServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as tlsCreateServer, TLSSocket } from 'node:tls';
import { makeTestTls } from '../../support/postgres-server';
import { analyzeClientStream, ProxiedProtocol, startTlsRecordingProxy, TlsRecordingProxy } from '../../support/tls-recording-proxy';

const SECRET = 'not-a-real-password-0123456789';
const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
/** 4-byte header (length 32, sequence 1) + capabilities with CLIENT_SSL (0x0800) + max packet + charset + filler. */
const MYSQL_SSL_REQUEST = Buffer.concat([Buffer.from([32, 0, 0, 1]), Buffer.from([0x00, 0x8a, 0x0f, 0x00]), Buffer.alloc(28)]);
const MYSQL_GREETING = Buffer.concat([Buffer.from([10, 0, 0, 0]), Buffer.from('\x0a5.5.5-x\x00\x01\x00\x00', 'latin1')]);

let dir: string;
let key: Buffer;
let cert: Buffer;
let ca: Buffer;
const servers: Server[] = [];
const proxies: TlsRecordingProxy[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-test-'));
  const files = makeTestTls(dir);
  [key, cert, ca] = [readFileSync(files.keyFile), readFileSync(files.certFile), readFileSync(files.caFile)];
});
afterAll(async () => {
  for (const p of proxies) await p.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function listen(server: Server): Promise<{ host: string; port: number }> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port };
}

async function proxyTo(target: { host: string; port: number }, protocol: ProxiedProtocol) {
  const p = await startTlsRecordingProxy(target, protocol);
  proxies.push(p);
  return p;
}

const readBytes = (socket: Socket, n: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < n) return;
      socket.off('data', onData);
      socket.pause();
      if (got.length > n) socket.unshift(got.subarray(n));
      resolve(got.subarray(0, n));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });

const connected = (socket: Socket) => new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));

/** Sends `payload` over TLS on `socket` (verifying the server as 127.0.0.1 with the test CA) and waits for the echo. */
async function tlsEcho(socket: Socket | undefined, port: number, payload: string): Promise<string> {
  const tls = tlsConnect({ ...(socket ? { socket } : { port }), host: '127.0.0.1', ca, rejectUnauthorized: true });
  await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
  tls.write(payload);
  const echoed = (await readBytes(tls, payload.length)).toString();
  tls.destroy();
  return echoed;
}

/** A server that answers the protocol's preamble (modelled), then serves TLS on the same socket and echoes. */
function preambleThenTlsServer(protocol: 'postgres' | 'mysql'): Server {
  return netCreateServer(async (socket) => {
    socket.on('error', () => undefined);
    if (protocol === 'mysql') socket.write(MYSQL_GREETING);
    await readBytes(socket, protocol === 'postgres' ? 8 : MYSQL_SSL_REQUEST.length);
    if (protocol === 'postgres') socket.write('S');
    const tls = new TLSSocket(socket, { isServer: true, key, cert });
    tls.on('error', () => undefined);
    tls.pipe(tls);
    socket.resume();
  });
}

describe('TLS recording proxy (real sockets; protocol preambles modelled by hand-written peers)', () => {
  it('a real plain TCP echo: not TLS, every client byte counted as plaintext, the secret is seen in clear', async () => {
    const target = await listen(netCreateServer((s) => s.pipe(s)));
    const proxy = await proxyTo(target, 'redis');
    const socket = netConnect(proxy.port, proxy.host);
    await connected(socket);
    const payload = `AUTH app ${SECRET}\r\n`;
    socket.write(payload);
    expect((await readBytes(socket, payload.length)).toString()).toBe(payload);
    socket.destroy();
    expect(proxy.connections()).toEqual([expect.objectContaining({ tls: false, plaintextBytes: payload.length, totalClientBytes: payload.length })]);
    expect(proxy.allEncrypted()).toBe(false);
    expect(proxy.sawInClear(SECRET)).toBe(true);
  });

  it('a real node:tls server (test CA, verified): TLS from the first byte, no plaintext, the secret is not in clear', async () => {
    const target = await listen(tlsCreateServer({ key, cert }, (s) => s.pipe(s)));
    const proxy = await proxyTo(target, 'redis');
    expect(await tlsEcho(undefined, proxy.port, SECRET)).toBe(SECRET);
    const [conn] = proxy.connections();
    expect(conn).toMatchObject({ tls: true, plaintextBytes: 0 });
    expect(conn?.clientBytes[0]).toBe(0x16);
    expect(conn?.clientBytes.includes(SECRET)).toBe(false);
    expect(proxy.allEncrypted()).toBe(true);
    expect(proxy.sawInClear(SECRET)).toBe(false);
  });

  it('postgres: the 8-byte SSLRequest then a real TLS handshake on the same socket counts as TLS with 8 preamble bytes', async () => {
    const target = await listen(preambleThenTlsServer('postgres'));
    const proxy = await proxyTo(target, 'postgres');
    const socket = netConnect(proxy.port, proxy.host);
    await connected(socket);
    socket.write(POSTGRES_SSL_REQUEST);
    expect((await readBytes(socket, 1)).toString()).toBe('S');
    expect(await tlsEcho(socket, proxy.port, SECRET)).toBe(SECRET);
    expect(proxy.connections()).toEqual([expect.objectContaining({ tls: true, plaintextBytes: 8 })]);
    expect(proxy.allEncrypted()).toBe(true);
    expect(proxy.sawInClear(SECRET)).toBe(false);
  });

  it('mysql: greeting, the 36-byte SSL Request with CLIENT_SSL, then a real TLS handshake counts as TLS with 36 preamble bytes', async () => {
    const target = await listen(preambleThenTlsServer('mysql'));
    const proxy = await proxyTo(target, 'mysql');
    const socket = netConnect(proxy.port, proxy.host);
    await connected(socket);
    await readBytes(socket, MYSQL_GREETING.length);
    socket.write(MYSQL_SSL_REQUEST);
    expect(await tlsEcho(socket, proxy.port, SECRET)).toBe(SECRET);
    expect(proxy.connections()).toEqual([expect.objectContaining({ tls: true, plaintextBytes: 36 })]);
    expect(proxy.allEncrypted()).toBe(true);
  });

  it('one plaintext connection among TLS ones makes allEncrypted false; no connection at all is not "all encrypted"', async () => {
    const target = await listen(tlsCreateServer({ key, cert }, (s) => s.pipe(s)));
    const proxy = await proxyTo(target, 'redis');
    expect(proxy.allEncrypted()).toBe(false);
    await tlsEcho(undefined, proxy.port, SECRET);
    const plain = netConnect(proxy.port, proxy.host);
    await connected(plain);
    plain.write(`AUTH ${SECRET}\r\n`);
    await new Promise((r) => plain.once('close', r));
    expect(proxy.connections().map((c) => c.tls)).toEqual([true, false]);
    expect(proxy.allEncrypted()).toBe(false);
    expect(proxy.sawInClear(SECRET)).toBe(true);
    proxy.reset();
    expect(proxy.connections()).toEqual([]);
  });
});

describe('TLS recording proxy: stream analysis (byte sequences, no sockets)', () => {
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]);
  const startup = Buffer.from(`\x00\x00\x00\x2a\x00\x03\x00\x00user\x00app\x00password\x00${SECRET}\x00`, 'latin1');

  it.each<[string, Buffer, ProxiedProtocol, { tls: boolean; plaintextBytes: number }]>([
    ['postgres SSLRequest + ClientHello', Buffer.concat([POSTGRES_SSL_REQUEST, hello]), 'postgres', { tls: true, plaintextBytes: 8 }],
    ['postgres startup message in clear (sslmode=disable)', startup, 'postgres', { tls: false, plaintextBytes: startup.length }],
    [
      'postgres SSLRequest refused, then the startup message in clear',
      Buffer.concat([POSTGRES_SSL_REQUEST, startup]),
      'postgres',
      { tls: false, plaintextBytes: 8 + startup.length },
    ],
    ['postgres ClientHello without the SSLRequest', hello, 'postgres', { tls: false, plaintextBytes: 0 }],
    ['mysql SSL Request + ClientHello', Buffer.concat([MYSQL_SSL_REQUEST, hello]), 'mysql', { tls: true, plaintextBytes: 36 }],
    [
      'mysql 36-byte packet without CLIENT_SSL',
      Buffer.concat([Buffer.from([32, 0, 0, 1]), Buffer.alloc(32), hello]),
      'mysql',
      { tls: false, plaintextBytes: 36 },
    ],
    ['mysql handshake response in clear', Buffer.concat([Buffer.from([60, 0, 0, 1]), Buffer.alloc(60, 0x41)]), 'mysql', { tls: false, plaintextBytes: 64 }],
    ['redis ClientHello first', hello, 'redis', { tls: true, plaintextBytes: 0 }],
    ['redis AUTH in clear', Buffer.from(`AUTH ${SECRET}\r\n`), 'redis', { tls: false, plaintextBytes: SECRET.length + 7 }],
  ])('%s', (_name, bytes, protocol, verdict) => {
    expect(analyzeClientStream(bytes, bytes.length, protocol)).toEqual(verdict);
  });
});
