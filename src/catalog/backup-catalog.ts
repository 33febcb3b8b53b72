/**
 * What a target holds, read from object names (never from LastModified): each backup with its tier,
 * time and whether its manifest (the commit marker) exists and is valid; plus the foreign objects,
 * which this tool never touches.
 */
import { parseManifest, type BackupManifest } from '../manifest/manifest.js';
import { manifestKeyOf } from '../naming/backup-names.js';
import { parseBackupKey, type Tier } from '../naming/backup-names.js';
import type { BackupStore, StoredObject } from '../storage/backup-store.js';
import { forEachConcurrently } from '../util/concurrently.js';

export interface CatalogEntry {
  backupId: string;
  tier: Tier;
  at: Date;
  objectKey: string;
  /** Present when the manifest exists. */
  manifestKey: string | undefined;
  size: number;
  /** When the store says it wrote the object (the name's time where a pure test lists no time). */
  storedAt: Date;
  /** The manifest exists, parses, and names this object: the backup was committed. */
  complete: boolean;
  /** Why an existing manifest does not make the backup complete. */
  manifestProblem?: string;
  /**
   * Set when this run tried to authenticate the backup and it failed (why): a suspect is never counted as a
   * backup and never deleted by the tool; it is reported.
   */
  suspect?: string;
  /** Its manifest records a data anomaly (possible data loss) next to the backup before it. */
  anomalous?: boolean;
  /** The parsed manifest of a complete backup, as readCatalog read it (absent from a catalog built from names only). */
  manifest?: BackupManifest;
}

export interface Catalog {
  backups: CatalogEntry[];
  /** Manifests whose backup object is missing. */
  orphanManifests: string[];
  /** Keys that are not names this tool writes. */
  ignored: string[];
}

/** Pure: groups listed objects into backups, sorted oldest first (then daily before monthly). */
export function buildCatalog(objects: Iterable<Omit<StoredObject, 'storedAt'> & { storedAt?: Date }>): Catalog {
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
    byObject.set(objectKey, {
      backupId: parsed.backupId,
      tier: parsed.tier,
      at: parsed.at,
      objectKey,
      manifestKey: undefined,
      size: object.size,
      storedAt: object.storedAt ?? parsed.at,
      complete: false,
    });
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

/**
 * Lists the target and reads every manifest: a file at a manifest's name counts only when it parses and
 * names its own object (an empty or foreign one must not displace a valid older backup).
 */
export async function readCatalog(store: BackupStore, prefix = ''): Promise<Catalog> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  const catalog = buildCatalog(objects);
  await forEachConcurrently(
    catalog.backups.filter((b) => b.manifestKey),
    8,
    async (entry) => {
      const read = readManifestOf(await store.getSmall(entry.manifestKey!, MAX_MANIFEST_BYTES).catch((error: unknown) => error), entry);
      if ('problem' in read) {
        entry.complete = false;
        entry.manifestProblem = read.problem;
        // A commit marker that exists but is damaged is not an interrupted write: the object may be a good
        // backup whose manifest was overwritten, so it is never deleted on that manifest's word.
        entry.suspect = read.problem;
      } else {
        entry.manifest = read.manifest;
        if (read.manifest.anomalies?.length) entry.anomalous = true;
      }
    },
  );
  return catalog;
}

const MAX_MANIFEST_BYTES = 64 * 1024;

/** Pure: the manifest `data` holds (its bytes, or the error reading them) when it commits `entry`, or why not. */
export function readManifestOf(
  data: Buffer | unknown,
  entry: Pick<CatalogEntry, 'objectKey' | 'backupId'>,
): { manifest: BackupManifest } | { problem: string } {
  if (!Buffer.isBuffer(data)) return { problem: `its manifest cannot be read: ${data instanceof Error ? data.message : String(data)}` };
  try {
    const manifest = parseManifest(data, entry.objectKey);
    if (manifest.backupId !== entry.backupId) return { problem: `its manifest names backup ${manifest.backupId}, not ${entry.backupId}` };
    return { manifest };
  } catch (error) {
    return { problem: `its manifest is not valid: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The manifest of a complete backup: the one readCatalog already read, or read now. */
export async function manifestOf(store: BackupStore, entry: CatalogEntry): Promise<BackupManifest> {
  return entry.manifest ?? parseManifest(await store.getSmall(manifestKeyOf(entry.objectKey)), entry.objectKey);
}

/**
 * The complete backups not found suspect, newest first; on a tie (a monthly copy has its daily's time) the daily
 * one, its original, first.
 */
export function completeNewestFirst(catalog: Catalog): CatalogEntry[] {
  return catalog.backups
    .filter((b) => b.complete && b.suspect === undefined)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.tier === b.tier ? 0 : a.tier === 'daily' ? -1 : 1));
}

/** The newest complete backup (of `tier`, when given); a daily one before its monthly copy. */
export function newestComplete(catalog: Catalog, tier?: Tier): CatalogEntry | undefined {
  return completeNewestFirst(catalog).find((b) => !tier || b.tier === tier);
}
