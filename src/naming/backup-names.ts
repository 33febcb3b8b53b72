/**
 * Object names, the one place they are made and read:
 *   daily/YYYY-MM-DD/vault-snapshot-YYYYMMDD-HHMMSS.enc   (every backup)
 *   monthly/YYYY-MM/vault-snapshot-YYYYMMDD-HHMMSS.enc    (the first complete backup of each month)
 * each with a manifest beside it (.json), written last as the commit marker. All times are UTC.
 * Keys are relative to the target root; a per-cluster prefix belongs to the target.
 */
export type Tier = 'daily' | 'monthly';
export type ObjectKind = 'backup' | 'manifest';

export const BACKUP_SUFFIX = '.enc';
export const MANIFEST_SUFFIX = '.json';
const ID_PREFIX = 'vault-snapshot-';

export interface ParsedKey {
  key: string;
  tier: Tier;
  kind: ObjectKind;
  backupId: string;
  /** The instant in the name (UTC, whole seconds). */
  at: Date;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** vault-snapshot-YYYYMMDD-HHMMSS for the UTC second of `at`. */
export function backupIdAt(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
  return `${ID_PREFIX}${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
}

export function dayFolder(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

export function monthFolder(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}`;
}

/** The folder of a month's monthly backups, with its slash: `monthly/YYYY-MM/`. */
export function monthlyFolderOf(at: Date): string {
  return `monthly/${monthFolder(at)}/`;
}

export function backupKey(tier: Tier, at: Date): string {
  const folder = tier === 'daily' ? dayFolder(at) : monthFolder(at);
  return `${tier}/${folder}/${backupIdAt(at)}${BACKUP_SUFFIX}`;
}

export function manifestKeyOf(backupObjectKey: string): string {
  if (!backupObjectKey.endsWith(BACKUP_SUFFIX)) throw new Error(`not a backup object key: ${backupObjectKey}`);
  return backupObjectKey.slice(0, -BACKUP_SUFFIX.length) + MANIFEST_SUFFIX;
}

/** The backup id for the name a file or key ends in, when it is a backup name. */
export function backupIdOfName(name: string): string | undefined {
  const base = name.split('/').at(-1) ?? '';
  const match = /^(vault-snapshot-\d{8}-\d{6})\.(enc|json)$/.exec(base);
  return match?.[1];
}

const KEY_PATTERN = /^(daily|monthly)\/(\d{4}-\d{2}(?:-\d{2})?)\/vault-snapshot-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.(enc|json)$/;

/**
 * Reads a key back. Anything that is not exactly a name this tool writes (wrong folder for its date,
 * impossible date, other suffix) returns undefined: such objects are never touched.
 */
export function parseBackupKey(key: string): ParsedKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m) return undefined;
  const [, tier, folder, y, mo, d, h, mi, s, ext] = m as unknown as string[];
  const at = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Round-trip: rejects 2025-02-30, 25:00 and the like.
  if (backupIdAt(at) !== `${ID_PREFIX}${y}${mo}${d}-${h}${mi}${s}`) return undefined;
  const expectedFolder = tier === 'daily' ? dayFolder(at) : monthFolder(at);
  if (folder !== expectedFolder) return undefined;
  return { key, tier: tier as Tier, kind: ext === 'enc' ? 'backup' : 'manifest', backupId: backupIdAt(at), at };
}

/** The instant a backup id names (vault-snapshot-YYYYMMDD-HHMMSS), or undefined when it is not one. */
export function timeOfBackupId(id: string): Date | undefined {
  const m = /^vault-snapshot-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(id);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return backupIdAt(at) === id ? at : undefined;
}

/** Where restore tests keep their inventories: not backups, never touched by retention. */
export const INVENTORY_PREFIX = 'inventory/';
const INVENTORY_KEY = /^inventory\/restore-test-\d{8}-\d{6}-\d{3}\.json$/;

/** The inventory key for a restore test at `at`; milliseconds in the name, so two restore tests never meet on a key. */
export function inventoryKey(at: Date): string {
  return `${INVENTORY_PREFIX}restore-test-${at.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19)}.json`;
}

export function isInventoryKey(key: string): boolean {
  return INVENTORY_KEY.test(key);
}

/** Normalises a target prefix: no leading slash, one trailing slash, or empty. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}
