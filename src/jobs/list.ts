/** list: the backups a target holds, newest first, with tier, time, age, size and completeness. */
import { readCatalog } from '../catalog/backup-catalog.js';
import { backupTrend, type TrendPoint } from '../report/trend.js';
import type { BackupStore } from '../storage/backup-store.js';

export interface ListedBackup {
  key: string;
  tier: 'daily' | 'monthly';
  time: string;
  ageHours: number;
  size: number;
  complete: boolean;
  /** From the manifest of a complete backup. */
  snapshotSize?: number;
  raftIndex?: number;
  /** The manifest records a data anomaly. */
  anomalous?: boolean;
}

export interface ListResult {
  location: string;
  backups: ListedBackup[];
  orphanManifests: string[];
  ignored: string[];
  /** Snapshot size and raft index of the last complete daily backups, oldest first. */
  trend: TrendPoint[];
}

export async function runList(deps: { store: BackupStore }, options: { now: Date }): Promise<ListResult> {
  const { store } = deps;
  const { now } = options;
  const catalog = await readCatalog(store);
  return {
    location: store.location,
    backups: catalog.backups
      .map((b) => ({
        key: b.objectKey,
        tier: b.tier,
        time: b.at.toISOString(),
        ageHours: Math.round(((now.getTime() - b.at.getTime()) / 3_600_000) * 10) / 10,
        size: b.size,
        complete: b.complete,
        ...(b.manifest ? { snapshotSize: b.manifest.snapshot.size, raftIndex: b.manifest.raft?.index, anomalous: Boolean(b.anomalous) } : {}),
      }))
      // Newest first; on a tie the daily original before its monthly copy.
      .sort((a, b) => (a.time === b.time ? (a.tier === 'daily' ? -1 : 1) : a.time < b.time ? 1 : -1)),
    orphanManifests: catalog.orphanManifests,
    ignored: catalog.ignored,
    trend: backupTrend(catalog),
  };
}
