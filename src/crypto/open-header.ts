/**
 * Opening a format v1 file's header and its chunks, one at a time: the streaming decryptor reads a whole
 * backup this way, and the catalog's authentication reads only the header and the first and final chunks.
 */
import { createDecipheriv, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { DataKeyOpener } from './data-keys.js';
import { HeaderAuthenticationError, ObjectIdentityMismatchError } from './errors.js';
import { TAG_LENGTH, chunkAad, chunkNonce, computeHeaderTag, deriveKeys, type Header } from './format.js';

export interface OpenedHeader {
  header: Header;
  payloadKey: Buffer;
  /** Associated data of every chunk of this file. */
  aad: Buffer;
}

/**
 * Unwraps the data key with a trusted key and authenticates the header: the key commitment, the header tag,
 * and (when given) that the header names the backup it was read as. Throws a typed CryptoError otherwise.
 */
export async function openHeader(header: Header, opener: DataKeyOpener, expectedBackupId?: string): Promise<OpenedHeader> {
  const dataKey = await opener.openDataKey(header);
  const keys = deriveKeys(dataKey, header.salt, header.backupId);
  dataKey.fill(0);
  if (!timingSafeEqual(keys.commitment, header.commitment)) {
    throw new HeaderAuthenticationError('key commitment does not match: the header was modified', 'use another copy of this backup');
  }
  const body = header.bytes.subarray(0, header.bytes.length - TAG_LENGTH);
  if (!timingSafeEqual(computeHeaderTag(keys.payloadKey, header.noncePrefix, body), header.headerTag)) {
    throw new HeaderAuthenticationError('header tag does not verify: the header was modified', 'use another copy of this backup');
  }
  if (expectedBackupId !== undefined && expectedBackupId !== header.backupId) {
    throw new ObjectIdentityMismatchError(
      `this file holds backup ${header.backupId}, but was read as ${expectedBackupId}: it was renamed or copied onto another backup's name`,
      'find the object stored under its own name',
    );
  }
  return { header, payloadKey: keys.payloadKey, aad: chunkAad(header.bytes) };
}

/** Chunk `counter` (ciphertext and tag) opened, or undefined when its tag does not verify at that place. */
export function openChunk(opened: OpenedHeader, unit: Buffer, counter: number, last: boolean): Buffer | undefined {
  if (unit.length < TAG_LENGTH) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', opened.payloadKey, chunkNonce(opened.header.noncePrefix, counter, last), { authTagLength: TAG_LENGTH });
  decipher.setAAD(opened.aad);
  decipher.setAuthTag(unit.subarray(unit.length - TAG_LENGTH));
  const plain = decipher.update(unit.subarray(0, unit.length - TAG_LENGTH));
  try {
    decipher.final();
    return plain;
  } catch {
    return undefined;
  }
}

/** Where chunk `index` lies in a file of `fileSize` bytes, and how many chunks it has. */
export function chunkLayout(
  header: Pick<Header, 'bytes' | 'chunkSize'>,
  fileSize: number,
): { count: number; offsetOf: (index: number) => number; unit: number } {
  const unit = header.chunkSize + TAG_LENGTH;
  const payload = fileSize - header.bytes.length;
  const count = payload < TAG_LENGTH ? 0 : Math.ceil(payload / unit);
  return { count, unit, offsetOf: (index) => header.bytes.length + index * unit };
}

/**
 * A key for authenticating a record the tool writes about this backup (the restore test's inventory): only a
 * holder of a key that opens the backup can make or check it. HKDF-SHA256 from the payload key (docs/FORMAT.md).
 */
export function recordKey(opened: OpenedHeader, label: string): Buffer {
  const info = Buffer.concat([Buffer.from(`vault-backup/v1/record/${label}\0`), Buffer.from(opened.header.backupId, 'utf8')]);
  return Buffer.from(hkdfSync('sha256', opened.payloadKey, opened.header.salt, info, 32));
}
