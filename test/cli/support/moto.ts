/** moto's server mode (KMS for `verify`), started on a free port for one test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../support/free-port';

export interface Moto {
  url: string;
  stop(): void;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  // Ready when it answers (polling an HTTP endpoint, not a timed wait).
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop: () => child.kill('SIGTERM') };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGTERM');
  throw new Error('moto_server did not start');
}
