/**
 * The steps of restoring a checked backup into one cluster, shared by restore-test (throwaway or
 * standing staging) and restore (a real recovery): stream the spooled ciphertext through decryption and
 * the archive check into snapshot-force, wait until the restore has been applied, bring the node back
 * with the source's unseal keys, and get a token valid in the restored data.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { RestoreError, VaultError } from '../errors.js';
import { createDecryptStream } from '../crypto/decrypt-stream.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import type { BackupStore } from '../storage/backup-store.js';
import { formatDuration, type Logger } from '../log.js';
import { SnapshotArchiveValidator } from '../snapshot/archive-validator.js';
import type { Vault } from '../vault/vault-client.js';
import type { VaultAuth } from '../vault/vault-settings.js';
import { revokeGeneratedToken } from '../vault/generate-root.js';
import { readCanaries, type Canary, type CanaryResult } from './canaries.js';
import { sealMismatch, type SourceSeal } from './staging-identity.js';

export interface RestoreTiming {
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
}

/** What a restore job works with: the store, a key that opens its backups, the log, and the run's clock and sleep. */
export interface RestoreDeps {
  store: BackupStore;
  opener: DataKeyOpener;
  log: Logger;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** How to get a token in the restored data. */
export type RestoredLogin = { kind: 'token'; token: string } | { kind: 'generate-root' } | { kind: 'source-auth'; auth: VaultAuth };

/** Streams the spooled backup into `cluster` with snapshot-force; returns once the restore has been applied. */
export async function forceRestore(
  cluster: Vault,
  token: string,
  spool: { path: string; backupId: string; opener: DataKeyOpener },
  timing: RestoreTiming,
  log: Logger,
): Promise<'sealed' | 'active'> {
  // Signs that the snapshot was applied: the node seals itself (another cluster's keys), or the token store is
  // replaced, taking a wrapping token made just before with it (HashiCorp Vault restores in place, without a
  // leadership change), or the node steps down and becomes active again (OpenBao).
  const before = (await cluster.leader()).activeTime;
  const marker = await cluster.wrappingMarker(token, Math.ceil(timing.timeoutMs / 1000) + 300);
  if (!marker)
    log.warn(`the restore token may not call sys/wrapping/wrap on ${cluster.address}: only a seal or a leadership change shows that the restore was applied`);
  const validator = new SnapshotArchiveValidator();
  // The spool's reads go to the decryptor alone, which frees each once copied in.
  const body = pipeline(
    createReadStream(spool.path),
    createDecryptStream({ opener: spool.opener, expectedBackupId: spool.backupId, freeInput: true }),
    validator,
    (error) => {
      if (error) log.error(`restore stream failed: ${error.message}`);
    },
  );
  await cluster.restoreSnapshot(token, body, true);
  log.info(`${cluster.address} accepted the snapshot (snapshot-force); waiting for it to be applied`);
  const deadline = timing.clock().getTime() + timing.timeoutMs;
  for (;;) {
    const applied = await restoreApplied(cluster, before, marker);
    if (applied) return applied;
    if (timing.clock().getTime() > deadline) {
      throw new RestoreError(`${cluster.address} did not apply the restored snapshot within ${formatDuration(timing.timeoutMs)}`, {
        hint: 'check the server log; raise restore-timeout-seconds for large snapshots',
      });
    }
    await timing.sleep(250);
  }
}

/** One look at the node after snapshot-force: sealed, active with the restored data, or not yet known. */
async function restoreApplied(cluster: Vault, activeBefore: string | undefined, marker: string | undefined): Promise<'sealed' | 'active' | undefined> {
  const status = await cluster.sealStatus().catch(() => undefined);
  if (!status) return undefined;
  if (status.sealed) return 'sealed';
  const leader = await cluster.leader().catch(() => undefined);
  if (leader?.activeTime && leader.activeTime !== activeBefore) return 'active';
  if (!marker || (await cluster.wrappingTokenExists(marker).catch(() => undefined)) !== false) return undefined;
  const health = await cluster.health().catch(() => undefined);
  return health && !health.sealed && !health.standby ? 'active' : undefined;
}

/**
 * Unseals with the source's keys (a Shamir node seals itself after restoring another cluster's
 * snapshot) and waits until the node is active. Returns whether keys were needed.
 */
export async function unsealWithSourceKeys(
  cluster: Vault,
  keys: string[],
  sourceSeal: SourceSeal | undefined,
  timing: RestoreTiming,
  log: Logger,
): Promise<boolean> {
  const status = await cluster.sealStatus();
  let used = false;
  if (status.sealed) {
    if (!keys.length) {
      throw new RestoreError(`${cluster.address} sealed itself after the restore and needs the SOURCE cluster's unseal keys`, {
        hint: "give source-unseal-keys, or use a cluster that can auto-unseal with the source's seal",
      });
    }
    const mismatch = sourceSeal ? sealMismatch(status, sourceSeal) : undefined;
    if (mismatch) {
      throw new RestoreError(`${cluster.address} still uses its old seal configuration after the restore (${mismatch})`, {
        hint: "after a forced restore a node keeps its old seal configuration until its server process restarts: restart it, then unseal with the source's keys",
      });
    }
    log.info(`sealed (${status.type} seal, threshold ${status.threshold}); submitting the source cluster's unseal keys`);
    let after = status;
    for (const key of keys) {
      after = await cluster.submitUnsealKey(key).catch((error: unknown) => {
        throw new RestoreError(`unsealing ${cluster.address} failed: ${error instanceof Error ? error.message : String(error)}`, {
          hint: 'check that source-unseal-keys are the keys of the cluster the backup came from',
          cause: error,
        });
      });
      if (!after.sealed) break;
    }
    if (after.sealed)
      throw new RestoreError(`${cluster.address} is still sealed after ${keys.length} unseal key(s) (threshold ${after.threshold})`, {
        hint: "give at least the threshold of the source cluster's unseal keys",
      });
    used = true;
  }
  const deadline = timing.clock().getTime() + timing.timeoutMs;
  for (;;) {
    const health = await cluster.health().catch(() => undefined);
    if (health && health.initialized && !health.sealed && !health.standby) return used;
    if (timing.clock().getTime() > deadline)
      throw new RestoreError(`${cluster.address} did not become active within ${formatDuration(timing.timeoutMs)} after unsealing`, {
        hint: 'check the server log',
      });
    await timing.sleep(250);
  }
}

/** A token valid in the restored data, and whether it was generated here (then the caller revokes it). */
export async function restoredToken(
  cluster: Vault,
  login: RestoredLogin,
  keys: string[],
  timing: RestoreTiming,
  log: Logger,
): Promise<{ token: string; generated: boolean }> {
  if (login.kind === 'generate-root') {
    const token = await cluster.generateRootToken(keys, log);
    log.info("generated a root token from the source's unseal keys, for this restore only");
    return { token, generated: true };
  }
  // A login right after unsealing can race the token store coming up: retry until the deadline.
  const deadline = timing.clock().getTime() + timing.timeoutMs;
  for (;;) {
    try {
      const token = login.kind === 'token' ? login.token : await cluster.login(login.auth);
      if (await cluster.tokenWorks(token)) return { token, generated: false };
      if (login.kind === 'token')
        throw new RestoreError(`restored-vault-token is not valid in the restored data on ${cluster.address}`, {
          hint: 'give a token of the source cluster, or leave restored-vault-token empty to generate one from the unseal keys',
        });
    } catch (error) {
      if (!(error instanceof VaultError) || timing.clock().getTime() > deadline) throw error;
    }
    if (timing.clock().getTime() > deadline) throw new RestoreError(`no working token in the restored data on ${cluster.address}`);
    await timing.sleep(500);
  }
}

/** Runs `work` with a token in the restored data; a token generated for it is revoked afterwards. */
export async function withRestoredToken<T>(
  cluster: Vault,
  login: RestoredLogin,
  keys: string[],
  timing: RestoreTiming,
  log: Logger,
  work: (token: string) => Promise<T>,
): Promise<T> {
  const token = await restoredToken(cluster, login, keys, timing, log);
  try {
    return await work(token.token);
  } finally {
    if (token.generated) await revokeGeneratedToken(cluster, token.token, log);
  }
}

/** Reads the canaries with a token in the restored data. */
export function checkCanaries(
  cluster: Vault,
  login: RestoredLogin,
  keys: string[],
  canaries: Canary[],
  timing: RestoreTiming,
  log: Logger,
): Promise<CanaryResult[]> {
  return withRestoredToken(cluster, login, keys, timing, log, (token) => readCanaries(cluster, token, canaries, log));
}
