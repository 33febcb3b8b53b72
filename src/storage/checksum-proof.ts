/**
 * Pure checks that a store holds what was sent: by the store's own checksum, never by trusting the
 * write. A whole-object and a composite SHA-256 cannot collide, so the digest decides; stores differ
 * in how they label it (moto reports a multipart digest without its "-N" suffix, for one).
 */
import { describeChecksum, type ObjectChecksum, type StoredState } from './backup-store.js';

/** Why `stored` does not prove the upload of `sent` (size and checksum as computed from the bytes sent), or undefined. */
export function uploadProblem(sent: { size: number; checksum: ObjectChecksum }, stored: StoredState | undefined): string | undefined {
  if (!stored) return 'is missing right after the upload';
  if (stored.size !== sent.size) return `is ${stored.size} bytes, but ${sent.size} were sent`;
  if (!stored.checksum) return 'has no SHA-256 checksum reported by the store, so the copy cannot be proven';
  if (!sameDigest(stored.checksum, sent.checksum))
    return `has checksum ${describeChecksum(stored.checksum)}, but the bytes sent have ${describeChecksum(sent.checksum)}`;
  return undefined;
}

/** Same digest, and the same part count where both say one. */
export function sameDigest(a: ObjectChecksum, b: ObjectChecksum): boolean {
  return a.value === b.value && (a.parts ?? b.parts) === (b.parts ?? a.parts);
}

/**
 * Why a server-side copy does not prove itself against the original, or undefined. A whole-object copy
 * carries the SHA-256 of the object; a copy in parts (the upload's part size) the upload's composite.
 */
export function copyProblem(copy: StoredState, original: { size: number; sha256Hex: string; storedChecksum: ObjectChecksum }): string | undefined {
  if (copy.size !== original.size) return `is ${copy.size} bytes, expected ${original.size}`;
  if (!copy.checksum) return 'has no checksum reported by the store, so the copy cannot be proven';
  const whole = Buffer.from(original.sha256Hex, 'hex').toString('base64');
  // MD5 (Azure, Cloud Storage) and composite digests are the store's own, as recorded for the original.
  const expected = copy.checksum.algorithm === 'SHA256' ? whole : original.storedChecksum.value;
  // A store that labels a composite digest as a whole-object one still proves the copy by the upload's digest.
  if (copy.checksum.value !== expected && copy.checksum.value !== original.storedChecksum.value)
    return `has checksum ${describeChecksum(copy.checksum)}, expected ${expected}`;
  return undefined;
}
