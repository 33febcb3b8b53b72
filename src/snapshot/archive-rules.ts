/**
 * The rules a raft snapshot archive must follow, as pure functions over what was read from it.
 * Vault/OpenBao write a gzip'd tar with exactly: meta.json, state.bin, SHA256SUMS, SHA256SUMS.sealed.
 */
import { SnapshotInvalidError } from '../errors.js';

export const SNAPSHOT_ENTRIES = ['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed'] as const;
export type SnapshotEntryName = (typeof SNAPSHOT_ENTRIES)[number];

/** Size limits for the small entries; state.bin is unbounded and only hashed. */
export const ENTRY_LIMITS: Record<Exclude<SnapshotEntryName, 'state.bin'>, number> = {
  'meta.json': 8 * 1024,
  SHA256SUMS: 4 * 1024,
  'SHA256SUMS.sealed': 64 * 1024,
};

export interface SnapshotMeta {
  Version: number;
  ID: string;
  Index: number;
  Term: number;
  Size: number;
  ConfigurationIndex?: number;
  Configuration?: { Servers?: Array<{ ID?: string; Address?: string; Suffrage?: number }> };
}

export interface ArchiveContents {
  /** Entry names in the order they appeared. */
  order: string[];
  metaJson: Buffer;
  metaSha256: string;
  stateSize: number;
  stateSha256: string;
  sums: Buffer;
  sealedSize: number;
}

export interface SnapshotFacts {
  meta: SnapshotMeta;
  stateSize: number;
  stateSha256: string;
}

/** Parses SHA256SUMS: "<64 hex>  <name>\n" per line, covering meta.json and state.bin exactly once each. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (!match) throw new SnapshotInvalidError(`SHA256SUMS has a malformed line: ${JSON.stringify(line.slice(0, 100))}`);
    const [, hash, name] = match as unknown as [string, string, string];
    if (name !== 'meta.json' && name !== 'state.bin') throw new SnapshotInvalidError(`SHA256SUMS names an unexpected file ${JSON.stringify(name)}`);
    if (sums.has(name)) throw new SnapshotInvalidError(`SHA256SUMS lists ${name} twice`);
    sums.set(name, hash);
  }
  for (const name of ['meta.json', 'state.bin']) {
    if (!sums.has(name)) throw new SnapshotInvalidError(`SHA256SUMS has no line for ${name}`);
  }
  return sums;
}

export function parseMeta(json: Buffer): SnapshotMeta {
  let meta: unknown;
  try {
    meta = JSON.parse(json.toString('utf8'));
  } catch {
    throw new SnapshotInvalidError('meta.json is not valid JSON');
  }
  const m = meta as Partial<SnapshotMeta> | null;
  if (!m || typeof m !== 'object') throw new SnapshotInvalidError('meta.json is not a JSON object');
  for (const field of ['Index', 'Term', 'Size'] as const) {
    if (typeof m[field] !== 'number' || !Number.isSafeInteger(m[field]) || (m[field] as number) < 0) {
      throw new SnapshotInvalidError(`meta.json field ${field} is missing or not a non-negative integer`);
    }
  }
  if (typeof m.ID !== 'string') throw new SnapshotInvalidError('meta.json field ID is missing');
  return m as SnapshotMeta;
}

/** Checks everything that can be checked without the cluster's seal. Throws SnapshotInvalidError. */
export function checkArchiveContents(c: ArchiveContents): SnapshotFacts {
  const expected = SNAPSHOT_ENTRIES.join(', ');
  if (c.order.length !== SNAPSHOT_ENTRIES.length || c.order.some((name, i) => name !== SNAPSHOT_ENTRIES[i])) {
    throw new SnapshotInvalidError(`archive entries are [${c.order.join(', ')}], expected exactly [${expected}] in that order`);
  }
  if (c.sealedSize === 0) throw new SnapshotInvalidError('SHA256SUMS.sealed is empty: the snapshot was not sealed by Vault');
  const sums = parseSha256Sums(c.sums.toString('utf8'));
  if (sums.get('meta.json') !== c.metaSha256) throw new SnapshotInvalidError('meta.json does not match its SHA256SUMS line');
  if (sums.get('state.bin') !== c.stateSha256) throw new SnapshotInvalidError('state.bin does not match its SHA256SUMS line');
  const meta = parseMeta(c.metaJson);
  if (meta.Size !== c.stateSize) throw new SnapshotInvalidError(`meta.json says state.bin is ${meta.Size} bytes, but it is ${c.stateSize}`);
  return { meta, stateSize: c.stateSize, stateSha256: c.stateSha256 };
}
