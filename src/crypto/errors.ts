import { BackupError } from '../errors.js';

/** Base of every decryption failure; each subclass is one distinct way a file can be wrong. */
export class CryptoError extends BackupError {
  constructor(message: string, hint?: string) {
    super('crypto', message, hint === undefined ? {} : { hint });
  }
}

export class NotEncryptedBackupError extends CryptoError {}
export class UnsupportedFormatVersionError extends CryptoError {}
export class MalformedHeaderError extends CryptoError {}
export class UnknownKeyIdError extends CryptoError {
  readonly keyId: string;
  constructor(keyId: string, known: string[]) {
    super(
      `unknown key id "${keyId}": this backup was encrypted with a key that is not in the keyring (keyring holds: ${known.length ? known.join(', ') : 'no keys'})`,
      'add the key that was in use when the backup was made to the keyring; keep old keys after a rotation',
    );
    this.keyId = keyId;
  }
}
export class WrongKeyError extends CryptoError {}
/** A KMS-wrapped backup under a key the reader does not trust (kms-key-id). */
export class UntrustedKmsKeyError extends CryptoError {}
export class HeaderAuthenticationError extends CryptoError {}
export class ObjectIdentityMismatchError extends CryptoError {}
export class ChunkAuthenticationError extends CryptoError {
  readonly chunkIndex: number;
  constructor(chunkIndex: number, detail = '') {
    super(`chunk ${chunkIndex} failed authentication${detail}: the file is corrupt or was modified`, 'use another copy of this backup');
    this.chunkIndex = chunkIndex;
  }
}
export class ChunkOrderError extends CryptoError {}
export class TruncatedBackupError extends CryptoError {}
export class TrailingDataError extends CryptoError {}
export class LegacyDecryptError extends CryptoError {}
