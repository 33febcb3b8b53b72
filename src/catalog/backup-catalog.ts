/**
 * What a target holds, read from object names only (never from LastModified): each backup with its
 * tier, time and whether its manifest (the commit marker) exists; plus the foreign objects, which
 * this tool never touches.
 */
import { parseBackupKey, type Tier } from '../naming/backup-names.js';
import type { BackupStore, StoredObject } from '../storage/backup-store.js';

export interface CatalogEntry {
  backupId: string;
  tier: Tier;
  at: Date;
  objectKey: string;
  /** Present when the manifest exists: the backup is complete. */
  manifestKey: string | undefined;
  size: number;
  complete: boolean;
}

export interface Catalog {
  backups: CatalogEntry[];
  /** Manifests whose backup object is missing. */
  orphanManifests: string[];
  /** Keys that are not names this tool writes. */
  ignored: string[];
}

/** Pure: groups listed objects into backups, sorted oldest first (then daily before monthly). */
export function buildCatalog(objects: Iterable<StoredObject>): Catalog {
  const byObject = new Map<string, CatalogEntry>();
  const manifests = new Map<string, string>();
  const ignored: string[] = [];
  for (const object of objects) {
    const parsed = parseBackupKey(object.key);
    if (!parsed) {
      ignored.push(object.key);
      continue;
    }
    const objectKey = parsed.kind === 'backup' ? parsed.key : parsed.key.replace(/\.json$/, '.enc');
    if (parsed.kind === 'manifest') {
      manifests.set(objectKey, parsed.key);
      continue;
    }
    byObject.set(objectKey, { backupId: parsed.backupId, tier: parsed.tier, at: parsed.at, objectKey, manifestKey: undefined, size: object.size, complete: false });
  }
  const orphanManifests: string[] = [];
  for (const [objectKey, manifestKey] of manifests) {
    const entry = byObject.get(objectKey);
    if (entry) {
      entry.manifestKey = manifestKey;
      entry.complete = true;
    } else orphanManifests.push(manifestKey);
  }
  const backups = [...byObject.values()].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.tier === b.tier ? 0 : a.tier === 'daily' ? -1 : 1));
  return { backups, orphanManifests: orphanManifests.sort(), ignored: ignored.sort() };
}

export async function readCatalog(store: BackupStore, prefix = ''): Promise<Catalog> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return buildCatalog(objects);
}

/** The newest complete backup; on a tie (a monthly copy has its daily's time) the daily one, its original. */
export function newestComplete(catalog: Catalog, tier?: Tier): CatalogEntry | undefined {
  let newest: CatalogEntry | undefined;
  for (const b of catalog.backups) {
    if (!b.complete || (tier && b.tier !== tier)) continue;
    if (!newest || b.at > newest.at || (b.at.getTime() === newest.at.getTime() && b.tier === 'daily')) newest = b;
  }
  return newest;
}
