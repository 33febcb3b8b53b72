/**
 * The backup job: snapshot from the active Vault node, validated and encrypted while it streams,
 * uploaded without ever replacing an object, proven by the checksum the store reports, then
 * committed by writing its manifest. The first complete backup of a month is also copied to monthly/.
 * Plaintext exists only in memory, one chunk at a time.
 */
import { pipeline, type Readable } from 'node:stream';
import { BackupError, DataAnomalyError, IntegrityError, ObjectExistsError, VaultError } from '../errors.js';
import { completeNewestFirst, manifestOf, newestComplete, readCatalog } from '../catalog/backup-catalog.js';
import { authenticateEntry } from '../catalog/authenticate.js';
import { detectAnomalies } from '../data/anomaly.js';
import { createEncryptStream } from '../crypto/encrypt-stream.js';
import { hasOwnedChunks, passOwnedChunks } from '../util/owned-chunks.js';
import { FORMAT_VERSION, WrapType } from '../crypto/format.js';
import type { DataKeyOpener, DataKeySource, RandomSource } from '../crypto/data-keys.js';
import { formatBytes, formatDuration, progressLine, type Logger } from '../log.js';
import { MANIFEST_FORMAT, type BackupManifest } from '../manifest/manifest.js';
import { backupIdAt, backupKey, manifestKeyOf } from '../naming/backup-names.js';
import { plaintextArchiveCheck } from '../snapshot/off-thread-archive-check.js';
import { describeChecksum, type BackupStore, type ObjectChecksum } from '../storage/backup-store.js';
import { ProgressMeter } from '../util/progress-meter.js';
import { uploadProblem } from '../storage/checksum-proof.js';
import { removeUnverified } from '../storage/remove-unverified.js';
import { replicateBackup, type ReplicaResult } from '../replica/replicate.js';
import { commitBackup } from '../commit/commit-backup.js';
import { errorMessage, errorCode } from '../util/error-text.js';
import type { Vault } from '../vault/vault-client.js';
import { BODY_TIMEOUT } from '../vault/vault-http.js';
import { TOOL_VERSION } from '../version.js';

export interface BackupJobDeps {
  store: BackupStore;
  vault: Vault;
  keySource: DataKeySource;
  log: Logger;
  clock: () => Date;
  random?: RandomSource;
  /** replica-target: where the committed backup is copied next. */
  replica?: BackupStore;
  /** Opens backups made with this job's key, to authenticate a month's existing monthly copy; absent for a KMS key. */
  opener?: DataKeyOpener;
}

export interface BackupJobOptions {
  chunkSize: number;
  /** Longest the whole snapshot download may take; 'auto' derives it from the previous backup's size. */
  snapshotDeadline: number | 'auto';
  /** A snapshot whose data shrinks by more than this share of the previous backup's fails the run. */
  shrinkLimitPercent: number;
  /** Copy the first complete backup of each month to monthly/. */
  monthly: boolean;
  runUrl?: string;
}

export interface BackupResult {
  backupId: string;
  objectKey: string;
  manifestKey: string;
  monthlyKey: string | undefined;
  type: 'daily' | 'daily+monthly';
  location: string;
  encryptedSize: number;
  encryptedSha256: string;
  storedChecksum: ObjectChecksum;
  snapshotSize: number;
  /** SHA-256 of the snapshot's state.bin, as checked against its SHA256SUMS. */
  stateSha256: string;
  raftIndex: number;
  raftTerm: number;
  keyId: string;
  vaultVersion: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The second copy, when replica-target is set. */
  replica?: ReplicaResult;
}

export async function runBackup(deps: BackupJobDeps, options: BackupJobOptions): Promise<BackupResult> {
  const { store, vault, log } = deps;
  const clock = deps.clock;
  const health = await preflight(deps);
  const token = await log.group('Vault login', async () => {
    const t = await vault.login();
    log.info(`logged in with ${vault.settings.auth.method}`);
    return t;
  });

  const started = clock();
  const backupId = backupIdAt(started);
  const objectKey = backupKey('daily', started);
  const manifestKey = manifestKeyOf(objectKey);
  if ((await store.stat(objectKey)) || (await store.stat(manifestKey))) throw new ObjectExistsError(objectKey, store.location);

  const previous = await previousBackup(store, deps.opener, log);
  const deadlineMs = options.snapshotDeadline === 'auto' ? autoSnapshotDeadline(previous?.snapshot.size) : options.snapshotDeadline;
  const uploaded = await log.group(`Snapshot → encrypt → upload ${objectKey}`, () =>
    streamBackup(deps, token, backupId, objectKey, options.chunkSize, deadlineMs, previous?.encrypted.size),
  );

  const manifest = newManifest({ backupId, objectKey, uploaded, health, chunkSize: options.chunkSize, started, finished: clock(), runUrl: options.runUrl });
  const current = { index: uploaded.snapshot.meta.Index, term: uploaded.snapshot.meta.Term, stateSize: uploaded.snapshot.stateSize };
  const anomalies = detectAnomalies(previous, current, options.shrinkLimitPercent);
  if (anomalies.length) manifest.anomalies = anomalies;
  const { monthlyKey } = await commitBackup(store, manifest, log, options.monthly ? { at: started, opener: deps.opener } : undefined);
  const { replica, replicaFailure } = await secondCopy(deps, options, manifest, started);

  const done = clock();
  const result: BackupResult = {
    backupId,
    objectKey,
    manifestKey,
    monthlyKey,
    type: monthlyKey ? 'daily+monthly' : 'daily',
    location: store.location,
    encryptedSize: uploaded.encryptedSize,
    encryptedSha256: uploaded.encryptedSha256,
    storedChecksum: uploaded.storedChecksum,
    snapshotSize: uploaded.snapshot.archiveSize,
    stateSha256: uploaded.snapshot.stateSha256,
    raftIndex: uploaded.snapshot.meta.Index,
    raftTerm: uploaded.snapshot.meta.Term,
    keyId: uploaded.keyId,
    vaultVersion: health.version,
    startedAt: manifest.startedAt,
    finishedAt: done.toISOString(),
    durationMs: done.getTime() - started.getTime(),
    ...(replica ? { replica } : {}),
  };
  log.info(`backup ${backupId} complete: ${formatBytes(result.encryptedSize)} in ${formatDuration(result.durationMs)} at ${store.location}${objectKey}`);
  if (replicaFailure && !anomalies.length) throw replicaFailure;
  // Both: the data anomaly is the failure to act on first; the replica's is logged beside it.
  if (replicaFailure) log.error(replicaFailure instanceof BackupError ? replicaFailure.describe() : String(replicaFailure));
  if (anomalies.length) {
    // Stored (it is evidence), but the run fails: backing up a damaged cluster faithfully is the worst failure.
    throw new DataAnomalyError(
      `backup ${backupId} was stored, but compared with ${previous!.objectKey}: ${anomalies.map((a) => a.detail).join('; ')}`,
      `prune now keeps the last backup from before this change, beyond the retention windows, until it is acknowledged. If the change was intended, add ${backupId} to the prune job's acknowledged-anomalies setting; otherwise restore from that backup`,
    );
  }
  return result;
}

type Health = Awaited<ReturnType<Vault['requireUnsealed']>> & { seal: { type: string; shares: number; threshold: number } };

/** The target is reachable and Vault unsealed; its health and seal are recorded in the manifest. */
function preflight(deps: BackupJobDeps): Promise<Health> {
  const { store, vault, log } = deps;
  return log.group('Preflight', async () => {
    await store.checkAccess();
    log.info(`target ${store.location} is reachable`);
    const h = await vault.requireUnsealed();
    log.info(`Vault ${vault.address} is unsealed (version ${h.version}${h.clusterName ? `, cluster ${h.clusterName}` : ''})`);
    // Recorded in the manifest: a restore initialises its cluster to match, and checks a staging against it.
    const seal = await vault.sealStatus();
    return { ...h, seal: { type: seal.type, shares: seal.shares, threshold: seal.threshold } };
  });
}

/** The manifest of an uploaded backup: what was stored, from which snapshot, under which key. */
function newManifest(b: {
  backupId: string;
  objectKey: string;
  uploaded: Awaited<ReturnType<typeof streamBackup>>;
  health: Health;
  chunkSize: number;
  started: Date;
  finished: Date;
  runUrl: string | undefined;
}): BackupManifest {
  const { uploaded, health } = b;
  return {
    format: MANIFEST_FORMAT,
    backupId: b.backupId,
    tier: 'daily',
    objectKey: b.objectKey,
    encrypted: { size: uploaded.encryptedSize, sha256: uploaded.encryptedSha256, storedChecksum: uploaded.storedChecksum },
    snapshot: { size: uploaded.snapshot.archiveSize },
    encryption: {
      format: FORMAT_VERSION,
      keyId: uploaded.keyId,
      keyWrapping: uploaded.wrapType === WrapType.AwsKms ? 'aws-kms' : 'raw-aes256gcm',
      chunkSize: b.chunkSize,
    },
    raft: {
      index: uploaded.snapshot.meta.Index,
      term: uploaded.snapshot.meta.Term,
      stateSize: uploaded.snapshot.stateSize,
      stateSha256: uploaded.snapshot.stateSha256,
    },
    vault: {
      address: uploaded.from,
      version: health.version,
      ...(health.clusterId ? { clusterId: health.clusterId } : {}),
      ...(health.clusterName ? { clusterName: health.clusterName } : {}),
      seal: health.seal,
    },
    startedAt: b.started.toISOString(),
    finishedAt: b.finished.toISOString(),
    source: { tool: `vault-backup ${TOOL_VERSION}`, ...(b.runUrl ? { runUrl: b.runUrl } : {}) },
  };
}

/** The second copy: after the primary is complete, so a replica failure never undoes it (it is returned, not thrown). */
async function secondCopy(
  deps: BackupJobDeps,
  options: BackupJobOptions,
  manifest: BackupManifest,
  started: Date,
): Promise<{ replica: ReplicaResult | undefined; replicaFailure: unknown }> {
  const { store, log } = deps;
  const replicaStore = deps.replica;
  if (!replicaStore) return { replica: undefined, replicaFailure: undefined };
  try {
    const replica = await log.group(`Replica → ${replicaStore.location}`, () =>
      replicateBackup(store, replicaStore, manifest, log, options.monthly ? { at: started, opener: deps.opener } : undefined),
    );
    return { replica, replicaFailure: undefined };
  } catch (error) {
    return { replica: undefined, replicaFailure: error };
  }
}

/** Backups tried, newest first, for one that authenticates as the previous backup. */
const PREVIOUS_CANDIDATES = 5;

/**
 * The previous backup's manifest: what the new snapshot is compared with; undefined for a first backup. With
 * a key that opens backups, the newest one that authenticates (anything else at the target may be planted);
 * with a KMS key this job may only encrypt with, the newest complete one, taken on its word.
 */
async function previousBackup(store: BackupStore, opener: DataKeyOpener | undefined, log: Logger): Promise<BackupManifest | undefined> {
  try {
    const catalog = await readCatalog(store);
    if (!opener) {
      const newest = newestComplete(catalog);
      return newest ? await manifestOf(store, newest) : undefined;
    }
    const candidates = completeNewestFirst(catalog);
    for (const entry of candidates.slice(0, PREVIOUS_CANDIDATES)) {
      // Authenticated, its manifest's raft facts are the snapshot's own.
      const checked = await authenticateEntry(store, opener, entry);
      if (checked.ok) return manifestOf(store, entry);
      log.warn(`${entry.objectKey} is not compared with: it does not authenticate (${checked.problem})`);
    }
    if (candidates.length)
      log.warn(`none of the ${Math.min(candidates.length, PREVIOUS_CANDIDATES)} newest backups authenticates: no comparison with a previous backup`);
    return undefined;
  } catch (error) {
    log.warn(`could not read the previous backup's manifest (no comparison with it; the snapshot deadline takes its default): ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * The snapshot deadline when vault-snapshot-deadline-seconds is auto: 30 minutes plus the previous
 * snapshot at 1 MiB/s (a slow but live transfer), or 2 hours for a first backup. A server that drips
 * a byte now and then never trips the idle timeout; this bounds the whole transfer.
 */
export function autoSnapshotDeadline(previousBytes: number | undefined): number {
  if (previousBytes === undefined) return 2 * 3_600_000;
  // At most a day: the previous size comes from a manifest, which anyone who can write to the target can write.
  return Math.min(30 * 60_000 + Math.ceil(previousBytes / (1024 * 1024)) * 1000, MAX_AUTO_DEADLINE_MS);
}

/** The longest automatic snapshot deadline (a 1 MiB/s transfer of 84 GiB); vault-snapshot-deadline-seconds sets any other. */
const MAX_AUTO_DEADLINE_MS = 24 * 3_600_000;

async function streamBackup(
  deps: BackupJobDeps,
  token: string,
  backupId: string,
  objectKey: string,
  chunkSize: number,
  deadlineMs: number,
  expectedBytes: number | undefined,
) {
  const { store, vault, log } = deps;
  // Make the data key first: a KMS failure must not leave a snapshot request hanging.
  const encryptor = await createEncryptStream({ keySource: deps.keySource, backupId, chunkSize, ...(deps.random ? { random: deps.random } : {}) });
  log.info(`encrypting with ${deps.keySource.description} (format v${FORMAT_VERSION}, ${formatBytes(chunkSize)} chunks)`);

  const abort = new AbortController();
  let pastDeadline = false;
  const deadline = setTimeout(() => {
    pastDeadline = true;
    abort.abort();
  }, deadlineMs);
  deadline.unref();
  const { stream: snapshot, from } = await vault.snapshotStream(token, abort.signal);
  log.info(`snapshot stream opened from ${from}`);
  // No digest of the whole archive: SHA256SUMS proves state.bin (its digest goes into the manifest), and
  // the GCM tags prove the archive's bytes whenever it is decrypted. One digest of the ciphertext remains.
  // The archive check reads the encryptor's chunks once sealed, in their own buffers (no copy of its own), on
  // the worker thread where it can run (this thread then reads, encrypts and stores).
  const validator = plaintextArchiveCheck();
  encryptor.passPlaintextTo(validator);
  encryptor.freeInput = hasOwnedChunks(snapshot);
  const meter = progressMeter(deps, encryptor, expectedBytes);

  const { flowing, failures } = flow(snapshot, encryptor, meter, abort.signal);
  const late = () =>
    new VaultError(`the snapshot from ${from} did not finish within ${formatDuration(deadlineMs)} (vault-snapshot-deadline-seconds)`, {
      hint: 'the server is sending far too slowly; check its load and the network path, or raise vault-snapshot-deadline-seconds; nothing was stored',
    });
  let put;
  try {
    put = await store.putNew(objectKey, meter, expectedBytes === undefined ? {} : { expectedBytes });
  } catch (uploadError) {
    abort.abort();
    snapshot.destroy();
    await flowing;
    throw pastDeadline ? late() : rootCause(uploadError, failures.flow, failures.snapshot, from);
  } finally {
    clearTimeout(deadline);
  }
  await flowing;
  if (failures.flow) {
    await removeUnverified(store, log, objectKey);
    throw pastDeadline ? late() : rootCause(failures.flow, failures.flow, failures.snapshot, from);
  }
  const snap = validator.result!;
  log.info(
    `snapshot valid: raft index ${snap.meta.Index}, term ${snap.meta.Term}, ${formatBytes(snap.archiveSize)} (state.bin ${formatBytes(snap.stateSize)}, SHA256SUMS verified)`,
  );

  await proveStored(store, log, objectKey, put, meter.byteCount);
  return {
    from,
    snapshot: snap,
    encryptedSize: meter.byteCount,
    encryptedSha256: put.sha256,
    // Proven equal to what the store reports; our copy carries the right label and part count.
    storedChecksum: put.sentChecksum,
    keyId: encryptor.info.keyId,
    wrapType: encryptor.info.wrapType,
  };
}

/**
 * Runs snapshot → encryptor → meter, noting what failed: the pipeline's error, and the snapshot stream's own
 * (not one caused by our abort after an upload failure, nor the teardown that follows a failed encryptor or
 * archive check: those are not Vault's fault).
 */
function flow(snapshot: Readable, encryptor: Readable & NodeJS.WritableStream, meter: NodeJS.WritableStream, aborted: AbortSignal) {
  const failures: { flow: Error | undefined; snapshot: Error | undefined } = { flow: undefined, snapshot: undefined };
  let downstreamFailed = false;
  encryptor.once('error', () => (downstreamFailed = true));
  snapshot.once('error', (error) => {
    if (!aborted.aborted && !downstreamFailed) failures.snapshot = error;
  });
  const flowing = new Promise<void>((resolve) => {
    pipeline(snapshot, encryptor, meter, (error) => {
      failures.flow = error ?? undefined;
      resolve();
    });
  });
  return { flowing, failures };
}

/** Counts and reports progress; passes the encryptor's chunks on unchanged and keeps none (they stay the store's to free). */
function progressMeter(deps: BackupJobDeps, encryptor: Readable, expectedBytes: number | undefined) {
  const { store, log, clock } = deps;
  const millis = () => clock().getTime();
  const started = millis();
  const meter = passOwnedChunks(
    encryptor,
    new ProgressMeter({
      onProgress: (bytes) => log.info(`… ${progressLine(bytes, millis() - started, expectedBytes)} encrypted and sent`),
      now: millis,
    }),
  );
  // The stream has no length: once it ends, the store may still be finishing (the last parts, then the commit).
  meter.once('end', () => {
    const partSize = store.uploadPartSize?.(expectedBytes);
    const parts = partSize ? Math.max(1, Math.ceil(meter.byteCount / partSize)) : undefined;
    log.info(
      `snapshot read and encrypted (${formatBytes(meter.byteCount)}); completing the upload${parts ? ` (${parts} part${parts === 1 ? '' : 's'})` : ''}…`,
    );
  });
  return meter;
}

/** Proves the stored object is the bytes sent (the store's own checksum against ours, and the size), or removes it. */
async function proveStored(store: BackupStore, log: Logger, objectKey: string, put: Awaited<ReturnType<BackupStore['putNew']>>, sent: number): Promise<void> {
  const stored = put.committed ?? (await store.stat(objectKey));
  const problem = put.size !== sent ? `was handed ${put.size} bytes, but ${sent} were sent` : uploadProblem({ size: sent, checksum: put.sentChecksum }, stored);
  if (problem) {
    await removeUnverified(store, log, objectKey);
    throw new IntegrityError(`uploaded object ${objectKey} ${problem}`, { hint: 'the object was removed; run the backup again and check the store' });
  }
  log.info(`upload verified: ${formatBytes(sent)}, ${describeChecksum(stored!.checksum!)} matches`);
}

/** The error worth reporting: a broken Vault stream, then a typed snapshot/crypto problem, then the upload failure. */
function rootCause(primary: unknown, flowError: Error | undefined, snapshotError: Error | undefined, from: string): BackupError {
  // The Vault stream failing on its own comes first: a truncated archive is then only its consequence.
  // (A BackupError on the source stream is one the pipeline propagated back to it, not a Vault fault.)
  if (snapshotError && !(snapshotError instanceof BackupError)) {
    const code = errorCode(snapshotError);
    if (code === BODY_TIMEOUT) {
      return new VaultError(`the snapshot stream from ${from} stalled: no data within vault-idle-timeout-seconds (${code})`, {
        hint: 'the server stopped sending; check its load and logs, or raise vault-idle-timeout-seconds; nothing was stored',
        cause: snapshotError,
      });
    }
    return new VaultError(`the snapshot stream from ${from} broke: ${code ?? snapshotError.message}`, {
      hint: 'Vault restarted, lost leadership or the connection dropped mid-snapshot; nothing was stored, run the backup again',
      cause: snapshotError,
    });
  }
  if (flowError instanceof BackupError) return flowError;
  if (snapshotError instanceof BackupError) return snapshotError;
  if (primary instanceof BackupError) return primary;
  return new BackupError('storage', `backup failed: ${errorMessage(primary)}`, { cause: primary });
}
