/**
 * Genuine small backups for tests that seed many: a synthetic snapshot archive encrypted under a test key,
 * with the manifest a backup run would write for it. Prune and verify authenticate what they count, so a
 * seeded catalog must hold real backups, not stand-ins.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawKeySource } from '../../src/crypto/data-keys.js';
import { createEncryptStream } from '../../src/crypto/encrypt-stream.js';
import type { KeyEncryptionKey } from '../../src/crypto/keys.js';
import { MANIFEST_FORMAT, encodeManifest, type BackupManifest } from '../../src/manifest/manifest.js';
import { parseBackupKey } from '../../src/naming/backup-names.js';
import { collect } from '../unit/crypto-helpers.js';
import { keystream, syntheticSnapshot } from './synthetic-snapshot.js';

/** The key seeded backups are encrypted with: `VAULT_BACKUP_KEYRING` for the tool is `SEED_KEYRING`. */
export const SEED_KEK: KeyEncryptionKey = { id: 'seed-key', key: Buffer.alloc(32, 0x5e) };
export const SEED_KEYRING = `${SEED_KEK.id}=${SEED_KEK.key.toString('base64')}`;

export interface SealedBackup {
  object: Buffer;
  manifest: Buffer;
  facts: BackupManifest;
}

export interface SealOptions {
  index?: number;
  term?: number;
  stateSize?: number;
  kek?: KeyEncryptionKey;
  /** Plaintext bytes per chunk (4 KiB unless set; a backup run's default is 1 MiB). */
  chunkSize?: number;
  /** Recorded in the manifest, as a backup run records a data anomaly. */
  anomalies?: BackupManifest['anomalies'];
}

const made = new Map<string, Promise<SealedBackup>>();

/** A backup under `objectKey` (daily or monthly; a monthly copy is byte for byte its daily's). Memoised. */
export function sealedBackup(objectKey: string, options: SealOptions = {}): Promise<SealedBackup> {
  const id = `${objectKey}|${options.index}|${options.term}|${options.stateSize}|${options.kek?.id}|${options.chunkSize}|${JSON.stringify(options.anomalies)}`;
  let backup = made.get(id);
  if (!backup) made.set(id, (backup = seal(objectKey, options)));
  return backup;
}

async function seal(objectKey: string, options: SealOptions): Promise<SealedBackup> {
  const parsed = parseBackupKey(objectKey);
  if (!parsed || parsed.kind !== 'backup') throw new Error(`${objectKey} is not a backup key`);
  const stateSize = options.stateSize ?? 256;
  const index = options.index ?? Math.floor(parsed.at.getTime() / 60_000);
  const term = options.term ?? 7;
  const seed = parsed.backupId;
  const archive = await collect(syntheticSnapshot({ stateSize, seed, index, term }));
  const chunkSize = options.chunkSize ?? 4096;
  const encryptor = await createEncryptStream({ keySource: new RawKeySource(options.kek ?? SEED_KEK), backupId: parsed.backupId, chunkSize });
  const parts: Buffer[] = [];
  await pipeline(Readable.from([archive]), encryptor, async (source) => {
    for await (const part of source) parts.push(part as Buffer);
  });
  const object = Buffer.concat(parts);
  const digest = createHash('sha256').update(object).digest();
  const facts: BackupManifest = {
    format: MANIFEST_FORMAT,
    backupId: parsed.backupId,
    tier: parsed.tier,
    objectKey,
    encrypted: { size: object.length, sha256: digest.toString('hex'), storedChecksum: { algorithm: 'SHA256', value: digest.toString('base64') } },
    snapshot: { size: archive.length },
    encryption: { format: 1, keyId: (options.kek ?? SEED_KEK).id, keyWrapping: 'raw-aes256gcm', chunkSize },
    raft: {
      index,
      term,
      stateSize,
      stateSha256: createHash('sha256')
        .update(await collect(keystream(seed, stateSize)))
        .digest('hex'),
    },
    vault: { address: 'http://seed', version: 'seed' },
    startedAt: parsed.at.toISOString(),
    finishedAt: parsed.at.toISOString(),
    source: { tool: 'test seed' },
    ...(options.anomalies ? { anomalies: options.anomalies } : {}),
  };
  return { object, manifest: encodeManifest(facts), facts };
}
