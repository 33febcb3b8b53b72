/**
 * The one commit protocol for every writer of a backup (the backup job, the replica), once its object is
 * proven: the manifest is written last, and only then is the backup complete; then the month's monthly copy.
 */
import { IntegrityError } from '../errors.js';
import { readCatalog } from '../catalog/backup-catalog.js';
import { authenticateEntry } from '../catalog/authenticate.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import type { Logger } from '../log.js';
import { encodeManifest, type BackupManifest } from '../manifest/manifest.js';
import { backupKey, manifestKeyOf, monthlyFolderOf } from '../naming/backup-names.js';
import { describeChecksum, type BackupStore } from '../storage/backup-store.js';
import { copyProblem } from '../storage/checksum-proof.js';
import { removeUnverified } from '../storage/remove-unverified.js';

/** Where the month's copy is made: the backup's time, and the key that may authenticate a monthly copy already there. */
export interface MonthlyCopy {
  at: Date;
  opener: DataKeyOpener | undefined;
}

/** Writes `manifest` beside its proven object (the backup is then complete) and, with `monthly`, the month's copy. */
export async function commitBackup(
  store: BackupStore,
  manifest: BackupManifest,
  log: Logger,
  monthly: MonthlyCopy | undefined,
): Promise<{ manifestKey: string; monthlyKey: string | undefined }> {
  const manifestKey = manifestKeyOf(manifest.objectKey);
  await store.putSmallNew(manifestKey, encodeManifest(manifest));
  log.info(`manifest written: ${store.location}${manifestKey} (the backup is now complete)`);
  const monthlyKey = monthly ? await log.group('Monthly copy', () => ensureMonthlyCopy(store, log, manifest, monthly.at, monthly.opener)) : undefined;
  return { manifestKey, monthlyKey };
}

/**
 * Copies this backup to monthly/ unless the month already holds a monthly backup this run authenticated. One
 * it cannot authenticate (planted by someone else, damaged, or made under a key this job cannot open, such as
 * a KMS key it may only encrypt with) does not stand for the month: the copy is made, and prune later keeps
 * the month's first authenticated monthly backup.
 */
export async function ensureMonthlyCopy(
  store: BackupStore,
  log: Logger,
  daily: BackupManifest,
  at: Date,
  opener: DataKeyOpener | undefined,
): Promise<string | undefined> {
  const folder = monthlyFolderOf(at);
  const catalog = await readCatalog(store, folder);
  for (const existing of catalog.backups.filter((b) => b.complete && b.suspect === undefined && b.tier === 'monthly')) {
    const checked = opener ? await authenticateEntry(store, opener, existing) : { ok: false as const, problem: 'this job holds no key that opens backups' };
    if (checked.ok) {
      log.info(`${folder} already holds ${existing.objectKey} (authenticated); no monthly copy needed`);
      return undefined;
    }
    log.info(`${folder} holds ${existing.objectKey}, but it does not stand for the month: ${checked.problem}`);
  }
  const monthlyKey = backupKey('monthly', at);
  const copy = await store.copyNew(daily.objectKey, monthlyKey);
  const problem = copyProblem(copy, { size: daily.encrypted.size, sha256Hex: daily.encrypted.sha256, storedChecksum: daily.encrypted.storedChecksum });
  if (problem) {
    await removeUnverified(store, log, monthlyKey);
    throw new IntegrityError(`monthly copy ${monthlyKey} ${problem}`, {
      hint: 'the daily backup is intact; the next backup this month will try the copy again',
    });
  }
  const manifest: BackupManifest = {
    ...daily,
    tier: 'monthly',
    objectKey: monthlyKey,
    copiedFrom: daily.objectKey,
    encrypted: { ...daily.encrypted, storedChecksum: copy.checksum ?? daily.encrypted.storedChecksum },
  };
  await store.putSmallNew(manifestKeyOf(monthlyKey), encodeManifest(manifest));
  log.info(`first backup of the month: copied to ${monthlyKey}${copy.checksum ? ` (${describeChecksum(copy.checksum)} verified)` : ''}`);
  return monthlyKey;
}
