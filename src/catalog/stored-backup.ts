/**
 * Choosing a backup (latest, a date, or an object key) and checking one stored backup completely: the
 * manifest, the checksum the store reports, then a full streaming download that is decrypted and checked as a
 * snapshot archive. Shared by verify, restore-test and restore.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError, IntegrityError, StorageError } from '../errors.js';
import { completeNewestFirst, manifestOf, newestComplete, readCatalog, type Catalog, type CatalogEntry } from './backup-catalog.js';
import { createDecryptStream } from '../crypto/decrypt-stream.js';
import { hasOwnedChunks } from '../util/owned-chunks.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { formatBytes, formatDuration, progressLine, type Logger } from '../log.js';
import { ManifestError, type BackupManifest } from '../manifest/manifest.js';
import { checkHeaderAgainstManifest } from '../manifest/header-agreement.js';
import { parseBackupKey } from '../naming/backup-names.js';
import type { ValidatedSnapshot } from '../snapshot/archive-validator.js';
import { archiveCheckSink } from '../snapshot/off-thread-archive-check.js';
import { describeChecksum, type BackupStore } from '../storage/backup-store.js';
import { ProgressMeter } from '../util/progress-meter.js';
import { TapStream } from '../util/tap-stream.js';
import { errorMessage } from '../util/error-text.js';

export class ManifestMissingError extends BackupError {
  constructor(key: string) {
    super('storage', `backup ${key} has no manifest: it was never completed (the upload or its verification failed)`, {
      hint: 'use another backup; prune removes incomplete ones once they are older than the daily window',
    });
  }
}

export class BackupNotFoundError extends BackupError {
  constructor(message: string) {
    super('storage', message, { hint: 'run "vault-backup list" to see what the target holds' });
  }
}

export interface VerifiedBackup {
  key: string;
  backupId: string;
  ageHours: number;
  encryptedSize: number;
  snapshot: ValidatedSnapshot;
  manifest: BackupManifest;
  downloadMs: number;
}

const BACKUP_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `which` names a backup as every command takes one: latest, latest-monthly, a date or an object key. */
export function isBackupChoice(which: string): boolean {
  return which === 'latest' || which === 'latest-monthly' || BACKUP_DATE.test(which) || parseBackupKey(which)?.kind === 'backup';
}

export function pickBackup(catalog: Catalog, which: string): CatalogEntry {
  if (!isBackupChoice(which)) {
    throw new BackupNotFoundError(
      `${JSON.stringify(which)} is not a backup object key (daily/YYYY-MM-DD/vault-snapshot-YYYYMMDD-HHMMSS.enc), a date (YYYY-MM-DD), latest or latest-monthly`,
    );
  }
  if (BACKUP_DATE.test(which)) {
    // A date (UTC): the newest complete backup taken that day.
    const entry = completeNewestFirst(catalog).find((b) => b.at.toISOString().startsWith(which));
    if (!entry) throw new BackupNotFoundError(`no complete backup was taken on ${which} (UTC)`);
    return entry;
  }
  if (which === 'latest' || which === 'latest-monthly') {
    const entry = newestComplete(catalog, which === 'latest' ? undefined : 'monthly');
    if (!entry) throw new BackupNotFoundError(`no complete ${which === 'latest' ? '' : 'monthly '}backup found`);
    return entry;
  }
  const entry = catalog.backups.find((b) => b.objectKey === which);
  if (!entry) throw new BackupNotFoundError(`backup ${which} does not exist`);
  return entry;
}

/** Only a committed backup may be checked or restored; an invalid manifest says what is wrong with it. */
function requireComplete(entry: CatalogEntry): void {
  if (!entry.complete)
    throw entry.manifestProblem
      ? new ManifestError(`backup ${entry.objectKey} is not complete: ${entry.manifestProblem}`)
      : new ManifestMissingError(entry.objectKey);
}

/**
 * The chosen backup and its manifest, read before anything is downloaded (a restore decides from it first).
 * `catalog`: the target's, when the caller has read it already.
 */
export async function pickBackupWithManifest(store: BackupStore, which: string, catalog?: Catalog): Promise<{ entry: CatalogEntry; manifest: BackupManifest }> {
  const entry = pickBackup(catalog ?? (await readCatalog(store)), which);
  requireComplete(entry);
  return { entry, manifest: await manifestOf(store, entry) };
}

/**
 * Downloads, checks and decrypts one backup. With `spool`, the (still encrypted) object is also written
 * there as it streams, so a caller can use the checked bytes again without a second download.
 */
export async function checkStoredBackup(
  store: BackupStore,
  entry: CatalogEntry,
  opener: DataKeyOpener,
  log: Logger,
  clock: () => Date,
  spool?: Writable,
): Promise<VerifiedBackup> {
  const now = clock();
  requireComplete(entry);
  const manifest = await manifestOf(store, entry);

  // Metadata only: the download below authenticates every byte anyway, so a store that would have to
  // read the whole object to report a checksum (a local directory) is not asked to.
  const stored = await store.stat(entry.objectKey, { readContent: false });
  if (!stored) throw new BackupNotFoundError(`backup ${entry.objectKey} vanished while it was being verified`);
  if (stored.size !== manifest.encrypted.size)
    throw new IntegrityError(`${entry.objectKey} is ${stored.size} bytes, its manifest says ${manifest.encrypted.size}`, {
      hint: 'the object was modified or truncated; use another backup',
    });
  if (stored.checksum && manifest.encrypted.storedChecksum && stored.checksum.value !== manifest.encrypted.storedChecksum.value) {
    throw new IntegrityError(
      `${entry.objectKey}: the store reports checksum ${describeChecksum(stored.checksum)}, the manifest recorded ${describeChecksum(manifest.encrypted.storedChecksum)}`,
      { hint: 'the object was replaced or modified; use another backup' },
    );
  }
  log.info(
    stored.checksum
      ? `${entry.objectKey}: manifest and stored checksum agree (${formatBytes(stored.size)})`
      : `${entry.objectKey}: size agrees with the manifest (${formatBytes(stored.size)}); every chunk is authenticated as it is decrypted`,
  );

  const millis = () => clock().getTime();
  const started = millis();
  // One pass, no digest of the ciphertext or of the archive: each chunk's GCM tag (under a key bound to
  // this backup id, with the last chunk marked) proves the bytes are the ones encrypted, whole and in order,
  // and the archive check proves state.bin against SHA256SUMS. A digest would prove nothing more.
  const cipherMeter = new ProgressMeter({
    onProgress: (bytes) => log.info(`… ${progressLine(bytes, millis() - started, stored.size)} downloaded and checked`),
    now: millis,
  });
  const source = await store.get(entry.objectKey);
  const decryptor = createDecryptStream({
    opener,
    expectedBackupId: entry.backupId,
    onHeader: (header) => checkHeaderAgainstManifest(header, manifest, entry.objectKey),
    // The spool writes the same chunks to a file in its own time: then they are not the decryptor's to free.
    freeInput: hasOwnedChunks(source) && !spool,
  });
  const check = archiveCheckSink();
  const stages: NodeJS.ReadWriteStream[] = [cipherMeter];
  if (spool) stages.push(new TapStream(spool));
  try {
    await pipeline(source, ...(stages as [NodeJS.ReadWriteStream]), decryptor, check);
  } catch (error) {
    throw downloadError(entry.objectKey, error);
  }
  if (spool) await new Promise<void>((resolve, reject) => spool.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const snapshot = check.result!;
  if (cipherMeter.byteCount !== manifest.encrypted.size)
    throw new IntegrityError(`${entry.objectKey}: ${cipherMeter.byteCount} bytes were downloaded, its manifest says ${manifest.encrypted.size}`);
  const recorded = manifestDifference(snapshot, manifest);
  if (recorded) throw new IntegrityError(`${entry.objectKey}: the decrypted snapshot differs from the one recorded in its manifest (${recorded})`);
  const elapsed = millis() - started;
  log.info(
    `${entry.objectKey}: decrypted and valid (raft index ${snapshot.meta.Index}, term ${snapshot.meta.Term}, ${formatBytes(snapshot.archiveSize)}; ${formatBytes(cipherMeter.byteCount)} checked in ${formatDuration(elapsed)}, ${formatBytes(cipherMeter.byteCount / (Math.max(elapsed, 1) / 1000))}/s)`,
  );
  return {
    key: entry.objectKey,
    backupId: entry.backupId,
    ageHours: (now.getTime() - entry.at.getTime()) / 3_600_000,
    encryptedSize: cipherMeter.byteCount,
    snapshot,
    manifest,
    downloadMs: elapsed,
  };
}

/** What the authenticated snapshot says that its manifest does not: the cheap facts the archive check yields anyway. */
export function manifestDifference(snapshot: ValidatedSnapshot, manifest: BackupManifest): string | undefined {
  // The manifest parser does not require raft facts; compare what it holds.
  const raft = manifest.raft as Partial<BackupManifest['raft']> | undefined;
  const differences = [
    snapshot.archiveSize !== manifest.snapshot.size ? `size ${snapshot.archiveSize} vs ${manifest.snapshot.size}` : '',
    raft?.stateSha256 !== undefined && snapshot.stateSha256 !== raft.stateSha256 ? `state.bin SHA-256 ${snapshot.stateSha256} vs ${raft.stateSha256}` : '',
    raft?.index !== undefined && snapshot.meta.Index !== raft.index ? `raft index ${snapshot.meta.Index} vs ${raft.index}` : '',
  ].filter(Boolean);
  return differences.length ? differences.join('; ') : undefined;
}

function downloadError(key: string, error: unknown): BackupError {
  if (error instanceof BackupError) {
    // Say which backup: a decryption or archive error alone does not name the object.
    if (!error.message.includes(key)) error.message = `${key}: ${error.message}`;
    return error;
  }
  const message = errorMessage(error);
  if (/checksum/i.test(message)) {
    return new IntegrityError(`${key}: the downloaded bytes do not match the checksum the store keeps (${message})`, {
      hint: 'the object is corrupt in storage or was damaged in transit; retry, then use another backup',
    });
  }
  return new StorageError(`downloading ${key} failed: ${message}`, { cause: error, hint: 'retry; check the network path to the store' });
}
