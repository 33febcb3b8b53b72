/**
 * The second copy (3-2-1): once a backup is proven and committed in the primary target, its object is
 * streamed from the primary into the replica target (any kind of store), proven there by the replica's
 * own checksum and by the SHA-256 the manifest recorded, and only then committed with a manifest of
 * its own; the first backup of a month gets the replica's own server-side monthly copy. A failure is a
 * ReplicaError: the primary backup stands, complete, and the replica is left without a manifest.
 */
import { StorageError } from '../errors.js';
import type { BackupManifest } from '../manifest/manifest.js';
import { commitBackup, type MonthlyCopy } from '../commit/commit-backup.js';
import { formatBytes } from '../log.js';
import type { Logger } from '../log.js';
import type { BackupStore, ObjectChecksum } from '../storage/backup-store.js';
import { describeChecksum } from '../storage/backup-store.js';
import { uploadProblem } from '../storage/checksum-proof.js';
import { removeUnverified } from '../storage/remove-unverified.js';
import { errorMessage } from '../util/error-text.js';

export class ReplicaError extends StorageError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, {
      hint: options.hint ?? 'the primary backup is complete; fix the replica target and run the backup again (the next backup is replicated anew)',
      cause: options.cause,
    });
  }
}

export interface ReplicaResult {
  location: string;
  objectKey: string;
  storedChecksum: ObjectChecksum;
  monthlyKey: string | undefined;
}

/** Copies the committed backup `manifest` from `primary` to `replica`, and commits it there as the backup job does. */
export async function replicateBackup(
  primary: BackupStore,
  replica: BackupStore,
  manifest: BackupManifest,
  log: Logger,
  monthly: MonthlyCopy | undefined,
): Promise<ReplicaResult> {
  const key = manifest.objectKey;
  const where = `${replica.location}${key}`;
  try {
    await replica.checkAccess();
  } catch (error) {
    throw new ReplicaError(`the replica target ${replica.location} cannot be used: ${errorMessage(error)}`, { cause: error });
  }
  let put;
  try {
    put = await replica.putNew(key, await primary.get(key), { expectedBytes: manifest.encrypted.size });
  } catch (error) {
    throw new ReplicaError(`copying ${key} to the replica ${where} failed: ${errorMessage(error)}`, { cause: error });
  }
  const problem =
    put.sha256 !== manifest.encrypted.sha256
      ? `was sent bytes with SHA-256 ${put.sha256}, but the backup's is ${manifest.encrypted.sha256}`
      : uploadProblem({ size: manifest.encrypted.size, checksum: put.sentChecksum }, put.committed ?? (await replica.stat(key)));
  if (problem) {
    const removed = await removeUnverified(replica, log, key);
    throw new ReplicaError(`the replica ${where} ${problem}; ${removed ? 'it was removed' : 'removing it failed (see the log)'}`);
  }
  log.info(`replica verified: ${formatBytes(put.size)} in ${replica.location}, ${describeChecksum(put.sentChecksum)} matches`);
  // The replica's manifest records the replica's own checksum form (another store computes another kind).
  const replicaManifest: BackupManifest = { ...manifest, encrypted: { ...manifest.encrypted, storedChecksum: put.sentChecksum } };
  let monthlyKey: string | undefined;
  try {
    ({ monthlyKey } = await commitBackup(replica, replicaManifest, log, monthly));
  } catch (error) {
    throw new ReplicaError(`committing the replica ${where} (its manifest, then its monthly copy) failed: ${errorMessage(error)}`, { cause: error });
  }
  return { location: replica.location, objectKey: key, storedChecksum: put.sentChecksum, monthlyKey };
}
