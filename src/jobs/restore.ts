/**
 * restore: the real recovery, in one command. Verify the chosen backup completely (spooling only
 * ciphertext), force-restore it into the named cluster, unseal it with the source's keys, and confirm
 * canary secrets with a token generated from those keys (revoked afterwards). When the cluster was
 * initialised with other key shares than the source, a forced restore takes effect only after its server
 * process restarts: the command says so and waits for that restart.
 */
import { makePrivateDir, removeLeftovers } from '../restore/private-dirs.js';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RestoreError } from '../errors.js';
import { formatDuration, type Logger } from '../log.js';
import type { Canary, CanaryResult } from '../restore/canaries.js';
import { checkCanaries, forceRestore, unsealWithSourceKeys, type RestoreDeps, type RestoredLogin, type RestoreTiming } from '../restore/restore-into.js';
import { sealMismatch, type SourceSeal } from '../restore/staging-identity.js';
import { openVault, type Vault } from '../vault/vault-client.js';
import type { VaultSettings } from '../vault/vault-settings.js';
import { checkStoredBackup, pickBackupWithManifest } from '../catalog/stored-backup.js';

export interface RestoreOptions {
  which: string;
  /** The cluster that receives the backup (restore-vault-address, restore-vault-token). */
  target: VaultSettings;
  sourceSeal: SourceSeal | undefined;
  sourceUnsealKeys: string[];
  restoredLogin: RestoredLogin;
  canaries: Canary[];
  timeoutMs: number;
  now: Date;
}

export interface RestoreResult {
  backupKey: string;
  backupTime: string;
  targetAddress: string;
  /** The target had other key shares than the source, so its process had to restart after the restore. */
  restartedForSeal: boolean;
  unsealedWithSourceKeys: boolean;
  canaries: CanaryResult[];
  timings: { downloadAndVerifyMs: number; restoreMs: number; unsealMs: number; totalMs: number };
}

export async function runRestore(deps: RestoreDeps, options: RestoreOptions): Promise<RestoreResult> {
  const { store, opener, log } = deps;
  const { clock } = deps;
  const t = { clock, sleep: deps.sleep, timeoutMs: options.timeoutMs };
  const t0 = clock().getTime();
  const { entry, manifest } = await pickBackupWithManifest(store, options.which);
  const sourceSeal = manifest.vault.seal ?? options.sourceSeal;
  const keys = options.sourceUnsealKeys;
  const token = options.target.auth.method === 'token' ? options.target.auth.token : '';

  const target = openVault(options.target);
  try {
    await target.requireUnsealed().catch((error: unknown) => {
      throw new RestoreError(`the cluster to restore into, ${target.address}, is not ready: ${error instanceof Error ? error.message : String(error)}`, {
        hint: "initialise it (ideally with the source's key shares and threshold) and unseal it with its own keys first; see docs/RESTORE.md",
        cause: error,
      });
    });
    if (!token || !(await target.tokenWorks(token))) {
      throw new RestoreError(`restore-vault-token is ${token ? 'not valid' : 'required'} on ${target.address}`, {
        hint: "give the new cluster's own root token (from its init), in VAULT_BACKUP_RESTORE_TOKEN",
      });
    }
    const seal = await target.sealStatus();
    if (seal.type === 'shamir' && !keys.length)
      throw new RestoreError("source-unseal-keys is required: after the restore the cluster is sealed with the source cluster's keys", {
        hint: "give the source cluster's unseal keys (VAULT_BACKUP_SOURCE_UNSEAL_KEYS)",
      });
    const mismatch = sourceSeal ? sealMismatch(seal, sourceSeal) : undefined;
    if (mismatch)
      log.warn(
        `${target.address}: ${mismatch}. After the restore its server process must be restarted before the source's keys are accepted; this command will ask for it and wait`,
      );

    await removeLeftovers(log);
    const work = await makePrivateDir('work');
    const spoolPath = join(work, 'backup.enc'); // ciphertext only
    try {
      await log.group(`Download and verify ${entry.objectKey}`, () =>
        checkStoredBackup(store, entry, opener, log, clock, createWriteStream(spoolPath, { mode: 0o600 })),
      );
      const tVerified = clock().getTime();
      await log.group(`Restore into ${target.address}`, () => forceRestore(target, token, { path: spoolPath, backupId: entry.backupId, opener }, t, log));
      const tRestored = clock().getTime();

      const unsealed = await log.group("Unseal with the source cluster's keys", async () => {
        if (mismatch && sourceSeal) await waitForRestart(target, sourceSeal, t, log);
        return unsealWithSourceKeys(target, keys, sourceSeal, t, log);
      });
      const tUnsealed = clock().getTime();
      const canaries = await log.group('Confirm canary secrets', () => checkCanaries(target, options.restoredLogin, keys, options.canaries, t, log));
      const tRead = clock().getTime();
      log.info(`restored ${entry.objectKey} into ${target.address} in ${formatDuration(tRead - t0)}; take a backup of the restored cluster now`);
      return {
        backupKey: entry.objectKey,
        backupTime: entry.at.toISOString(),
        targetAddress: target.address,
        restartedForSeal: Boolean(mismatch),
        unsealedWithSourceKeys: unsealed,
        canaries,
        timings: { downloadAndVerifyMs: tVerified - t0, restoreMs: tRestored - tVerified, unsealMs: tUnsealed - tRestored, totalMs: tRead - t0 },
      };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } finally {
    await target.close();
  }
}

/** Asks the operator to restart the server process and waits until it reports the source's seal configuration. */
async function waitForRestart(target: Vault, sourceSeal: SourceSeal, t: RestoreTiming, log: Logger): Promise<void> {
  log.warn(
    `RESTART the server process of ${target.address} now (e.g. \`systemctl restart openbao\`): after a forced restore it keeps its old seal configuration until restarted. Waiting up to ${formatDuration(t.timeoutMs)}`,
  );
  const deadline = t.clock().getTime() + t.timeoutMs;
  for (;;) {
    const status = await target.sealStatus().catch(() => undefined);
    if (status && !sealMismatch(status, sourceSeal)) {
      log.info(`${target.address} restarted with the source's seal configuration (${sourceSeal.shares} shares, threshold ${sourceSeal.threshold})`);
      return;
    }
    if (t.clock().getTime() > deadline) {
      throw new RestoreError(`${target.address} was not restarted within ${formatDuration(t.timeoutMs)}; the restored data is in place but sealed`, {
        hint: "restart its server process, then unseal it with the source cluster's keys (`bao operator unseal`)",
      });
    }
    await t.sleep(500);
  }
}
