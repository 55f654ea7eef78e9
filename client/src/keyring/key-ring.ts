import { inspect } from 'node:util';
import { ringKeys, type KeyRing } from '../../../contracts';
import { KeyRingError } from '../errors';
import { SecretValue } from '../secret-value';

export interface RingKeyMaterial {
  kid: string;
  key: Buffer;
}

/**
 * Read access to a parsed key ring: the current key signs or encrypts; any kept key (current or previous)
 * verifies or decrypts, looked up by kid. Key bytes are copied out per call, so callers cannot alter the ring.
 */
export class KeyRingKeys {
  readonly #byKid: Map<string, string>;
  private readonly currentKid: string;

  constructor(
    ring: KeyRing | SecretValue<KeyRing>,
    private readonly name = ring instanceof SecretValue ? ring.secretId : 'key ring',
  ) {
    const value = ring instanceof SecretValue ? ring.reveal() : ring;
    this.currentKid = value.current.kid;
    this.#byKid = new Map(ringKeys(value).map((k) => [k.kid, k.key]));
  }

  [inspect.custom](): string {
    return `KeyRingKeys(${this.name}) { current: ${this.currentKid}, kids: ${this.kids.join(', ')}, keys: [REDACTED] }`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, current: this.currentKid, kids: this.kids, keys: '[REDACTED]' };
  }

  get kids(): string[] {
    return [...this.#byKid.keys()];
  }

  current(): RingKeyMaterial {
    return this.find(this.currentKid) as RingKeyMaterial;
  }

  /** The key with this kid, or undefined when the ring no longer (or never) held it. */
  find(kid: string): RingKeyMaterial | undefined {
    const key = this.#byKid.get(kid);
    return key === undefined ? undefined : { kid, key: Buffer.from(key, 'base64url') };
  }

  /** The key with this kid; throws naming the kid (never a key) when it is unknown. */
  get(kid: string): RingKeyMaterial {
    const found = this.find(kid);
    if (!found) throw new KeyRingError(`${this.name}: unknown key id "${kid}" (known: ${this.kids.length} keys)`);
    return found;
  }
}
