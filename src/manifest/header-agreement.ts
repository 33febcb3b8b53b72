/** Whether a backup's authenticated header and its (unauthenticated) manifest tell the same story. */
import { IntegrityError } from '../errors.js';
import { WrapType, type Header } from '../crypto/format.js';
import type { BackupManifest } from './manifest.js';

/**
 * The manifest is unauthenticated; the header is authenticated by the key. They must tell the same story,
 * or the manifest was edited (or belongs to another object).
 */
export function checkHeaderAgainstManifest(header: Pick<Header, 'backupId' | 'keyId' | 'wrapType' | 'chunkSize'>, manifest: BackupManifest, key: string): void {
  const wrapping = header.wrapType === WrapType.AwsKms ? 'aws-kms' : 'raw-aes256gcm';
  const differences = [
    header.backupId !== manifest.backupId ? `backup id ${header.backupId} vs ${manifest.backupId}` : '',
    header.keyId !== manifest.encryption.keyId ? `key id ${header.keyId} vs ${manifest.encryption.keyId}` : '',
    wrapping !== manifest.encryption.keyWrapping ? `key wrapping ${wrapping} vs ${manifest.encryption.keyWrapping}` : '',
    header.chunkSize !== manifest.encryption.chunkSize ? `chunk size ${header.chunkSize} vs ${manifest.encryption.chunkSize}` : '',
  ].filter(Boolean);
  if (differences.length) {
    throw new IntegrityError(`${key}: its authenticated header and its manifest disagree (${differences.join('; ')})`, {
      hint: 'the manifest was modified or belongs to another object; use another backup',
    });
  }
}
