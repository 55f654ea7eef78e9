/**
 * A throwaway PostgreSQL 15 cluster for integration tests that must prove password checks: the machine's
 * own PostgreSQL on 5432 uses TRUST auth, so it cannot refuse a wrong password.
 *
 * - initdb as the `postgres` OS user (initdb/postgres refuse root) in a temp dir, random free port;
 * - password_encryption=scram-sha-256 and pg_hba requiring scram-sha-256 for every TCP connection
 *   (`hostssl` only, plaintext rejected, when `tls`);
 * - TLS with a server certificate for CN/SAN localhost + 127.0.0.1 signed by a test CA made with openssl;
 * - it also listens on 127.0.0.2 (`mismatchHost`), an address the certificate does not name, so a test can
 *   prove host-name verification;
 * - `adminQuery` runs SQL as the superuser over the unix socket in the temp dir (trust, socket only).
 *
 * Always `stop()` it in afterAll: it stops the server and removes the temp dir.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

export { freePort };

const BIN = '/usr/lib/postgresql/15/bin';
export const PG_SUPERUSER = 'postgres';

export interface PostgresTestServer {
  host: string;
  port: number;
  /** Also served, but not named by the server certificate: connecting to it must fail verification. */
  mismatchHost: string;
  tls: boolean;
  /** PEM of the test CA that signed the server certificate. */
  ca: string;
  /** Directory of the unix socket (superuser, trust). */
  socketDir: string;
  /** Runs SQL as the superuser over the unix socket (in database `postgres` unless `database` says otherwise). */
  adminQuery<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  stop(): Promise<void>;
}

export interface TestTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A test CA and a server certificate (CN localhost, SAN localhost + 127.0.0.1 by default) made with openssl in `dir`. */
export function makeTestTls(dir: string, subjectAltName = 'DNS:localhost,IP:127.0.0.1', caName = 'db-test-ca'): TestTlsFiles {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${caName}`);
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${subjectAltName}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, PG_SUPERUSER]).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

function hbaLines(tls: boolean): string {
  const hostType = tls ? 'hostssl' : 'host';
  const lines = [`local all ${PG_SUPERUSER} trust`, `${hostType} all all 127.0.0.0/8 scram-sha-256`, `${hostType} all all ::1/128 scram-sha-256`];
  if (tls) lines.push('hostnossl all all 0.0.0.0/0 reject', 'hostnossl all all ::/0 reject');
  return lines.join('\n') + '\n';
}

async function waitReady(socketDir: string, port: number, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}\n${log()}`);
    const c = new Client({ host: socketDir, port, user: PG_SUPERUSER, database: 'postgres' });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections on ${port} within ${timeoutMs} ms\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPostgres(opts: { tls?: boolean } = {}): Promise<PostgresTestServer> {
  const tls = opts.tls ?? false;
  const { uid, gid } = postgresIds();
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  const dataDir = join(dir, 'data');
  chownSync(dir, uid, gid);
  const asPostgres = { uid, gid, cwd: dir, env: { ...process.env, HOME: dir, LC_ALL: 'C' } };
  let child: ChildProcess | undefined;
  try {
    execFileSync(join(BIN, 'initdb'), ['-D', dataDir, '-U', PG_SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
      ...asPostgres,
      stdio: 'pipe',
    });
    const files = makeTestTls(dir);
    for (const f of [files.caFile, files.certFile, files.keyFile]) chownSync(f, uid, gid);
    writeFileSync(join(dataDir, 'pg_hba.conf'), hbaLines(tls));
    const port = await freePort();
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1,127.0.0.2',
      port: String(port),
      unix_socket_directories: dir,
      password_encryption: 'scram-sha-256',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: '16MB',
      max_connections: '50',
      ssl: tls ? 'on' : 'off',
      ssl_cert_file: files.certFile,
      ssl_key_file: files.keyFile,
      ssl_ca_file: files.caFile,
      log_min_messages: 'fatal',
    };
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    child = spawn(join(BIN, 'postgres'), args, { ...asPostgres, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    await waitReady(dir, port, child, () => stderr);
    const running = child;
    return {
      host: '127.0.0.1',
      port,
      mismatchHost: '127.0.0.2',
      tls,
      ca: readFileSync(files.caFile, 'utf8'),
      socketDir: dir,
      async adminQuery<R extends Record<string, unknown>>(sql: string, params?: unknown[], database = 'postgres'): Promise<R[]> {
        const c = new Client({ host: dir, port, user: PG_SUPERUSER, database });
        await c.connect();
        try {
          return (await c.query<R>(sql, params)).rows;
        } finally {
          await c.end();
        }
      },
      async stop() {
        if (running.exitCode === null) {
          const exited = new Promise((r) => running.once('exit', r));
          running.kill('SIGINT'); // fast shutdown: disconnects clients
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
