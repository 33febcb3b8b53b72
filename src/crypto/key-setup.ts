/** Turns key settings into the objects that make and open data keys. */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KmsSettings, WriteKeySettings } from './key-settings.js';
import { AnyOpener, KeyringOpener, KmsKeySource, KmsOpener, RawKeySource, type DataKeyOpener, type DataKeySource } from './data-keys.js';
import { Keyring, type KeyEncryptionKey } from './keys.js';

/** The KMS client, made on first use: the AWS SDK is loaded only by a run that asks KMS. */
export function kmsClientOnUse(kms: KmsSettings): () => Promise<KMSClient> {
  let client: Promise<KMSClient> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-kms').then(
      ({ KMSClient }) => new KMSClient({ ...(kms.region ? { region: kms.region } : {}), ...(kms.endpoint ? { endpoint: kms.endpoint } : {}), maxAttempts: 5 }),
    ));
}

export function createKeySource(settings: WriteKeySettings): DataKeySource {
  return settings.kind === 'kms' ? new KmsKeySource(kmsClientOnUse(settings.kms), settings.kms.keyId) : new RawKeySource(settings.key);
}

/** Opens backups made with any of `keys`, and KMS-wrapped ones under the trusted KMS keys only. */
export function createOpener(keys: KeyEncryptionKey[], kms: { settings: KmsSettings; trustedKeys: string[] } | undefined): DataKeyOpener {
  return new AnyOpener({
    ...(keys.length ? { raw: new KeyringOpener(new Keyring(keys)) } : {}),
    ...(kms ? { kms: new KmsOpener(kmsClientOnUse(kms.settings), kms.trustedKeys) } : {}),
  });
}
