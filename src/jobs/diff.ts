/**
 * diff: what changed in Vault between two backups, or between a backup and the live cluster. Each backup is
 * restored into a throwaway cluster of its own (one after the other), the live cluster is read with the vault-*
 * login; both sides are read into keyed hashes under a key made for this run, so values are compared
 * without being kept or shown.
 */
import type { Logger } from '../log.js';
import { completeNewestFirst, readCatalog } from '../catalog/backup-catalog.js';
import { keyedHash, readContent, type ClusterContent, type KeyedHash } from '../content/cluster-content.js';
import { diffContent, describeChanges, type ContentDiff } from '../content/content-diff.js';
import { removeLeftovers } from '../restore/private-dirs.js';
import type { RestoreDeps } from '../restore/restore-into.js';
import { withBackupInThrowaway, type ThrowawayRestoreOptions } from '../restore/throwaway-restore.js';
import { openVault } from '../vault/vault-client.js';
import type { VaultSettings } from '../vault/vault-settings.js';

export interface DiffOptions extends Omit<ThrowawayRestoreOptions, 'which'> {
  /** A backup: latest, latest-monthly, a date or an object key. */
  from: string;
  /** A backup, or `live` for the cluster at `live`. */
  to: string;
  live: VaultSettings | undefined;
  /** At least 32 random bytes made for this run: the key of the values' hashes, never stored. */
  hashKey: Buffer;
}

/** One side of a diff: a backup (its key and time) or the live cluster (its address). */
export interface DiffSide {
  label: string;
  backupKey: string | undefined;
  backupTime: string | undefined;
}

export interface DiffResult {
  from: DiffSide;
  to: DiffSide;
  diff: ContentDiff;
}

export const LIVE = 'live';

export async function runDiff(deps: RestoreDeps, options: DiffOptions): Promise<DiffResult> {
  await removeLeftovers(deps.log, options.throwaway.tempRoot);
  const hash = keyedHash(options.hashKey);
  // One reading of the target serves both sides (it reads every manifest).
  const catalog = options.catalog ?? ([options.from, options.to].some((w) => w !== LIVE) ? await readCatalog(deps.store) : undefined);
  const read = { ...options, ...(catalog ? { catalog } : {}) };
  // One side after the other: one throwaway cluster at a time, and a log that reads in order.
  const from = await readSide(deps, read, options.from, hash);
  const to = await readSide(deps, read, options.to, hash);
  const diff = diffContent(from.content, to.content);
  logDiff(deps.log, from.side, to.side, diff);
  return { from: from.side, to: to.side, diff };
}

async function readSide(deps: RestoreDeps, options: DiffOptions, which: string, hash: KeyedHash): Promise<{ side: DiffSide; content: ClusterContent }> {
  if (which === LIVE) {
    const live = openVault(options.live!);
    try {
      const content = await readContent(live, await live.login(), hash, deps.log);
      return { side: { label: `live ${live.address}`, backupKey: undefined, backupTime: undefined }, content };
    } finally {
      await live.close();
    }
  }
  return withBackupInThrowaway(deps, { ...options, which }, async ({ entry, cluster, token }) => ({
    side: { label: entry.objectKey, backupKey: entry.objectKey, backupTime: entry.at.toISOString() },
    content: await deps.log.group(`Read ${entry.objectKey}`, () => readContent(cluster, token, hash, deps.log)),
  }));
}

function logDiff(log: Logger, from: DiffSide, to: DiffSide, diff: ContentDiff): void {
  const { added, removed, changed } = diff.counts;
  log.info(`from ${from.label} to ${to.label}: ${added} added, ${removed} removed, ${changed} changed`);
  for (const line of describeChanges(diff.changes)) log.info(line);
  if (diff.truncated.length) log.warn(`KV listing stopped at its bound in ${diff.truncated.join(', ')}: secrets beyond it were not compared`);
}

/**
 * diff-with-previous: what changed from the newest complete backup before `backupId` to it. Undefined (and
 * said) when there is no earlier backup.
 */
export async function runDiffWithPrevious(
  deps: RestoreDeps,
  options: Omit<DiffOptions, 'from' | 'to' | 'live'> & { objectKey: string; backupId: string },
): Promise<DiffResult | undefined> {
  const catalog = await readCatalog(deps.store);
  const self = catalog.backups.find((b) => b.objectKey === options.objectKey);
  const previous = completeNewestFirst(catalog).find((b) => b.backupId !== options.backupId && (!self || b.at < self.at));
  if (!previous) {
    deps.log.info('diff-with-previous: no earlier complete backup to compare with');
    return undefined;
  }
  return runDiff(deps, { ...options, from: previous.objectKey, to: options.objectKey, live: undefined, catalog });
}
