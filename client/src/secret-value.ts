import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

export interface SecretMeta {
  secretId: string;
  versionId?: string;
  stage?: string;
}

/**
 * A secret (or a value parsed from one) that prints as [REDACTED] everywhere: toString, template strings,
 * JSON.stringify, util.inspect / console.log. The value is only reachable through an explicit `.reveal()`.
 */
export class SecretValue<T = string> {
  readonly #value: T;
  readonly secretId: string;
  readonly versionId: string | undefined;
  readonly stage: string | undefined;

  constructor(value: T, meta: SecretMeta) {
    this.#value = value;
    this.secretId = meta.secretId;
    this.versionId = meta.versionId;
    this.stage = meta.stage;
  }

  reveal(): T {
    return this.#value;
  }

  /** Derives another wrapped value (e.g. a parsed object) without unwrapping it at the call site. */
  map<U>(fn: (value: T) => U): SecretValue<U> {
    return new SecretValue(fn(this.#value), this);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretValue(${this.secretId}) ${REDACTED}`;
  }
}
