/**
 * verify: prove a stored backup is restorable without Vault. Freshness of the newest complete backup,
 * the manifest, the checksum the store reports, then a full streaming download that is hashed,
 * decrypted and checked as a snapshot archive. Each fault has its own error.
 */
import { BackupError, IntegrityError } from '../errors.js';
import { completeNewestFirst, newestComplete, readCatalog, type Catalog, type CatalogEntry } from '../catalog/backup-catalog.js';
import { authenticateEntry } from '../catalog/authenticate.js';
import { raftWentBack } from '../data/anomaly.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { type Logger } from '../log.js';
import { type BackupStore } from '../storage/backup-store.js';
import { backupTrend, type TrendPoint } from '../report/trend.js';
import { checkStoredBackup, pickBackup, type VerifiedBackup } from '../catalog/stored-backup.js';

export class StaleBackupError extends BackupError {
  constructor(message: string) {
    super('storage', message, {
      hint: 'scheduled backups have stopped or are failing: check the backup workflow runs (schedules are disabled after 60 days without repository activity)',
    });
  }
}

export interface VerifyOptions {
  /** latest, latest-monthly, or an object key. */
  which: string;
  maxAgeHours: number;
  now: Date;
  clock: () => Date;
}

export interface VerifyResult extends VerifiedBackup {
  newestKey: string;
  newestAgeHours: number;
  /** Snapshot size and raft index of the last complete daily backups, oldest first. */
  trend: TrendPoint[];
}

/** Resolves latest / latest-monthly / a key to a catalog entry. */
export async function runVerify(deps: { store: BackupStore; opener: DataKeyOpener; log: Logger }, options: VerifyOptions): Promise<VerifyResult> {
  const { store, opener, log } = deps;
  const catalog = await readCatalog(store);
  const newest = newestComplete(catalog);
  if (!newest) throw new StaleBackupError(`${store.location} holds no complete backup at all`);
  const newestAgeHours = (options.now.getTime() - newest.at.getTime()) / 3_600_000;
  if (newestAgeHours > options.maxAgeHours) {
    throw new StaleBackupError(
      `the newest complete backup (${newest.objectKey}) is ${newestAgeHours.toFixed(1)} h old, more than max-age-hours ${options.maxAgeHours}`,
    );
  }
  log.info(`freshness: newest complete backup ${newest.objectKey} is ${newestAgeHours.toFixed(1)} h old (limit ${options.maxAgeHours} h)`);
  const entry = pickBackup(catalog, options.which);
  const verified = await log.group(`Verify ${entry.objectKey}`, () => checkStoredBackup(store, entry, opener, log, options.clock));
  await log.group('Raft history', () => checkHistory(store, opener, catalog, entry, verified, log));
  if (options.which === 'latest') refuseNewerBroken(catalog, entry, options.now, log);
  return { ...verified, newestKey: newest.objectKey, newestAgeHours, trend: backupTrend(catalog) };
}

/** A backup object this young may be one whose manifest is being written right now. */
const COMMIT_GRACE_MS = 10 * 60_000;

/**
 * `latest` is the newest complete backup; a newer one that is incomplete or damaged means the newest state
 * is not recoverable, and the one just verified is older than the operator thinks: an alarm, not a pass.
 */
function refuseNewerBroken(catalog: Catalog, checked: CatalogEntry, now: Date, log: Logger): void {
  const newer = catalog.backups.filter((b) => b.at > checked.at && (!b.complete || b.suspect !== undefined));
  const broken = newer.filter((b) => b.suspect !== undefined || now.getTime() - b.at.getTime() > COMMIT_GRACE_MS);
  for (const b of newer.filter((x) => !broken.includes(x))) log.info(`${b.objectKey} is newer but has no manifest yet: it may be a backup still committing`);
  if (!broken.length) return;
  throw new NewerBackupBrokenError(
    `${checked.objectKey} verified, but ${broken.length === 1 ? 'a newer backup is' : `${broken.length} newer backups are`} not usable: ${broken
      .slice(0, 5)
      .map((b) => `${b.objectKey} (${b.suspect ?? 'no manifest: never completed'})`)
      .join('; ')}`,
  );
}

export class NewerBackupBrokenError extends BackupError {
  constructor(message: string) {
    super('storage', message, {
      hint: 'the newest backup is incomplete or damaged, so latest fell back to an older one: check the backup runs of that time, and who else can write to the target',
    });
  }
}

/**
 * The raft index and term never go back from the complete backup before this one to this one, unless this
 * backup's manifest records it (the backup run raised that alarm already). A forged old snapshot under a new
 * name fails here. The one before is authenticated first (header, first and final chunks).
 */
async function checkHistory(store: BackupStore, opener: DataKeyOpener, catalog: Catalog, checked: CatalogEntry, verified: VerifiedBackup, log: Logger) {
  if (verified.manifest.anomalies?.length) return log.info(`${checked.objectKey} records a data anomaly against the backup before it; not compared again`);
  const before = completeNewestFirst(catalog).find((b) => b.at < checked.at && b.backupId !== checked.backupId);
  if (!before) return log.info('no earlier complete backup to compare the raft history with');
  const auth = await authenticateEntry(store, opener, before);
  if (!auth.ok) return log.warn(`the backup before, ${before.objectKey}, does not authenticate (${auth.problem}); the raft history is not compared with it`);
  const meta = verified.snapshot.meta;
  const backwards = raftWentBack({ objectKey: before.objectKey, raft: auth.raft }, { index: meta.Index, term: meta.Term });
  if (backwards.length) {
    throw new IntegrityError(
      `${checked.objectKey}: ${backwards.map((a) => a.detail).join('; ')} (compared with ${before.objectKey}), and its manifest records no such anomaly`,
      {
        hint: 'a backup that goes back in raft history without the backup run having said so was not made from your cluster as it was then: check who can write to the target; restore from the backup before it',
      },
    );
  }
  log.info(`raft index ${meta.Index}, term ${meta.Term}: not behind ${before.objectKey} (index ${auth.raft.index}, term ${auth.raft.term})`);
}
