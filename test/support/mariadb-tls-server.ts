/**
 * A throwaway MariaDB instance with TLS from a CA the test makes: the machine's shared MariaDB on 3306 has no
 * TLS, so it cannot prove certificate or host-name verification.
 *
 * - mariadb-install-db into a temp dir, then mariadbd as the `mysql` OS user (it refuses root) on a free port
 *   and its own socket, listening on 127.0.0.1 and 127.0.0.2;
 * - --ssl-ca/--ssl-cert/--ssl-key: a server certificate for SAN localhost + 127.0.0.1 (by default)
 *   signed by a test CA made with openssl; `mismatchHost` (127.0.0.2) is served but not named by the certificate;
 *   `otherCa` is a second CA that signed nothing the server presents;
 * - --require-secure-transport=ON by default: plaintext TCP logins are refused;
 * - root only over the instance's socket (unix_socket auth: the test process runs as root, as it must to start
 *   the server as `mysql`); `query` runs SQL as root.
 *
 * Start it once per suite (about 4 s: mariadb-install-db is most of it) and always `stop()` it in afterAll: it stops the server and removes the dir.
 *
 *   const db = await startMariaDbTls();
 *   await db.query('CREATE USER ?@? IDENTIFIED BY ?', ['app', '%', password]);
 *   // connect mysql2 to db.host:db.port with ssl: { ca: db.ca, rejectUnauthorized: true, verifyIdentity: true }
 *   await db.stop();
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';
import { freePort } from './free-port';

export interface MariaDbTlsServer {
  host: string;
  port: number;
  /** Also served, but not named by the server certificate: connecting to it must fail the identity check. */
  mismatchHost: string;
  /** PEM of the test CA that signed the server certificate. */
  ca: string;
  /** PEM of another CA: trusting only it, the server certificate must be refused. */
  otherCa: string;
  socketPath: string;
  requireSecureTransport: boolean;
  /** SQL as root over the instance's socket; values through mysql2 placeholders. */
  query<R extends RowDataPacket = RowDataPacket>(sql: string, values?: unknown[]): Promise<R[]>;
  /**
   * Replaces the server certificate (same test CA, this subjectAltName) and reloads it with FLUSH SSL; new
   * connections see it. `restoreCertificate()` puts the default one back.
   */
  reissueCertificate(subjectAltName: string): Promise<void>;
  restoreCertificate(): Promise<void>;
  /** The server's error log so far (for failure messages). */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface MariaDbTlsOptions {
  /** Refuse plaintext TCP connections (default true). */
  requireSecureTransport?: boolean;
  /** The server certificate's subjectAltName in openssl syntax (default `DNS:localhost,IP:127.0.0.1`). */
  subjectAltName?: string;
}

const firstExisting = (paths: string[], what: string): string => {
  const found = paths.find((p) => existsSync(p));
  if (!found) throw new Error(`${what} not found (looked for ${paths.join(', ')}); install mariadb-server`);
  return found;
};

function mysqlIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'mysql']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

const DEFAULT_SAN = 'DNS:localhost,IP:127.0.0.1';
const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
/** EC P-256 keys: generated in milliseconds, where RSA takes up to a second each. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): { caFile: string; caKey: string } {
  openssl(dir, 'req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  return { caFile: join(dir, `${name}.crt`), caKey: join(dir, `${name}.key`) };
}

/** Writes server.key/server.crt in `dir` for `subjectAltName` (the CN names no host: Node falls back to the CN when no DNS name is in the SAN), signed by the CA. */
function issueServerCert(dir: string, ca: { caFile: string; caKey: string }, subjectAltName: string): { certFile: string; keyFile: string } {
  openssl(dir, 'req', ...EC_KEY, '-keyout', 'server.key.new', '-out', 'server.csr', '-subj', '/CN=mariadb-test-server');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${subjectAltName}\n`);
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    ca.caFile,
    '-CAkey',
    ca.caKey,
    '-CAcreateserial',
    '-out',
    'server.crt.new',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  // Both files are replaced only once both exist, so a reload never pairs a new certificate with an old key.
  execFileSync('mv', ['-f', join(dir, 'server.key.new'), join(dir, 'server.key')]);
  execFileSync('mv', ['-f', join(dir, 'server.crt.new'), join(dir, 'server.crt')]);
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

/** A small, fast, throwaway server (no durability); no native AIO, which containers often forbid (io_uring/libaio). */
const FAST_INNODB = [
  '--innodb-log-file-size=4M',
  '--innodb-buffer-pool-size=16M',
  '--innodb-flush-method=nosync',
  '--innodb-doublewrite=0',
  '--innodb-use-native-aio=OFF',
];

async function connectRoot(socketPath: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}\n${log()}`);
    try {
      return await createConnection({ socketPath, user: 'root' });
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`mariadbd did not accept connections on ${socketPath} within ${timeoutMs} ms\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMariaDbTls(opts: MariaDbTlsOptions = {}): Promise<MariaDbTlsServer> {
  const requireSecureTransport = opts.requireSecureTransport ?? true;
  const mariadbd = firstExisting(['/usr/sbin/mariadbd', '/usr/sbin/mysqld'], 'mariadbd');
  const installDb = firstExisting(['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'], 'mariadb-install-db');
  const { uid, gid } = mysqlIds();
  const dir = mkdtempSync(join(tmpdir(), 'mariadb-tls-test-'));
  const dataDir = join(dir, 'data');
  const tlsDir = join(dir, 'tls');
  const otherCaDir = join(dir, 'other-ca');
  const socketPath = join(dir, 'mysqld.sock');
  const errorLogFile = join(dir, 'error.log');
  const errorLog = () => (existsSync(errorLogFile) ? readFileSync(errorLogFile, 'utf8').slice(-4000) : '');
  let child: ChildProcess | undefined;
  let root: Connection | undefined;
  try {
    chownSync(dir, uid, gid);
    const installed = promisify(execFile)(
      installDb,
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
        '--skip-name-resolve',
        ...FAST_INNODB,
      ],
      { cwd: dir },
    );
    installed.catch(() => undefined); // awaited below; certificates are made meanwhile
    mkdirSync(tlsDir);
    mkdirSync(otherCaDir);
    const ca = makeCa(tlsDir, 'mariadb-test-ca');
    const otherCaFile = makeCa(otherCaDir, 'other-test-ca').caFile;
    const issue = (san: string) => {
      const files = issueServerCert(tlsDir, ca, san);
      for (const f of readdirSync(tlsDir)) chownSync(join(tlsDir, f), uid, gid);
      return files;
    };
    const files = { caFile: ca.caFile, ...issue(opts.subjectAltName ?? DEFAULT_SAN) };
    chownSync(tlsDir, uid, gid);
    await installed;
    const port = await freePort();
    const args = [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socketPath}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1,127.0.0.2',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--tmpdir=${dir}`,
      `--log-error=${errorLogFile}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--performance-schema=OFF',
      '--max-connections=50',
      '--innodb-fast-shutdown=2',
      ...FAST_INNODB,
      `--ssl-ca=${files.caFile}`,
      `--ssl-cert=${files.certFile}`,
      `--ssl-key=${files.keyFile}`,
      `--require-secure-transport=${requireSecureTransport ? 'ON' : 'OFF'}`,
    ];
    child = spawn(mariadbd, args, { uid, gid, cwd: dir, stdio: 'ignore', env: { ...process.env, HOME: dir } });
    root = await connectRoot(socketPath, child, errorLog);
    const have = (await root.query<RowDataPacket[]>("SHOW VARIABLES LIKE 'have_ssl'"))[0][0]?.Value;
    if (have !== 'YES') throw new Error(`mariadbd started without TLS (have_ssl=${String(have)})\n${errorLog()}`);
    const running = child;
    const conn = root;
    return {
      host: '127.0.0.1',
      port,
      mismatchHost: '127.0.0.2',
      ca: readFileSync(files.caFile, 'utf8'),
      otherCa: readFileSync(otherCaFile, 'utf8'),
      socketPath,
      requireSecureTransport,
      query: async <R extends RowDataPacket = RowDataPacket>(sql: string, values: unknown[] = []) => (await conn.query<R[]>(sql, values))[0],
      async reissueCertificate(subjectAltName) {
        issue(subjectAltName);
        await conn.query('FLUSH SSL');
      },
      async restoreCertificate() {
        issue(opts.subjectAltName ?? DEFAULT_SAN);
        await conn.query('FLUSH SSL');
      },
      errorLog,
      async stop() {
        await conn.end().catch(() => undefined);
        if (running.exitCode === null && running.signalCode === null) {
          const exited = new Promise((r) => running.once('exit', r));
          running.kill('SIGTERM');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await root?.end().catch(() => undefined);
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
