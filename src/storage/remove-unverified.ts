/** Removing an object that was written but could not be proven, so it is never mistaken for a good one. */
import type { Logger } from '../log.js';
import { errorMessage } from '../util/error-text.js';
import type { BackupStore } from './backup-store.js';

/**
 * Deletes `key` and says so; a failed delete is logged, not thrown, since the caller is already failing
 * with the reason the object is bad. Returns whether it is gone.
 */
export async function removeUnverified(store: BackupStore, log: Logger, key: string): Promise<boolean> {
  try {
    await store.delete([key]);
    log.warn(`removed unverified object ${key}`);
    return true;
  } catch (error) {
    log.error(`could not remove unverified object ${key}: ${errorMessage(error)}; it has no manifest, so it never counts as a backup`);
    return false;
  }
}
