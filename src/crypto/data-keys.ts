/**
 * Envelope encryption: every backup gets a fresh random data key, wrapped either under a raw
 * key-encryption key (keyring) or by AWS KMS. The wrapped key travels in the header.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { CryptoError, UnknownKeyIdError, UntrustedKmsKeyError, WrongKeyError } from './errors.js';
import { FORMAT_VERSION, KEY_LENGTH, TAG_LENGTH, WrapType, type Header } from './format.js';
import type { KeyEncryptionKey, Keyring } from './keys.js';
import { errorMessage } from '../util/error-text.js';

export type RandomSource = (size: number) => Buffer;
export const secureRandom: RandomSource = (size) => randomBytes(size);

export interface WrappedDataKey {
  wrapType: WrapType;
  keyId: string;
  dataKey: Buffer;
  wrappedKey: Buffer;
}

/** Makes the data key for a new backup. */
export interface DataKeySource {
  readonly description: string;
  createDataKey(backupId: string, random: RandomSource): Promise<WrappedDataKey>;
}

/** Recovers the data key of an existing backup from its header. */
export interface DataKeyOpener {
  openDataKey(header: Header): Promise<Buffer>;
}

const WRAP_NONCE_LENGTH = 12;

/** Bound to the format version the key is wrapped under: a writer's current one, a reader's from the header. */
function rawWrapAad(keyId: string, version: number): Buffer {
  return Buffer.from(`vault-backup/v${version}/raw-wrap\0${keyId}`, 'utf8');
}

/** Wraps data keys with AES-256-GCM under one key-encryption key: nonce(12) || ciphertext(32) || tag(16). */
export class RawKeySource implements DataKeySource {
  readonly description: string;
  constructor(private readonly kek: KeyEncryptionKey) {
    this.description = `key ${kek.id}`;
  }
  async createDataKey(_backupId: string, random: RandomSource): Promise<WrappedDataKey> {
    const dataKey = random(KEY_LENGTH);
    const nonce = random(WRAP_NONCE_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.kek.key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(rawWrapAad(this.kek.id, FORMAT_VERSION));
    const wrapped = Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return { wrapType: WrapType.RawAes256Gcm, keyId: this.kek.id, dataKey, wrappedKey: wrapped };
  }
}

export class KeyringOpener implements DataKeyOpener {
  constructor(private readonly keyring: Keyring) {}
  async openDataKey(header: Header): Promise<Buffer> {
    if (header.wrapType !== WrapType.RawAes256Gcm) {
      throw new CryptoError(
        `this backup's data key is wrapped by ${WrapType[header.wrapType]}, not by a keyring key`,
        'decrypt it with the KMS settings it was made with',
      );
    }
    const kek = this.keyring.get(header.keyId);
    if (!kek) throw new UnknownKeyIdError(header.keyId, this.keyring.ids());
    const w = header.wrappedKey;
    if (w.length !== WRAP_NONCE_LENGTH + KEY_LENGTH + TAG_LENGTH) throw new WrongKeyError(`wrapped data key has length ${w.length}; the header is damaged`);
    const decipher = createDecipheriv('aes-256-gcm', kek.key, w.subarray(0, WRAP_NONCE_LENGTH), { authTagLength: TAG_LENGTH });
    decipher.setAAD(rawWrapAad(header.keyId, header.version));
    decipher.setAuthTag(w.subarray(WRAP_NONCE_LENGTH + KEY_LENGTH));
    try {
      return Buffer.concat([decipher.update(w.subarray(WRAP_NONCE_LENGTH, WRAP_NONCE_LENGTH + KEY_LENGTH)), decipher.final()]);
    } catch {
      throw new WrongKeyError(
        `key "${header.keyId}" in the keyring does not open this backup's data key`,
        'the keyring holds different key material under this id, or the header was modified',
      );
    }
  }
}

/** The KMS encryption context: names the backup, so a wrapped key cannot be moved to another file. */
export function kmsEncryptionContext(backupId: string, version = FORMAT_VERSION): Record<string, string> {
  return { 'vault-backup:backup-id': backupId, 'vault-backup:format': String(version) };
}

export class KmsKeySource implements DataKeySource {
  readonly description: string;
  /** `kms` makes the client on first use (key-setup.ts), so the SDK loads only when KMS is asked. */
  constructor(
    private readonly kms: () => Promise<KMSClient>,
    private readonly keyId: string,
  ) {
    this.description = `KMS key ${keyId}`;
  }
  async createDataKey(backupId: string): Promise<WrappedDataKey> {
    const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
    let out;
    try {
      out = await (
        await this.kms()
      ).send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: kmsEncryptionContext(backupId) }));
    } catch (error) {
      throw new CryptoError(
        `KMS GenerateDataKey with key ${this.keyId} failed: ${errorMessage(error)}`,
        'check the key id and that the role may call kms:GenerateDataKey on it',
      );
    }
    if (!out.Plaintext || !out.CiphertextBlob || !out.KeyId) throw new CryptoError('KMS GenerateDataKey returned no key material');
    return { wrapType: WrapType.AwsKms, keyId: out.KeyId, dataKey: Buffer.from(out.Plaintext), wrappedKey: Buffer.from(out.CiphertextBlob) };
  }
}

/**
 * Opens KMS-wrapped data keys, but only under the KMS keys the operator named (kms-key-id): a backup
 * whose data key was wrapped by any other key (even one the role may use) is refused before KMS is asked.
 */
export class KmsOpener implements DataKeyOpener {
  private trusted: Promise<Set<string>> | undefined;
  constructor(
    private readonly kms: () => Promise<KMSClient>,
    private readonly allowedKeys: string[],
  ) {}

  /** The named keys as ARNs (an alias or bare key id is resolved with DescribeKey once). */
  private trustedArns(): Promise<Set<string>> {
    this.trusted ??= Promise.all(
      this.allowedKeys.map(async (key) => {
        if (/^arn:aws[a-z-]*:kms:[^:]*:\d*:key\//.test(key)) return key;
        try {
          const { DescribeKeyCommand } = await import('@aws-sdk/client-kms');
          const out = await (await this.kms()).send(new DescribeKeyCommand({ KeyId: key }));
          if (!out.KeyMetadata?.Arn) throw new Error('no ARN in the answer');
          return out.KeyMetadata.Arn;
        } catch (error) {
          throw new CryptoError(
            `KMS DescribeKey of kms-key-id ${key} failed: ${errorMessage(error)}`,
            'check kms-key-id and that the role may call kms:DescribeKey on it',
          );
        }
      }),
    ).then((arns) => new Set(arns));
    return this.trusted;
  }

  async openDataKey(header: Header): Promise<Buffer> {
    if (header.wrapType !== WrapType.AwsKms)
      throw new CryptoError('this backup was encrypted with a keyring key, not KMS', 'decrypt it with encryption-keyring');
    const trusted = await this.trustedArns();
    if (!trusted.has(header.keyId)) {
      throw new UntrustedKmsKeyError(
        `this backup's data key is wrapped by KMS key ${header.keyId}, which is not one of the keys named in kms-key-id (${[...trusted].join(', ')}); KMS was not asked to unwrap it`,
        'a backup wrapped by another key was not made by your backup job; if the key is yours (e.g. after a key change), add it to kms-key-id',
      );
    }
    try {
      const { DecryptCommand } = await import('@aws-sdk/client-kms');
      const out = await (
        await this.kms()
      ).send(
        new DecryptCommand({
          CiphertextBlob: header.wrappedKey,
          KeyId: header.keyId,
          EncryptionContext: kmsEncryptionContext(header.backupId, header.version),
        }),
      );
      if (!out.Plaintext || out.Plaintext.length !== KEY_LENGTH) throw new Error('KMS returned no 32-byte key');
      return Buffer.from(out.Plaintext);
    } catch (error) {
      throw new WrongKeyError(
        `KMS could not unwrap the data key with ${header.keyId}: ${errorMessage(error)}`,
        'check that the role may call kms:Decrypt on that key and that the object was not renamed or modified',
      );
    }
  }
}

/** Picks the opener by the wrapping type the header names. */
export class AnyOpener implements DataKeyOpener {
  constructor(private readonly openers: { raw?: DataKeyOpener; kms?: DataKeyOpener }) {}
  async openDataKey(header: Header): Promise<Buffer> {
    const opener = header.wrapType === WrapType.AwsKms ? this.openers.kms : this.openers.raw;
    if (!opener) {
      // A raw-key reader never calls KMS, whatever the header says.
      const needs =
        header.wrapType === WrapType.AwsKms ? `its KMS key named in kms-key-id (${header.keyId})` : 'a key or keyring (encryption-keyring or encryption-key)';
      throw new CryptoError(`this backup (key ${header.keyId}) needs ${needs} to decrypt`);
    }
    return opener.openDataKey(header);
  }
}
