/**
 * A throwaway redis-server for integration tests: a free port, no persistence (`--save "" --appendonly no`),
 * ACL users from an aclfile in a temp dir (so `ACL SAVE` works), the `default` user off, no `nopass` user.
 * Optionally TLS only (the plain port disabled) with a test CA. Always `stop()` it in afterAll.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export { freePort };

export interface AclUserSpec {
  name: string;
  passwords: string[];
  /** ACL rules besides `on` and passwords, e.g. `~* &* +@all -@admin -@dangerous`. */
  rules: string;
}

export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface RedisTestServer {
  host: string;
  port: number;
  tls: boolean;
  admin: { username: string; password: string };
  dir: string;
  aclFile: string;
  stop(): Promise<void>;
}

export const APP_USER_RULES = '~* &* +@all -@admin -@dangerous';
const ADMIN_RULES = '~* &* +@all';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

function aclLine(user: AclUserSpec): string {
  return `user ${user.name} on ${user.passwords.map((p) => `#${sha256Hex(p)}`).join(' ')} ${user.rules}`;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedisServer(opts: { users?: AclUserSpec[]; tls?: RedisTlsFiles } = {}): Promise<RedisTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const admin = { username: 'rotation_admin', password: randomBytes(18).toString('base64url') };
  const aclFile = join(dir, 'users.acl');
  const users: AclUserSpec[] = [{ name: admin.username, passwords: [admin.password], rules: ADMIN_RULES }, ...(opts.users ?? [])];
  writeFileSync(aclFile, ['user default off resetpass', ...users.map(aclLine)].join('\n') + '\n', { mode: 0o600 });
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--aclfile', aclFile, '--protected-mode', 'yes'];
  if (opts.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile);
    args.push('--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  try {
    await waitForPort(port, child);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${stderr}`, { cause: e });
  }
  return {
    host: '127.0.0.1',
    port,
    tls: Boolean(opts.tls),
    admin,
    dir,
    aclFile,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test CA and a server certificate for `localhost` / 127.0.0.1 made with openssl, in `dir`. */
export function makeTestCertificates(dir: string, subjectAltName = 'DNS:localhost,IP:127.0.0.1'): RedisTlsFiles {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=redis-test-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${subjectAltName}\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext.cnf');
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'ca.crt') };
}
