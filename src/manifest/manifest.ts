/**
 * The manifest beside each backup object. It is written last, so its presence means the backup was
 * uploaded and verified; it records what is needed to check and restore the backup later.
 * Field names are an interface (docs/FORMAT.md): add fields, never rename them.
 */
import { z } from 'zod';
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

/**
 * The schema every manifest read back from a target must pass. Anyone who can write to the target can write
 * a manifest, so every number is bounded (a size of 2^53 must not reach a timer or a chart) and every string
 * has a length and, where it has one, its shape. Unknown fields are dropped, never passed on.
 */
const HEX64 = /^[0-9a-f]{64}$/;
/** 1 PiB: far above any snapshot, far below where arithmetic on it misbehaves. */
const MAX_BYTES = 2 ** 50;
const count = (max: number) => z.number().int().min(0).max(max);
const text = (max: number) => z.string().min(1).max(max);

const checksumSchema = z.object({
  algorithm: z.enum(['SHA256', 'SHA256-COMPOSITE', 'MD5']),
  value: z.string().regex(/^[A-Za-z0-9+/]{22,86}={0,2}$/, 'is not a base64 digest'),
  parts: count(100_000).optional(),
});

const anomalySchema = z.object({
  kind: z.enum(['raft-index-backwards', 'raft-term-backwards', 'shrunk']),
  detail: text(2000),
  previousKey: text(1024),
});

const isoInstant = z.iso.datetime({ offset: true });

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  backupId: z.string().regex(/^vault-snapshot-\d{8}-\d{6}$/, 'is not a backup id'),
  tier: z.enum(['daily', 'monthly']),
  objectKey: text(1024),
  copiedFrom: text(1024).optional(),
  encrypted: z.object({ size: count(MAX_BYTES), sha256: z.string().regex(HEX64, 'is not 64 hex digits'), storedChecksum: checksumSchema }),
  snapshot: z.object({ size: count(MAX_BYTES), sha256: z.string().regex(HEX64, 'is not 64 hex digits').optional() }),
  encryption: z.object({
    format: count(255),
    keyId: text(255),
    keyWrapping: z.enum(['raw-aes256gcm', 'aws-kms']),
    chunkSize: count(16 * 1024 * 1024),
  }),
  raft: z.object({
    index: count(Number.MAX_SAFE_INTEGER),
    term: count(Number.MAX_SAFE_INTEGER),
    stateSize: count(MAX_BYTES),
    stateSha256: z.string().regex(HEX64, 'is not 64 hex digits'),
  }),
  vault: z.object({
    address: text(2048),
    version: z.string().max(256),
    clusterId: z.string().max(256).optional(),
    clusterName: z.string().max(256).optional(),
    seal: z.object({ type: text(64), shares: count(255), threshold: count(255) }).optional(),
  }),
  startedAt: isoInstant,
  finishedAt: isoInstant,
  source: z.object({ tool: text(256), runUrl: z.string().max(2048).optional() }),
  anomalies: z.array(anomalySchema).max(16).optional(),
});

// The schema and the interface describe the same document: a field added to one and not the other fails here.
type Parsed = z.infer<typeof manifestSchema>;
const sameShape: [Parsed, BackupManifest] extends [BackupManifest, Parsed] ? true : never = true;
void sameShape;

/** The first problem the schema found, as "field.path: what is wrong". */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the document';
  return `${where}: ${issue.message}`;
}

export function parseManifest(data: Buffer, expectedKey?: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new ManifestError(`manifest ${expectedKey ?? ''} is not valid JSON`.replace('  ', ' '));
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new ManifestError(`manifest ${expectedKey ?? ''} is not valid (${firstIssue(parsed.error)})`.replace('  ', ' '));
  const m = parsed.data;
  if (expectedKey !== undefined && m.objectKey !== expectedKey) throw new ManifestError(`manifest ${expectedKey} describes ${m.objectKey}, not ${expectedKey}`);
  return m;
}
