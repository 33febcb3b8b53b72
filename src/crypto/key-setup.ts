/** Turns key settings into the objects that make and open data keys. */
import { KMSClient } from '@aws-sdk/client-kms';
import type { KmsSettings, WriteKeySettings } from './key-settings.js';
import { AnyOpener, KeyringOpener, KmsKeySource, KmsOpener, RawKeySource, type DataKeyOpener, type DataKeySource } from './data-keys.js';
import { Keyring, type KeyEncryptionKey } from './keys.js';

export function createKmsClient(kms: KmsSettings): KMSClient {
  return new KMSClient({ ...(kms.region ? { region: kms.region } : {}), ...(kms.endpoint ? { endpoint: kms.endpoint } : {}), maxAttempts: 5 });
}

export function createKeySource(settings: WriteKeySettings): DataKeySource {
  return settings.kind === 'kms' ? new KmsKeySource(createKmsClient(settings.kms), settings.kms.keyId) : new RawKeySource(settings.key);
}

/** Opens backups made with any of `keys`, and KMS-wrapped ones under the trusted KMS keys only. */
export function createOpener(keys: KeyEncryptionKey[], kms: { settings: KmsSettings; trustedKeys: string[] } | undefined): DataKeyOpener {
  return new AnyOpener({
    ...(keys.length ? { raw: new KeyringOpener(new Keyring(keys)) } : {}),
    ...(kms ? { kms: new KmsOpener(createKmsClient(kms.settings), kms.trustedKeys) } : {}),
  });
}
