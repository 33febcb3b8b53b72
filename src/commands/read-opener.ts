/** Keys that open existing backups: keyring / key, and KMS under the named KMS keys only. */
import { InputError } from '../errors.js';
import { readKeys, trustedKms, type Inputs } from '../config/settings.js';
import { createOpener } from '../crypto/key-setup.js';

export function readOpener(inputs: Inputs) {
  const keys = readKeys(inputs);
  const kms = trustedKms(inputs);
  if (!keys.length && !kms) {
    // A KMS region or endpoint alone (often inherited from the environment) names no key to trust.
    if (inputs.optional('kms-region') || inputs.optional('kms-endpoint')) {
      throw new InputError(
        'kms-key-id',
        'is required to read KMS-wrapped backups (kms-region or kms-endpoint is set): name the KMS key(s) they may be wrapped under (id, ARN or alias)',
        'a backup wrapped by a key you did not name is refused before KMS is called',
      );
    }
    throw new InputError('encryption-keyring', 'is required to read backups (or encryption-key; for KMS-wrapped backups name the key in kms-key-id)');
  }
  return createOpener(keys, kms);
}
