import { FieldDecryptionError } from '../errors';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The bytes of `<prefix>base64url(bytes)`. Only the canonical spelling is accepted (Node ignores unused trailing bits,
 * so without this check two texts would decode to one value): no padding, length not 1 mod 4, and the last
 * character's unused low bits zero. Checked arithmetically, without re-encoding.
 */
export function decodeFieldText(text: string, prefix: string, name: string): Buffer {
  if (typeof text !== 'string' || !text.startsWith(prefix)) throw new FieldDecryptionError(`not a ${name} field ciphertext (missing "${prefix}" prefix)`);
  const body = text.slice(prefix.length);
  if (!BASE64URL.test(body)) throw new FieldDecryptionError(`${name} field ciphertext is not base64url`);
  const rest = body.length % 4;
  const last = rest === 0 ? 0 : ALPHABET.indexOf(body[body.length - 1]);
  if (rest === 1 || (rest === 2 && (last & 0x0f) !== 0) || (rest === 3 && (last & 0x03) !== 0)) {
    throw new FieldDecryptionError(`${name} field ciphertext is not canonical base64url`);
  }
  return Buffer.from(body, 'base64url');
}
