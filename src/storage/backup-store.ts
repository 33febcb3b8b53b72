/**
 * The one small interface every backup target implements: a local directory (the embedded default), S3,
 * Azure Blob Storage and Cloud Storage, each in its folder here and each held to the same contract suite.
 * Keys are relative to the target's root (bucket or container prefix, or directory).
 */
import type { Readable } from 'node:stream';

/** A checksum in the form the store itself reports it, so "sent" and "stored" compare directly. */
export interface ObjectChecksum {
  /**
   * SHA256: of the whole object. SHA256-COMPOSITE: S3 multipart, SHA-256 of the part SHA-256s, "-N" suffix.
   * MD5: of the whole object (Azure Blob's Content-MD5, Cloud Storage's md5Hash).
   */
  algorithm: 'SHA256' | 'SHA256-COMPOSITE' | 'MD5';
  /** base64 digest. For the composite form, without the "-<parts>" suffix some stores print (the digest commits to the parts anyway). */
  value: string;
  /** Number of parts, for the composite form. */
  parts?: number;
}

export function describeChecksum(c: ObjectChecksum): string {
  return `${c.algorithm} ${c.value}${c.parts ? ` (${c.parts} parts)` : ''}`;
}

export interface StoredObject {
  key: string;
  size: number;
  /**
   * When the store says it wrote the object (S3 LastModified, Azure and Cloud Storage creation time, a file's
   * modification time). Not settable by a writer: a backup cannot have been stored before the time in its name.
   */
  storedAt: Date;
}

export interface PutResult {
  key: string;
  size: number;
  /** Computed from the bytes handed to the store, in the store's own checksum form. */
  sentChecksum: ObjectChecksum;
  /** Hex SHA-256 of the whole object as handed to the store (for the manifest). */
  sha256: string;
  /**
   * The object as the store reports it at commit, when it can without another request or read; otherwise
   * the caller asks stat(). A local directory reports the size after fsync and the digest of the bytes it
   * wrote: reading them back would only read the page cache those same writes filled.
   */
  committed?: StoredState;
}

export interface StoredState {
  size: number;
  /** As the store reports it now; undefined when it keeps none for this object. */
  checksum: ObjectChecksum | undefined;
}

export interface DeleteOutcome {
  key: string;
  deleted: boolean;
  /** Why the store kept the object (e.g. Object Lock retention); set when deleted is false. */
  retainedBecause?: string;
}

/** What an interrupted write leaves behind: an open multipart upload, a partial file, or staged blocks never committed. */
export interface Debris {
  key: string;
  kind: 'multipart-upload' | 'partial-file' | 'uncommitted-blocks';
  /** When it was started (ISO 8601). */
  since: string;
  /** The store's own handle (a multipart upload id). */
  id?: string;
}

export interface BackupStore {
  /** Human-readable location for logs and summaries: s3://bucket/prefix/ or a directory path. */
  readonly location: string;
  /** Bytes per part for an upload of about `expectedBytes`, for stores that upload in parts (progress reports count them). */
  uploadPartSize?(expectedBytes?: number): number;
  /** Fails early (before a snapshot is taken) when the target cannot be reached or written. */
  checkAccess(): Promise<void>;
  /**
   * Streams a new object under `key`; refuses to replace an existing one (ObjectExistsError).
   * `expectedBytes` (the previous backup's size) lets a store that uploads in parts size them.
   */
  putNew(key: string, body: Readable, hint?: { expectedBytes?: number }): Promise<PutResult>;
  /** Small objects (manifests); also never replaces. */
  putSmallNew(key: string, data: Buffer): Promise<void>;
  /** Server-side copy to a new key; never replaces. Returns the copy's full-object SHA-256 when the store computes one. */
  copyNew(fromKey: string, toKey: string): Promise<StoredState>;
  /**
   * What the store holds now under `key` (size and checksum), or undefined when absent. With
   * `readContent: false` a store that can only compute its checksum by reading the whole object
   * (a local directory) reports the size alone.
   */
  stat(key: string, options?: { readContent?: boolean }): Promise<StoredState | undefined>;
  get(key: string): Promise<Readable>;
  getSmall(key: string, maxBytes?: number): Promise<Buffer>;
  /**
   * Bytes `start` .. `start + length` of an object, fewer only where the object ends sooner: what checking a
   * backup's header and first and final chunks reads, without the rest of it.
   */
  getRange(key: string, start: number, length: number): Promise<Buffer>;
  list(prefix?: string): AsyncIterable<StoredObject>;
  delete(keys: string[]): Promise<DeleteOutcome[]>;
  /** Leftovers of interrupted writes under this target, started before `before`. */
  listDebris(before: Date): Promise<Debris[]>;
  removeDebris(items: Debris[]): Promise<void>;
}
