/**
 * Authenticating a catalog entry without reading the whole backup: the data key unwrapped by a trusted key
 * (keyring, or a KMS key named in kms-key-id), the header bound to the object's name, the first chunks (which
 * hold meta.json: the raft index, term and state.bin size, compared with the manifest) and the final chunk
 * (so the object is exactly as long as it was written). Anyone who can upload to the target can write an
 * object and a manifest under any name; only a backup that passes this may be the reason another is deleted.
 * What it does not prove (every middle chunk, SHA256SUMS of state.bin) only verify proves.
 */
import { IntegrityError } from '../errors.js';
import { CryptoError } from '../crypto/errors.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { FIXED_PREFIX_LENGTH, decodeHeader, readHeaderLength, type Header } from '../crypto/format.js';
import { chunkLayout, openChunk, openHeader, type OpenedHeader } from '../crypto/open-header.js';
import { checkHeaderAgainstManifest } from '../manifest/header-agreement.js';
import { META_PREFIX_BYTES, metaFromArchivePrefix } from '../snapshot/meta-from-prefix.js';
import type { BackupStore } from '../storage/backup-store.js';
import type { CatalogEntry } from './backup-catalog.js';
import { errorMessage } from '../util/error-text.js';

/** Clock skew tolerated between the runner that named a backup and the store that recorded it. */
export const STORE_CLOCK_SKEW_MS = 5 * 60_000;

/** The largest header the format allows (its length field is 16 bits). */
const MAX_HEADER_BYTES = 0xffff;
/** The first read: the largest header and, with the default chunk size, the whole first chunk after it. */
const FIRST_READ_BYTES = MAX_HEADER_BYTES + 1024 * 1024 + 16;

/** Decodes a header from a file's first bytes, lets `check` look at it, then unwraps and authenticates it. */
async function openHeaderBytes(
  head: Buffer,
  opener: DataKeyOpener,
  backupId: string,
  check: (header: Header) => void = () => undefined,
): Promise<OpenedHeader> {
  const length = readHeaderLength(head.subarray(0, FIXED_PREFIX_LENGTH));
  const header = decodeHeader(head.subarray(0, length));
  check(header);
  return openHeader(header, opener, backupId);
}

/** The authenticated header of a stored backup (one range read, one unwrap), for keys derived from it. */
export async function openStoredHeader(
  store: BackupStore,
  opener: DataKeyOpener,
  entry: Pick<CatalogEntry, 'objectKey' | 'backupId' | 'size'>,
): Promise<OpenedHeader> {
  return openHeaderBytes(await store.getRange(entry.objectKey, 0, Math.min(entry.size, MAX_HEADER_BYTES)), opener, entry.backupId);
}

export interface RaftFacts {
  index: number;
  term: number;
  stateSize: number;
}

export type Authentication = { ok: true; raft: RaftFacts } | { ok: false; problem: string };

/** What was read to authenticate one backup: requests and bytes (the prune benchmark reports them). */
export interface AuthenticationCost {
  unwraps: number;
  rangeReads: number;
  bytesRead: number;
}

/**
 * Authenticates one complete entry. A problem with the object (forged, damaged, wrong key, wrong name) is an
 * answer, `{ ok: false }`; a store that cannot be reached is an error, so an outage never reads as tampering.
 */
export async function authenticateEntry(
  store: BackupStore,
  opener: DataKeyOpener,
  entry: CatalogEntry,
  cost: AuthenticationCost = { unwraps: 0, rangeReads: 0, bytesRead: 0 },
): Promise<Authentication> {
  const manifest = entry.manifest;
  if (!entry.complete || !manifest) return { ok: false, problem: entry.manifestProblem ?? 'it has no manifest' };
  if (manifest.encrypted.size !== entry.size) return { ok: false, problem: `it is ${entry.size} bytes, its manifest says ${manifest.encrypted.size}` };
  if (entry.storedAt.getTime() < entry.at.getTime() - STORE_CLOCK_SKEW_MS) {
    return {
      ok: false,
      problem: `the store recorded it at ${entry.storedAt.toISOString()}, before the time in its name (${entry.at.toISOString()}): no backup that started then wrote it`,
    };
  }
  const read = async (start: number, length: number) => {
    const bytes = await store.getRange(entry.objectKey, start, length);
    cost.rangeReads++;
    cost.bytesRead += bytes.length;
    return bytes;
  };
  const head = await read(0, Math.min(entry.size, FIRST_READ_BYTES));
  let opened: OpenedHeader;
  try {
    cost.unwraps++;
    opened = await openHeaderBytes(head, opener, entry.backupId, (header) => checkHeaderAgainstManifest(header, manifest, entry.objectKey));
  } catch (error) {
    // What the object says (its header, its key, its name): an answer. Anything else (a KMS outage that is
    // not a refusal is a CryptoError too, and says so in its text) is reported the same way, never retried here.
    if (error instanceof CryptoError || error instanceof IntegrityError) return { ok: false, problem: `its header: ${errorMessage(error)}` };
    throw error;
  }
  const layout = chunkLayout(opened.header, entry.size);
  if (layout.count === 0) return { ok: false, problem: 'it has a header but no chunks' };
  const last = layout.count - 1;
  const chunk = async (index: number) => {
    const start = layout.offsetOf(index);
    const length = index === last ? entry.size - start : layout.unit;
    // A chunk the first read already holds is not read again.
    const unit = start + length <= head.length ? head.subarray(start, start + length) : await read(start, length);
    return openChunk(opened, unit, index, index === last);
  };
  // The first chunks, until they hold the start of the archive where meta.json is.
  const plain: Buffer[] = [];
  let plainBytes = 0;
  for (let index = 0; index <= last && plainBytes < META_PREFIX_BYTES; index++) {
    const text = await chunk(index);
    if (!text) return { ok: false, problem: `chunk ${index}${index === last ? ' (final)' : ''} does not authenticate: the object was modified or truncated` };
    plain.push(text);
    plainBytes += text.length;
  }
  if (plain.length <= last && !(await chunk(last))) {
    return { ok: false, problem: `its final chunk (${last}) does not authenticate: the object was truncated, extended or modified` };
  }
  const meta = await metaFromArchivePrefix(Buffer.concat(plain));
  if ('problem' in meta) return { ok: false, problem: meta.problem };
  const raft = { index: meta.meta.Index, term: meta.meta.Term, stateSize: meta.meta.Size };
  const recorded = manifest.raft;
  if (raft.index !== recorded.index || raft.term !== recorded.term || raft.stateSize !== recorded.stateSize) {
    return {
      ok: false,
      problem: `its snapshot is raft index ${raft.index}, term ${raft.term}, state.bin ${raft.stateSize} bytes, but its manifest says ${recorded.index}, ${recorded.term}, ${recorded.stateSize}`,
    };
  }
  return { ok: true, raft };
}
