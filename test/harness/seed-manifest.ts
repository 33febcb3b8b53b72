/** A minimal manifest that parses and names its object, for tests that seed many backups by name only. */
import { MANIFEST_FORMAT, encodeManifest, type BackupManifest } from '../../src/manifest/manifest.js';
import { parseBackupKey } from '../../src/naming/backup-names.js';

export function seededManifest(objectKey: string, facts: { size?: number; snapshotSize?: number; raftIndex?: number } = {}): BackupManifest {
  const parsed = parseBackupKey(objectKey);
  if (!parsed || parsed.kind !== 'backup') throw new Error(`${objectKey} is not a backup key`);
  const zero = '0'.repeat(64);
  const size = facts.size ?? 1;
  return {
    format: MANIFEST_FORMAT,
    backupId: parsed.backupId,
    tier: parsed.tier,
    objectKey,
    encrypted: { size, sha256: zero, storedChecksum: { algorithm: 'SHA256', value: Buffer.alloc(32).toString('base64') } },
    snapshot: { size: facts.snapshotSize ?? size },
    encryption: { format: 1, keyId: 'seed', keyWrapping: 'raw-aes256gcm', chunkSize: 1024 * 1024 },
    raft: { index: facts.raftIndex ?? 1, term: 1, stateSize: size, stateSha256: zero },
    vault: { address: 'http://seed', version: 'seed' },
    startedAt: parsed.at.toISOString(),
    finishedAt: parsed.at.toISOString(),
    source: { tool: 'test seed' },
  };
}

export function seedManifest(objectKey: string, size = 1): Buffer {
  return encodeManifest(seededManifest(objectKey, { size }));
}
