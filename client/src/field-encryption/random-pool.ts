import { randomBytes } from 'node:crypto';

/**
 * CSPRNG bytes drawn from a buffer refilled 4 KiB at a time: one randomBytes call per ~340 IVs instead of one per
 * value (a randomBytes call costs about as much as the AES-GCM of a short value). Bytes are never handed out twice.
 */
export class RandomPool {
  #buffer = Buffer.alloc(0);
  #at = 0;

  constructor(private readonly refill = 4096) {}

  take(size: number): Buffer {
    if (this.#at + size > this.#buffer.length) {
      this.#buffer = randomBytes(Math.max(this.refill, size));
      this.#at = 0;
    }
    return this.#buffer.subarray(this.#at, (this.#at += size));
  }
}
