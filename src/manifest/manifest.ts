/**
 * The manifest beside each backup object. It is written last, so its presence means the backup was
 * uploaded and verified; it records what is needed to check and restore the backup later.
 * Field names are an interface (docs/FORMAT.md): add fields, never rename them.
 */
import { BackupError } from '../errors.js';
import type { ObjectChecksum } from '../storage/backup-store.js';
import type { Tier } from '../naming/backup-names.js';
import type { DataAnomaly } from '../data/anomaly.js';

export const MANIFEST_FORMAT = 'vault-backup-manifest/1';

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  backupId: string;
  tier: Tier;
  objectKey: string;
  /** For a monthly copy: the daily object it was copied from. */
  copiedFrom?: string;
  encrypted: { size: number; sha256: string; storedChecksum: ObjectChecksum };
  /** `sha256` (of the whole archive) only in manifests written by 0.1. */
  snapshot: { size: number; sha256?: string };
  encryption: { format: number; keyId: string; keyWrapping: 'raw-aes256gcm' | 'aws-kms'; chunkSize: number };
  raft: { index: number; term: number; stateSize: number; stateSha256: string };
  /** `seal`: the source's sys/seal-status at backup time, so a restore can be initialised to match. */
  vault: { address: string; version: string; clusterId?: string; clusterName?: string; seal?: { type: string; shares: number; threshold: number } };
  startedAt: string;
  finishedAt: string;
  source: { tool: string; runUrl?: string };
  /** Set when this snapshot looked like data loss next to the previous backup (see data-shrink-limit-percent). */
  anomalies?: DataAnomaly[];
}

export class ManifestError extends BackupError {
  constructor(message: string) {
    super('storage', message, { hint: 'the manifest is damaged or was not written by this tool; verify the backup object itself, or take a new backup' });
  }
}

export function encodeManifest(manifest: BackupManifest): Buffer {
  return Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
}

const HEX64 = /^[0-9a-f]{64}$/;

export function parseManifest(data: Buffer, expectedKey?: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(data.toString('utf8')) as BackupManifest;
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  const fail = (what: string) => {
    throw new ManifestError(`manifest ${expectedKey ?? ''} ${what}`.replace('  ', ' '));
  };
  if (!m || typeof m !== 'object') fail('is not a JSON object');
  if (m.format !== MANIFEST_FORMAT) fail(`has format ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (typeof m.backupId !== 'string' || typeof m.objectKey !== 'string') fail('lacks backupId or objectKey');
  if (expectedKey !== undefined && m.objectKey !== expectedKey) fail(`describes ${m.objectKey}, not ${expectedKey}`);
  if (!m.encrypted || !Number.isSafeInteger(m.encrypted.size) || !HEX64.test(m.encrypted.sha256 ?? '')) fail('lacks the encrypted size or SHA-256');
  if (!m.snapshot || !Number.isSafeInteger(m.snapshot.size)) fail('lacks the snapshot size');
  // Written by 0.1 only: the GCM tags and state.bin's digest (raft.stateSha256) prove what it did.
  if (m.snapshot.sha256 !== undefined && !HEX64.test(m.snapshot.sha256)) fail('has a snapshot SHA-256 that is not 64 hex digits');
  if (!m.encryption || typeof m.encryption.keyId !== 'string') fail('lacks the encryption key id');
  return m;
}
