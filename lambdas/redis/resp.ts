/**
 * The few Redis commands the rotator sends (AUTH, PING, ACL GETUSER / SETUSER / SAVE), over one socket speaking
 * RESP2, one command at a time. A full client library (its command tables, cluster and pool support) would be
 * most of the function's bundle and cold load for these five commands.
 */
import type { Socket } from 'node:net';

/** A RESP2 reply: simple or bulk string, integer, array, or null (a null bulk string or array). */
export type RespReply = string | number | null | RespReply[];

/**
 * An error reply (`-WRONGPASS ...`, `-NOPERM ...`), the server's text as is. It may quote an argument (ACL SETUSER
 * names the modifier it refused, a `>password` included): classifyRedisError keeps only the first word, and the
 * RotationError hides this error as its non-enumerable cause.
 */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

/** The connection closed with a command outstanding (code ECONNRESET: classified Unreachable). */
const closedError = () => Object.assign(new Error('Redis connection closed unexpectedly'), { code: 'ECONNRESET' });

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg, 'utf8')}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''), 'utf8');
}

/** One reply parsed from `buf` at `at`: the value and where the next reply starts; undefined when incomplete. */
export function parseReply(buf: Buffer, at = 0): { value: RespReply | RedisReplyError; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RedisReplyError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: RespReply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, cursor);
        if (!item) return undefined;
        // An error inside an array (a MULTI reply) is not something these commands return: keep it as text.
        items.push(item.value instanceof RedisReplyError ? item.value.message : item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    default:
      throw Object.assign(new Error('Redis protocol error: unexpected reply type'), { code: 'EPROTO_REDIS' });
  }
}

/** Commands in order over a connected socket; each resolves with its reply or rejects with the error reply. */
export class RespConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: RespReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(closedError()));
  }

  command(args: readonly string[]): Promise<RespReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<RespReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let parsed;
    try {
      while (this.waiting.length > 0 && (parsed = parseReply(this.buffer))) {
        this.buffer = this.buffer.subarray(parsed.next);
        const { resolve, reject } = this.waiting.shift() as (typeof this.waiting)[number];
        if (parsed.value instanceof RedisReplyError) reject(parsed.value);
        else resolve(parsed.value);
      }
    } catch (e) {
      this.fail(e as Error);
      this.socket.destroy();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const { reject } of this.waiting.splice(0)) reject(this.failure);
  }
}
