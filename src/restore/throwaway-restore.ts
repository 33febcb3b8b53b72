/**
 * A backup opened in a throwaway cluster: the steps restore-test, recover and diff share. The cluster starts
 * while the backup downloads (own network namespace, unix socket only, initialised like the source), the
 * checked ciphertext is restored into it, the server restarts so the source's seal takes effect, and work
 * runs with a token in the restored data (generated from the source's keys and revoked afterwards). The
 * cluster and the spooled ciphertext are removed whatever happens.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreError } from '../errors.js';
import type { Logger } from '../log.js';
import { checkStoredBackup, pickBackupWithManifest } from '../catalog/stored-backup.js';
import type { Catalog, CatalogEntry } from '../catalog/backup-catalog.js';
import type { Vault } from '../vault/vault-client.js';
import { makePrivateDir } from './private-dirs.js';
import { forceRestore, unsealWithSourceKeys, withRestoredToken, type RestoreDeps, type RestoredLogin, type RestoreTiming } from './restore-into.js';
import type { SourceSeal } from './staging-identity.js';
import { ThrowawayCluster, type ThrowawayClusterSettings } from './throwaway-cluster.js';

/** What opening a backup in a throwaway cluster needs: the backup, the cluster's settings, and the source's seal and keys. */
export interface ThrowawayRestoreOptions {
  which: string;
  throwaway: ThrowawayClusterSettings;
  /** source-seal, for backups whose manifest predates the recorded seal. */
  sourceSeal: SourceSeal | undefined;
  sourceUnsealKeys: string[];
  restoredLogin: RestoredLogin;
  timeoutMs: number;
  /** The target's catalog, when the caller has read it already (diff opens two backups from one). */
  catalog?: Catalog;
}

/** The backup restored and readable: its catalog entry, the throwaway cluster, and a token in the restored data. */
export interface OpenedBackup {
  entry: CatalogEntry;
  cluster: Vault;
  token: string;
}

/**
 * Restores one backup into a throwaway cluster and runs `work` against it; the token (when generated) is
 * revoked and the cluster and spool removed before this returns or throws.
 */
export async function withBackupInThrowaway<T>(deps: RestoreDeps, options: ThrowawayRestoreOptions, work: (opened: OpenedBackup) => Promise<T>): Promise<T> {
  const { store, opener, log, clock } = deps;
  const t: RestoreTiming = { clock, sleep: deps.sleep, timeoutMs: options.timeoutMs };
  const keys = options.sourceUnsealKeys;
  const { entry, manifest } = await pickBackupWithManifest(store, options.which, options.catalog);
  const sourceSeal = manifest.vault.seal ?? options.sourceSeal;
  checkThrowawaySeal(sourceSeal, options.throwaway.seal?.stanza.type, keys.length > 0);
  const dir = await makePrivateDir('work', options.throwaway.tempRoot);
  const spoolPath = join(dir, 'backup.enc'); // ciphertext only: plaintext never touches disk
  const preparing = startThrowaway(options.throwaway, sourceSeal, t, log);
  preparing.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  try {
    await log.group(`Download and verify ${entry.objectKey}`, () =>
      checkStoredBackup(store, entry, opener, log, clock, createWriteStream(spoolPath, { mode: 0o600 })),
    );
    const { cluster: throwaway, rootToken } = await preparing;
    const cluster = throwaway.client;
    const outcome = await log.group(`Restore ${entry.objectKey} into a throwaway cluster`, () =>
      forceRestore(cluster, rootToken, { path: spoolPath, backupId: entry.backupId, opener }, t, log),
    );
    await bringBack(cluster, throwaway, outcome, keys, sourceSeal, t, log);
    return await withRestoredToken(cluster, options.restoredLogin, keys, t, log, (token) => work({ entry, cluster, token }));
  } finally {
    await cleanUp(preparing, dir, log);
  }
}

/** Stops the throwaway cluster (if one started) and removes the spool's directory, whatever happened. */
export async function cleanUp(preparing: Promise<{ cluster: ThrowawayCluster }> | undefined, work: string, log: Logger): Promise<void> {
  const started = await preparing?.catch(() => undefined);
  if (started) {
    await started.cluster.destroy();
    log.info('the throwaway restore cluster was stopped and its directory removed');
  }
  await rm(work, { recursive: true, force: true });
}

/** After the restore: a throwaway server restarts (the restored seal configuration takes effect only then), then unseals. */
export function bringBack(
  cluster: Vault,
  throwaway: ThrowawayCluster | undefined,
  outcome: string,
  keys: string[],
  sourceSeal: SourceSeal | undefined,
  t: RestoreTiming,
  log: Logger,
): Promise<boolean> {
  return log.group('Bring the restored cluster back', async () => {
    if (throwaway) {
      log.info(`the restore was applied (${outcome}); restarting the server process so the source's seal configuration takes effect`);
      await throwaway.restart();
    }
    const used = await unsealWithSourceKeys(cluster, keys, sourceSeal, t, log);
    log.info(`active with the restored data${used ? " (unsealed with the source cluster's keys)" : ''}`);
    return used;
  });
}

/** The throwaway cluster started during the download, with the root token of its own initialisation. */
export async function startedThrowaway(
  preparing: Promise<{ cluster: ThrowawayCluster; rootToken: string; readyAt: number }>,
  tBegin: number,
): Promise<{ throwaway: ThrowawayCluster; cluster: Vault; restoreToken: { token: string; generated: boolean }; startMs: number }> {
  const started = await preparing;
  return {
    throwaway: started.cluster,
    cluster: started.cluster.client,
    restoreToken: { token: started.rootToken, generated: false },
    startMs: started.readyAt - tBegin,
  };
}

/** Starts the throwaway cluster, initialised like the source and unsealed with its own keys. */
export async function startThrowaway(
  settings: ThrowawayClusterSettings,
  sourceSeal: SourceSeal | undefined,
  t: RestoreTiming,
  log: Logger,
): Promise<{ cluster: ThrowawayCluster; rootToken: string; readyAt: number }> {
  const cluster = await ThrowawayCluster.start(settings, log, t);
  try {
    const shares = sourceSeal ?? { type: 'shamir', shares: 1, threshold: 1 };
    if (!sourceSeal) log.warn("the backup's manifest records no seal configuration and source-seal is not set: initialising 1/1 and relying on the restart");
    const autoUnseal = shares.type !== 'shamir';
    const init = await cluster.client.initialize(shares.shares, shares.threshold, autoUnseal);
    // Under auto-unseal the node unseals itself through its seal; with Shamir it takes its own new keys.
    if (!autoUnseal) for (const key of init.keys.slice(0, shares.threshold)) await cluster.client.submitUnsealKey(key);
    await unsealWithSourceKeys(cluster.client, [], undefined, t, log);
    log.info(
      autoUnseal
        ? `restore cluster initialised like the source (${shares.type} seal, ${shares.shares} recovery shares, threshold ${shares.threshold}) and unsealed through its seal`
        : `restore cluster initialised like the source (${shares.shares} shares, threshold ${shares.threshold}) and unsealed with its own keys`,
    );
    return { cluster, rootToken: init.rootToken, readyAt: t.clock().getTime() };
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}

/**
 * What a throwaway cluster needs to open the restored data: the source's seal (restore-seal-config) when it
 * auto-unseals, and the source's unseal keys, or recovery keys, to make a token in it.
 */
export function checkThrowawaySeal(sourceSeal: SourceSeal | undefined, given: string | undefined, haveKeys: boolean): void {
  const autoUnseal = sourceSeal !== undefined && sourceSeal.type !== 'shamir';
  if (autoUnseal && !given)
    throw new RestoreError(`the source cluster uses a ${sourceSeal.type} seal: a throwaway restore cluster needs that seal to open the restored data`, {
      hint: "set restore-seal-config to the source's seal stanza (its key and the credentials to use it; the cluster may reach only that endpoint), or set staging-vault-address to a staging cluster that uses the source's seal",
    });
  if (autoUnseal && given !== sourceSeal.type)
    throw new RestoreError(`restore-seal-config is a ${given} seal, but the backup's source cluster uses a ${sourceSeal.type} seal`, {
      hint: "give the source cluster's own seal stanza in restore-seal-config",
    });
  if (!autoUnseal && given)
    throw new RestoreError(
      `restore-seal-config gives a ${given} seal, but the backup's source cluster is ${sourceSeal ? 'Shamir-sealed' : 'not recorded as auto-unsealed'}`,
      {
        hint: 'leave restore-seal-config empty for a Shamir-sealed source (source-seal records its shares)',
      },
    );
  if (!haveKeys)
    throw new RestoreError(
      autoUnseal
        ? "source-unseal-keys is required for a throwaway restore cluster: give the source cluster's recovery keys, which generate a token in the restored data"
        : "source-unseal-keys is required for a throwaway restore cluster: the restored data is sealed with the source cluster's keys",
      {
        hint: autoUnseal
          ? "give the source cluster's recovery keys (at least their threshold), from a secret"
          : "give the source cluster's unseal keys (at least its threshold), from a secret",
      },
    );
}
