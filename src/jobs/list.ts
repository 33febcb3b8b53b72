/** list: the backups a target holds, newest first, with tier, time, age, size and completeness. */
import { readCatalog } from '../catalog/backup-catalog.js';
import { formatBytes } from '../log.js';
import { backupTrend, trendTable, type TrendPoint } from '../report/trend.js';
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

export async function runList(store: BackupStore, now: Date): Promise<ListResult> {
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

/** The list as a compact text table with sizes in human units (the CLI prints it; the action logs it). */
export function formatListTable(list: ListResult): string {
  const keyWidth = Math.max(3, ...list.backups.map((b) => b.key.length));
  const rows = list.backups.map((b) => {
    const facts = [b.raftIndex !== undefined ? `raft index ${b.raftIndex}` : '', b.anomalous ? 'DATA ANOMALY' : ''].filter(Boolean).join(', ');
    return `${b.tier.padEnd(8)}${b.time.replace('.000Z', 'Z').padEnd(22)}${`${b.ageHours} h`.padEnd(12)}${formatBytes(b.size).padEnd(12)}${b.complete ? 'complete  ' : 'INCOMPLETE'}  ${b.key.padEnd(keyWidth)}  ${facts}`.trimEnd();
  });
  return [
    `${list.backups.length} backups in ${list.location}`,
    `${'tier    time                  age         size        state       key'.padEnd(66 + keyWidth)}  facts`,
    ...rows,
    ...(list.orphanManifests.length ? [`manifests without object: ${list.orphanManifests.join(', ')}`] : []),
    '',
    trendTable(list.trend),
  ].join('\n');
}
