/**
 * The rotator's RESP2 connection: encoding, replies split across TCP chunks, and the failures a real server or
 * network produces, injected by in-process TCP servers (the commands themselves run against real redis-server in
 * test/integration/redis).
 */
import { createServer, Server, Socket } from 'node:net';
import { authenticateAndPing } from '../../../lambdas/redis/connection';
import { encodeCommand, parseReply, RedisReplyError } from '../../../lambdas/redis/resp';
import { rejection } from '../../support/rejection';

describe('RESP2 encoding and parsing', () => {
  it('encodes a command as an array of bulk strings, lengths in bytes', () => {
    expect(encodeCommand(['ACL', 'SETUSER', 'app', '#ab', 'é']).toString('utf8')).toBe(
      '*5\r\n$3\r\nACL\r\n$7\r\nSETUSER\r\n$3\r\napp\r\n$3\r\n#ab\r\n$2\r\né\r\n',
    );
  });

  it.each([
    ['+PONG\r\n', 'PONG'],
    [':42\r\n', 42],
    ['$5\r\nhello\r\n', 'hello'],
    ['$-1\r\n', null],
    ['*-1\r\n', null],
    ['*4\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*0\r\n', ['flags', ['on'], 'passwords', []]],
  ])('%j -> %j', (wire, value) => {
    expect(parseReply(Buffer.from(wire))).toEqual({ value, next: Buffer.byteLength(wire) });
  });

  it('an error reply is a RedisReplyError with the server message', () => {
    const parsed = parseReply(Buffer.from('-NOPERM this user has no permissions\r\n'));
    expect(parsed?.value).toBeInstanceOf(RedisReplyError);
    expect((parsed?.value as Error).message).toBe('NOPERM this user has no permissions');
  });

  it('an incomplete reply at any cut is undefined (wait for more bytes), complete it parses', () => {
    const wire = '*2\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$12\r\nallcommands!\r\n';
    for (let cut = 0; cut < wire.length; cut++) expect(parseReply(Buffer.from(wire.slice(0, cut)))).toBeUndefined();
    expect(parseReply(Buffer.from(wire))?.value).toEqual(['flags', ['on', 'allcommands!']]);
  });

  it('an unknown reply type is a protocol error', () => {
    expect(() => parseReply(Buffer.from('!oops\r\n'))).toThrow('Redis protocol error: unexpected reply type');
  });
});

describe('connection failures (in-process TCP servers injecting them)', () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serve(onConnection: (s: Socket) => void): Promise<number> {
    server = createServer((s) => {
      sockets.add(s);
      onConnection(s);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  const endpoint = (port: number, tls: boolean) => ({ host: '127.0.0.1', port, tls, username: 'app', password: 'secret-password-000001' });

  it('replies split byte by byte: AUTH and PING still succeed', async () => {
    const port = await serve((s) => {
      const replies = ['+OK\r\n', '+PONG\r\n'];
      s.on('data', () => {
        for (const ch of replies.shift() ?? '') s.write(ch);
      });
    });
    await expect(authenticateAndPing(endpoint(port, false), 'current password', {})).resolves.toBeUndefined();
  });

  it('AUTH refused: AuthFailed with the reply code, never the password', async () => {
    const port = await serve((s) => s.once('data', () => s.write('-WRONGPASS invalid username-password pair or user is disabled.\r\n')));
    const e = await rejection(authenticateAndPing(endpoint(port, false), 'pending password of user "app"', {}));
    expect(e.errorClass).toBe('AuthFailed');
    expect(e.message).toBe(`Redis 127.0.0.1:${port}: authentication refused for the pending password of user "app" (WRONGPASS)`);
  });

  it('the server closes the connection with a command outstanding: Unreachable', async () => {
    const port = await serve((s) => s.once('data', () => s.destroy()));
    const e = await rejection(authenticateAndPing(endpoint(port, false), 'current password', {}));
    expect(e.errorClass).toBe('Unreachable');
    expect(e.message).toContain('(ECONNRESET');
  });

  it('a TLS handshake that never completes: Timeout after the connect timeout', async () => {
    const port = await serve(() => undefined);
    const e = await rejection(authenticateAndPing(endpoint(port, true), 'current password', { connectTimeoutMs: 300 }));
    expect(e.errorClass).toBe('Timeout');
    expect(e.message).toBe(`Redis 127.0.0.1:${port}: timed out for the current password (ETIMEDOUT/Error)`);
  });
});
