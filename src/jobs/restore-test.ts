/**
 * restore-test: the weekly rehearsal. Pick a backup, check it completely (checksum, manifest,
 * decryption, archive) while spooling the still-encrypted object to a private temporary file, and only
 * then stream it into a staging cluster with snapshot-force. Bring staging back (unseal with the
 * source's keys when it seals itself), log in to the restored data and read the canary secrets.
 * Reports RPO (age of the data) and RTO (time to a first successful read).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { RestoreError, VaultError } from '../errors.js';
import { readCatalog } from '../catalog/backup-catalog.js';
import { createDecryptStream } from '../crypto/decrypt-stream.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { formatDuration, type Logger } from '../log.js';
import { SnapshotArchiveValidator } from '../snapshot/archive-validator.js';
import type { BackupStore } from '../storage/backup-store.js';
import { loginToVault } from '../vault/vault-login.js';
import { VaultClient } from '../vault/vault-client.js';
import type { VaultSettings } from '../vault/vault-settings.js';
import { checkStoredBackup, pickBackup } from './verify.js';

export interface Canary {
  path: string;
  /** Hex SHA-256 of the secret's data as canonical JSON (keys sorted, no spaces); optional. */
  sha256?: string;
}

export interface RestoreTestOptions {
  which: string;
  /** The staging cluster, with a token that may call sys/storage/raft/snapshot-force. */
  staging: VaultSettings;
  /** How to log in to the restored data (the source's auth config and tokens come with it). */
  restoredAuth: VaultSettings;
  /** The production address, when known: restoring into it is always refused. */
  sourceAddress: string | undefined;
  sourceUnsealKeys: string[];
  canaries: Canary[];
  allowSameCluster: boolean;
  timeoutMs: number;
  now: Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface RestoreTestResult {
  backupKey: string;
  backupTime: string;
  /** Age of the restored data when the test ran: the recovery point. */
  rpoHours: number;
  timings: { downloadAndVerifyMs: number; restoreMs: number; unsealMs: number; loginAndFirstReadMs: number; totalMs: number };
  stagingAddress: string;
  unsealedWithSourceKeys: boolean;
  canaries: Array<{ path: string; found: boolean; hashChecked: boolean }>;
}

/** SHA-256 of canonical JSON: object keys sorted at every level, no whitespace (same as `jq -cS`). */
export function canonicalSha256(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

const sameAddress = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

export async function runRestoreTest(store: BackupStore, opener: DataKeyOpener, options: RestoreTestOptions, log: Logger): Promise<RestoreTestResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const t0 = Date.now();
  if (options.sourceAddress && sameAddress(options.sourceAddress, options.staging.address)) {
    throw new RestoreError(`staging-vault-address ${options.staging.address} is the source cluster's address: a restore test never writes to production`, {
      hint: 'point staging-vault-address at an isolated staging cluster',
    });
  }
  const staging = new VaultClient(options.staging);
  const work = await mkdtemp(join(tmpdir(), 'vault-backup-restore-'));
  const spoolPath = join(work, 'backup.enc'); // ciphertext only: plaintext never touches disk
  try {
    const before = await staging.requireUnsealed().catch((error: unknown) => {
      throw new RestoreError(`staging cluster ${options.staging.address} is not usable: ${(error as Error).message}`, { hint: 'start and unseal the staging cluster before the restore test', cause: error });
    });

    // 1. Check the whole backup before staging sees a byte of it.
    const catalog = await readCatalog(store);
    const entry = pickBackup(catalog, options.which);
    const verified = await log.group(`Download and verify ${entry.objectKey}`, () =>
      checkStoredBackup(store, entry, opener, log, options.now, createWriteStream(spoolPath, { mode: 0o600 })),
    );
    const tVerified = Date.now();
    const sourceCluster = verified.manifest.vault.clusterId;
    if (sourceCluster && before.clusterId === sourceCluster && !options.allowSameCluster) {
      throw new RestoreError(`staging cluster ${options.staging.address} reports cluster id ${sourceCluster}, the same as the backup's source: it looks like production`, {
        hint: 'use an isolated staging cluster, or set allow-same-cluster if this really is a disposable copy',
      });
    }

    // 2. Stream the checked backup into staging (decrypting again from the spool, validating again).
    await log.group(`Restore into ${options.staging.address}`, async () => {
      const auth = options.staging.auth;
      if (auth.method !== 'token') throw new RestoreError('staging needs a token (staging-vault-token) to start the restore');
      const validator = new SnapshotArchiveValidator();
      const body = pipeline(createReadStream(spoolPath), createDecryptStream({ opener, expectedBackupId: entry.backupId }), validator, (error) => {
        if (error) log.error(`restore stream failed: ${error.message}`);
      });
      await staging.restoreSnapshot(auth.token, body, true);
      log.info('staging accepted the snapshot (snapshot-force); the restore continues in the background');
    });
    const tRestored = Date.now();

    // 3. Bring staging back: it seals itself when its keys differ from the source's (Shamir).
    let unsealedWithSourceKeys = false;
    const deadline = tRestored + options.timeoutMs;
    const restoredToken = await log.group('Wait for staging to come back', async () => {
      for (;;) {
        if (Date.now() > deadline) {
          throw new RestoreError(`staging did not come back within ${formatDuration(options.timeoutMs)} after the restore`, {
            hint: 'check the staging server log; raise restore-timeout-seconds for large snapshots',
          });
        }
        const status = await staging.sealStatus().catch(() => undefined);
        if (status?.sealed) {
          if (!options.sourceUnsealKeys.length) {
            throw new RestoreError('staging sealed itself after the restore and needs the SOURCE cluster\'s unseal keys', {
              hint: 'give source-unseal-keys (masked), or use a staging cluster that can auto-unseal with the source\'s seal',
            });
          }
          log.info(`staging is sealed (${status.type} seal, threshold ${status.threshold}); submitting the source cluster's unseal keys`);
          for (const key of options.sourceUnsealKeys) {
            const progress = await staging.submitUnsealKey(key).catch((error: unknown) => {
              throw new RestoreError(`unsealing staging failed: ${(error as Error).message}`, { hint: 'check that source-unseal-keys are the SOURCE cluster\'s keys', cause: error });
            });
            if (!progress.sealed) break;
          }
          const after = await staging.sealStatus();
          if (after.sealed) throw new RestoreError(`staging is still sealed after ${options.sourceUnsealKeys.length} unseal key(s) (threshold ${after.threshold})`, { hint: 'give at least the threshold of the source cluster\'s unseal keys' });
          unsealedWithSourceKeys = true;
        }
        // Unsealed: the restore may still be applying; a login with the restored credentials is the proof.
        try {
          const health = await staging.health();
          if (health.initialized && !health.sealed && !health.standby) {
            const token = await loginToVault(options.restoredAuth);
            const probe = await staging.http.json<{ data?: unknown }>('GET', 'auth/token/lookup-self', { token, ok: [200, 403] });
            if (probe.status === 200) return token;
          }
        } catch (error) {
          if (!(error instanceof VaultError)) throw error;
        }
        await sleep(500);
      }
    });
    const tUnsealed = Date.now();
    log.info(`staging is active with the restored data${unsealedWithSourceKeys ? ' (unsealed with the source cluster\'s keys)' : ''}`);

    // 4. Canaries.
    const canaries = await log.group('Read canary secrets', async () => {
      const results: RestoreTestResult['canaries'] = [];
      for (const canary of options.canaries) {
        const data = await staging.readKv(restoredToken, canary.path);
        if (data === undefined) {
          throw new RestoreError(`canary secret ${canary.path} is missing from the restored data`, { hint: 'the backup does not hold it: check that the canary exists in production and that backups are recent' });
        }
        if (canary.sha256 && canonicalSha256(data) !== canary.sha256.toLowerCase()) {
          throw new RestoreError(`canary secret ${canary.path} was restored with a different value than expected`, { hint: 'update canary-sha256 if the canary was changed on purpose; otherwise the restore is wrong' });
        }
        log.info(`canary ${canary.path}: present${canary.sha256 ? ', value hash matches' : ''}`);
        results.push({ path: canary.path, found: true, hashChecked: Boolean(canary.sha256) });
      }
      return results;
    });
    const tRead = Date.now();

    const result: RestoreTestResult = {
      backupKey: entry.objectKey,
      backupTime: entry.at.toISOString(),
      rpoHours: verified.ageHours,
      timings: { downloadAndVerifyMs: tVerified - t0, restoreMs: tRestored - tVerified, unsealMs: tUnsealed - tRestored, loginAndFirstReadMs: tRead - tUnsealed, totalMs: tRead - t0 },
      stagingAddress: options.staging.address,
      unsealedWithSourceKeys,
      canaries,
    };
    log.info(`restore test passed: RTO ${formatDuration(result.timings.totalMs)}, RPO ${result.rpoHours.toFixed(1)} h, ${canaries.length} canaries read`);
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
    await staging.close();
  }
}
