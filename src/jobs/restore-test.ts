/**
 * restore-test: the weekly rehearsal. Pick a backup and check it completely (checksum, manifest,
 * decryption, archive) while spooling the still-encrypted object to a private temporary file; only then
 * restore it, by default into a throwaway cluster this tool starts (own network namespace, unix socket
 * only, initialised like the source, restarted after the restore so the source's seal takes effect),
 * or into a standing staging cluster. Needs no production credential: a token in the restored data is
 * generated from the source's unseal keys and revoked afterwards. Reports RPO and RTO by phase.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { BackupError, DataAnomalyError, RestoreError } from '../errors.js';
import { describeInventory, inventoryLosses, takeInventory, type Inventory } from '../restore/inventory.js';
import { previousInventory, storeInventory } from '../restore/inventory-record.js';
import { makePrivateDir, removeLeftovers } from '../restore/private-dirs.js';
import { readCanaries } from '../restore/canaries.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { formatDuration, type Logger } from '../log.js';
import type { Canary, CanaryResult } from '../restore/canaries.js';
import { forceRestore, withRestoredToken, type RestoredLogin, type RestoreTiming } from '../restore/restore-into.js';
import { bringBack, checkThrowawaySeal, cleanUp, startedThrowaway, startThrowaway } from '../restore/throwaway-restore.js';
import { judgeStaging, sealMismatch, type SourceSeal } from '../restore/staging-identity.js';
import type { ThrowawayClusterSettings } from '../restore/throwaway-cluster.js';
import type { BackupStore } from '../storage/backup-store.js';
import { openVault, type Vault } from '../vault/vault-client.js';
import type { VaultSettings } from '../vault/vault-settings.js';
import { checkStoredBackup, pickBackupWithManifest } from '../catalog/stored-backup.js';
import type { RestoreDeps } from '../restore/restore-into.js';

export { canonicalSha256 } from '../restore/canaries.js';
export type { Canary } from '../restore/canaries.js';

export interface RestoreTestOptions {
  which: string;
  /** A standing staging cluster (its token may be empty); undefined: a throwaway cluster. */
  staging: VaultSettings | undefined;
  throwaway: ThrowawayClusterSettings;
  /** The source cluster, reached without a token to tell it from a clone; undefined when not configured. */
  source: VaultSettings | undefined;
  /** source-seal, for backups whose manifest predates the recorded seal. */
  sourceSeal: SourceSeal | undefined;
  sourceUnsealKeys: string[];
  restoredLogin: RestoredLogin;
  canaries: Canary[];
  allowSameCluster: boolean;
  timeoutMs: number;
  now: Date;
  /** A KV mount losing more than this share of its secrets since the previous restore test fails it. */
  shrinkLimitPercent: number;
}

export interface RestoreTestResult {
  backupKey: string;
  backupTime: string;
  /** Age of the restored data when the test ran: the recovery point. */
  rpoHours: number;
  /** Phases: download+verify, start (throwaway cluster), restore, restart+unseal, first read; total is the RTO. */
  timings: { downloadAndVerifyMs: number; startMs: number; restoreMs: number; unsealMs: number; loginAndFirstReadMs: number; totalMs: number };
  cluster: 'throwaway' | 'staging';
  /** For a throwaway cluster: whether it ran in its own network namespace. */
  networkIsolated: boolean | undefined;
  stagingAddress: string;
  unsealedWithSourceKeys: boolean;
  canaries: CanaryResult[];
  /** What the restored data holds, counted (stored beside the backups under inventory/); undefined when the token may not list mounts. */
  inventory: Inventory | undefined;
}

const sameAddress = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

export async function runRestoreTest(deps: RestoreDeps, options: RestoreTestOptions): Promise<RestoreTestResult> {
  const { store, opener, log, clock } = deps;
  const t = { clock, sleep: deps.sleep, timeoutMs: options.timeoutMs };
  const t0 = clock().getTime();
  const keys = options.sourceUnsealKeys;
  // A restore test killed outright (SIGKILL) cleans up nothing: this one does, first, and says so.
  await removeLeftovers(log, options.throwaway.tempRoot);

  const { entry, manifest } = await pickBackupWithManifest(store, options.which);
  const sourceSeal = manifest.vault.seal ?? options.sourceSeal;

  // Everything that can refuse does so before the download, and before any cluster is touched.
  const staging = options.staging ? openVault(options.staging) : undefined;
  try {
    const stagingIsClone = staging
      ? await checkStaging(staging, options, manifest.vault.clusterId, sourceSeal, log)
      : (checkThrowawaySeal(sourceSeal, options.throwaway.seal?.stanza.type, keys.length > 0), false);

    const work = await makePrivateDir('work', options.throwaway.tempRoot);
    const spoolPath = join(work, 'backup.enc'); // ciphertext only: plaintext never touches disk
    // The throwaway cluster needs nothing from the download: start it meanwhile, and always stop it.
    const tBegin = clock().getTime();
    const preparing = staging ? undefined : startThrowaway(options.throwaway, sourceSeal, t, log);
    preparing?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    try {
      const verified = await log.group(`Download and verify ${entry.objectKey}`, () =>
        checkStoredBackup(store, entry, opener, log, clock, createWriteStream(spoolPath, { mode: 0o600 })),
      );
      const tVerified = clock().getTime();

      const { throwaway, cluster, restoreToken, startMs } = staging
        ? {
            throwaway: undefined,
            cluster: staging,
            restoreToken: await log.group(`Prepare staging ${staging.address}`, () =>
              stagingRestoreToken(staging, stagingIsClone, keys, options.restoredLogin, log),
            ),
            startMs: clock().getTime() - tVerified,
          }
        : await startedThrowaway(preparing!, tBegin);
      const tStarted = clock().getTime();
      const outcome = await log.group(`Restore into ${cluster.address}`, () =>
        forceRestore(cluster, restoreToken.token, { path: spoolPath, backupId: entry.backupId, opener }, t, log),
      );
      const tRestored = clock().getTime();

      const unsealedWithSourceKeys = await bringBack(cluster, throwaway, outcome, keys, sourceSeal, t, log);
      const tUnsealed = clock().getTime();

      const { read, inventory } = await readRestored(cluster, options, keys, entry.objectKey, t, log);
      const tRead = clock().getTime();
      const losses = inventory ? await compareWithPreviousInventory(store, opener, inventory, options.shrinkLimitPercent, log) : [];

      const result: RestoreTestResult = {
        backupKey: entry.objectKey,
        backupTime: entry.at.toISOString(),
        rpoHours: verified.ageHours,
        timings: timingsOf({ t0, tVerified, tStarted, tRestored, tUnsealed, tRead }, startMs),
        cluster: throwaway ? 'throwaway' : 'staging',
        networkIsolated: throwaway?.isolated,
        stagingAddress: cluster.address,
        unsealedWithSourceKeys,
        canaries: read,
        inventory,
      };
      if (losses.length) throw contentShrank(entry.objectKey, losses, inventory!);
      log.info(`restore test passed: RTO ${formatDuration(result.timings.totalMs)}, RPO ${result.rpoHours.toFixed(1)} h, ${read.length} canaries read`);
      return result;
    } finally {
      await cleanUp(preparing, work, log);
    }
  } finally {
    await staging?.close();
  }
}

/** The restored data lost what the previous restore test found. */
function contentShrank(backupKey: string, losses: string[], inventory: Inventory): DataAnomalyError {
  return new DataAnomalyError(
    `restore test of ${backupKey}: the restored data lost what the previous restore test found: ${losses.join('; ')}. Inventory now: ${describeInventory(inventory)}`,
    'the backup restores, but its content shrank: find out whether the source lost it (restore from an older backup) or the change was intended; the next restore test compares with this one',
  );
}

/** With a token in the restored data: the canaries, and the inventory where the token may take it. */
function readRestored(
  cluster: Vault,
  options: RestoreTestOptions,
  keys: string[],
  backupKey: string,
  t: RestoreTiming,
  log: Logger,
): Promise<{ read: CanaryResult[]; inventory: Inventory | undefined }> {
  return log.group('Read canary secrets and take the inventory', () =>
    withRestoredToken(cluster, options.restoredLogin, keys, t, log, async (token) => {
      const canaries = await readCanaries(cluster, token, options.canaries, log);
      const taken = await takeInventory(cluster, token, backupKey, options.now);
      if (taken) log.info(`inventory: ${describeInventory(taken)}`);
      else log.warn('no inventory: the token in the restored data may not read sys/mounts and sys/auth (restored-login generate-root can)');
      return { read: canaries, inventory: taken };
    }),
  );
}

/** The phases of a restore test from the moments that end them; total is the RTO. */
function timingsOf(
  m: { t0: number; tVerified: number; tStarted: number; tRestored: number; tUnsealed: number; tRead: number },
  startMs: number,
): RestoreTestResult['timings'] {
  return {
    downloadAndVerifyMs: m.tVerified - m.t0,
    startMs,
    restoreMs: m.tRestored - m.tStarted,
    unsealMs: m.tUnsealed - m.tRestored,
    loginAndFirstReadMs: m.tRead - m.tUnsealed,
    totalMs: m.tRead - m.t0,
  };
}

/** Stores this inventory beside the backups, then says what it lost against the previous restore test's. */
async function compareWithPreviousInventory(
  store: BackupStore,
  opener: DataKeyOpener,
  inventory: Inventory,
  shrinkLimitPercent: number,
  log: Logger,
): Promise<string[]> {
  const previous = await previousInventory(store, opener, log);
  const key = await storeInventory(store, opener, inventory);
  log.info(`inventory stored as ${key}${previous ? `; compared with ${previous.key}` : ' (no earlier authenticated inventory: nothing to compare with)'}`);
  return inventoryLosses(previous?.inventory, inventory, shrinkLimitPercent);
}

/**
 * Refuses a standing staging cluster that is the source itself, whose seal the source's keys will not
 * open after a forced restore, or that is not usable, before anything is downloaded or written.
 * Returns whether staging is a clone left by an earlier restore test.
 */
async function checkStaging(
  staging: Vault,
  options: RestoreTestOptions,
  recordedClusterId: string | undefined,
  sourceSeal: SourceSeal | undefined,
  log: Logger,
): Promise<boolean> {
  if (options.source && sameAddress(options.source.address, staging.address)) {
    throw new RestoreError(`staging-vault-address ${staging.address} is the source cluster's address: a restore test never writes to production`, {
      hint: 'point staging-vault-address at an isolated staging cluster, or leave it empty to use a throwaway cluster',
    });
  }
  const health = await staging.requireUnsealed().catch((error: unknown) => {
    throw new RestoreError(`staging cluster ${staging.address} is not usable: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'start and unseal the staging cluster before the restore test',
      cause: error,
    });
  });
  const stagingLeader = await staging.leader();

  let sourceIdentity: { clusterId: string | undefined; leader: Awaited<ReturnType<Vault['leader']>> | undefined } | undefined;
  if (options.source) {
    const source = openVault(options.source);
    try {
      const [h, l] = await Promise.all([source.health(), source.leader()]);
      sourceIdentity = { clusterId: h.clusterId, leader: l };
    } catch (error) {
      log.warn(
        `cannot reach the source cluster ${options.source.address} to compare it with staging: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await source.close();
    }
  }
  const verdict = judgeStaging({ clusterId: health.clusterId, leader: stagingLeader }, sourceIdentity, recordedClusterId);
  if (verdict.kind === 'source') {
    throw new RestoreError(
      `staging-vault-address ${staging.address} reaches the source cluster itself (${verdict.reason}): a restore test never writes to production`,
      {
        hint: 'point staging-vault-address at a separate staging cluster, or leave it empty to use a throwaway cluster',
      },
    );
  }
  if (verdict.kind === 'undecided' && !options.allowSameCluster) {
    throw new RestoreError(`staging cluster ${staging.address} may be production: ${verdict.reason}`, {
      hint: 'set vault-address to the source cluster so the tool can tell a clone from it (only its unauthenticated sys/health and sys/leader are read), or set allow-same-cluster if staging is certainly a copy',
    });
  }
  if (verdict.kind === 'clone') log.info(`staging is a clone from an earlier restore: ${verdict.reason}`);

  const seal = await staging.sealStatus();
  if (!sourceSeal && seal.type === 'shamir') {
    throw new RestoreError(
      "the backup's manifest records no seal configuration of the source, so it cannot be checked that the source's keys will unseal staging",
      {
        hint: "set source-seal to the source cluster's shares/threshold (e.g. 5/3; `bao status` shows them)",
      },
    );
  }
  const mismatch = sourceSeal ? sealMismatch(seal, sourceSeal) : undefined;
  if (mismatch) {
    throw new RestoreError(
      `staging ${staging.address} cannot be unsealed with the source's keys after a restore: ${mismatch}. Nothing was written to staging`,
      {
        hint: `a node keeps its old seal configuration after a forced restore until its process restarts: re-initialise staging with \`bao operator init -key-shares=${sourceSeal!.shares} -key-threshold=${sourceSeal!.threshold}\` (or vault operator init), or leave staging-vault-address empty to use a throwaway cluster`,
      },
    );
  }
  return verdict.kind === 'clone' || verdict.kind === 'undecided';
}

/** staging-vault-token when it works; on a clone whose own token was replaced by the restored data, one generated from the source's unseal keys. */
async function stagingRestoreToken(
  staging: Vault,
  isClone: boolean,
  keys: string[],
  restoredLogin: RestoredLogin,
  log: Logger,
): Promise<{ token: string; generated: boolean }> {
  const given = staging.settings.auth.method === 'token' ? staging.settings.auth.token : '';
  if (given && (await staging.tokenWorks(given))) return { token: given, generated: false };
  // A clone holds the source's token store: a token valid in the restored data (restored-vault-token, or a
  // source-auth login) works there too, and needs no generate-root endpoint (OpenBao closes those by default).
  if (isClone && restoredLogin.kind !== 'generate-root') {
    const what = restoredLogin.kind === 'token' ? 'restored-vault-token' : 'the source-auth login';
    let token = '';
    try {
      token = restoredLogin.kind === 'token' ? restoredLogin.token : await staging.login(restoredLogin.auth);
    } catch (error) {
      // Not fatal: the unseal keys may still make a token. Said, so a failure later names both.
      if (!(error instanceof BackupError)) throw error;
      log.warn(`${what} does not log in to staging ${staging.address}: ${error.message}`);
    }
    if (token && (await staging.tokenWorks(token))) {
      log.info(`staging holds a restored copy of the source: restoring with ${what}, valid in it`);
      return { token, generated: false };
    }
    if (token) log.warn(`${what} is not valid on staging ${staging.address}, which holds a restored copy of the source`);
  }
  if (isClone && keys.length) {
    log.info(
      `${given ? 'staging-vault-token is not valid on staging' : 'no staging-vault-token'}: staging holds a restored copy of the source, so a root token is generated from the source's unseal keys`,
    );
    // The restore replaces staging's token store, so this token disappears with it.
    return { token: await staging.generateRootToken(keys, log), generated: true };
  }
  throw new RestoreError(
    given
      ? `staging-vault-token is not valid on staging ${staging.address} (auth/token/lookup-self refused it)`
      : `staging-vault-token is required to restore into ${staging.address}`,
    {
      hint: isClone
        ? 'staging holds a restored copy of the source: give restored-vault-token (a token of the source, valid in the copy), or source-unseal-keys to generate one'
        : 'give a token of the staging cluster that may call sys/storage/raft/snapshot-force',
    },
  );
}
