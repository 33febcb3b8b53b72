/**
 * Reader for the original design's layout: 16-byte IV || 16-byte GCM tag || ciphertext, one whole
 * object under one raw key. Read-only: this tool never writes it. Such objects were produced in memory,
 * so they are read whole; that keeps unauthenticated plaintext from ever leaving this function.
 */
import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { LegacyDecryptError } from './errors.js';
import type { Keyring } from './keys.js';

const IV_LENGTH = 16;
const TAG_LENGTH = 16;
/** Node cannot hold a single Buffer larger than this; the original design could not write one either. */
const MAX_LEGACY_SIZE = 2 ** 31 - 1;

export function decryptLegacy(object: Buffer, key: Buffer): Buffer {
  if (object.length < IV_LENGTH + TAG_LENGTH) throw new LegacyDecryptError(`object is ${object.length} bytes, shorter than IV and tag`);
  const decipher = createDecipheriv('aes-256-gcm', key, object.subarray(0, IV_LENGTH), { authTagLength: TAG_LENGTH });
  decipher.setAuthTag(object.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
  const plain = decipher.update(object.subarray(IV_LENGTH + TAG_LENGTH));
  try {
    decipher.final();
  } catch {
    throw new LegacyDecryptError(
      'legacy object failed authentication: wrong key, or the object is corrupt',
      'try each old key; use another copy if none opens it',
    );
  }
  return plain;
}

/** Tries every key of the keyring (legacy objects carry no key id) and releases plaintext only once authenticated. */
export class LegacyDecryptStream extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly keyring: Keyring) {
    super();
  }
  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += data.length;
    if (this.size > MAX_LEGACY_SIZE) return done(new LegacyDecryptError('legacy object is larger than 2 GiB; the original design could not have written it'));
    this.parts.push(data);
    done();
  }
  override _flush(done: TransformCallback): void {
    const object = Buffer.concat(this.parts, this.size);
    this.parts = [];
    let lastError: unknown;
    for (const id of this.keyring.ids()) {
      try {
        this.push(decryptLegacy(object, this.keyring.get(id)!.key));
        return done();
      } catch (error) {
        lastError = error;
      }
    }
    done(lastError instanceof Error ? lastError : new LegacyDecryptError('no key to try'));
  }
}
