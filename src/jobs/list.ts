/** list: the backups a target holds, newest first, with tier, time, age, size and completeness. */
import { readCatalog } from '../catalog/backup-catalog.js';
import { formatBytes } from '../log.js';
import type { BackupStore } from '../storage/backup-store.js';

export interface ListedBackup {
  key: string;
  tier: 'daily' | 'monthly';
  time: string;
  ageHours: number;
  size: number;
  complete: boolean;
}

export interface ListResult {
  location: string;
  backups: ListedBackup[];
  orphanManifests: string[];
  ignored: string[];
}

export async function runList(store: BackupStore, now: Date): Promise<ListResult> {
  const catalog = await readCatalog(store);
  return {
    location: store.location,
    backups: catalog.backups
      .map((b) => ({ key: b.objectKey, tier: b.tier, time: b.at.toISOString(), ageHours: Math.round(((now.getTime() - b.at.getTime()) / 3_600_000) * 10) / 10, size: b.size, complete: b.complete }))
      // Newest first; on a tie the daily original before its monthly copy.
      .sort((a, b) => (a.time === b.time ? (a.tier === 'daily' ? -1 : 1) : a.time < b.time ? 1 : -1)),
    orphanManifests: catalog.orphanManifests,
    ignored: catalog.ignored,
  };
}

/** The list as a compact text table with sizes in human units (the CLI prints it; the action logs it). */
export function formatListTable(list: ListResult): string {
  const rows = list.backups.map((b) => `${b.tier.padEnd(8)}${b.time.replace('.000Z', 'Z').padEnd(22)}${`${b.ageHours} h`.padEnd(12)}${formatBytes(b.size).padEnd(12)}${b.complete ? 'complete  ' : 'INCOMPLETE'}  ${b.key}`);
  return [
    `${list.backups.length} backups in ${list.location}`,
    `tier    time                  age         size        state       key`,
    ...rows,
    ...(list.orphanManifests.length ? [`manifests without object: ${list.orphanManifests.join(', ')}`] : []),
  ].join('\n');
}
