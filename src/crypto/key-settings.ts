/** What setting up keys needs, as the settings parser produces it (config/settings.ts). */
import type { KeyEncryptionKey } from './keys.js';

export interface KmsSettings {
  keyId: string | undefined;
  region: string | undefined;
  endpoint: string | undefined;
}

export type WriteKeySettings = { kind: 'raw'; key: KeyEncryptionKey } | { kind: 'kms'; kms: KmsSettings & { keyId: string } };
