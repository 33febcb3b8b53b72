/**
 * Google Cloud Storage as a backup target. A new object is a resumable upload with
 * `ifGenerationMatch: 0` (create only: a backup never replaces another); the SDK checks the CRC32C the
 * service computed against the bytes it sent, and `stat` reports the service's own MD5 of the object,
 * which the backup compares with the MD5 computed here.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File } from '@google-cloud/storage';
import { ObjectExistsError, StorageError } from '../../errors.js';
import type { BackupStore, Debris, DeleteOutcome, PutResult, StoredObject, StoredState } from '../backup-store.js';
import { onInterrupt } from '../../util/interrupts.js';
import { errorMessage } from '../../util/error-text.js';
import { STAGE_HIGH_WATER_MARK } from '../../util/stream-buffering.js';
import { readAtMost } from '../read-small.js';

export interface GcsStoreOptions {
  bucket: Bucket;
  /** Normalised: empty, or ending with "/". */
  prefix: string;
  /** Bytes per resumable-upload request (a multiple of 256 KiB). */
  chunkSize: number;
}

export class GcsBackupStore implements BackupStore {
  readonly location: string;
  constructor(private readonly options: GcsStoreOptions) {
    this.location = `gs://${options.bucket.name}/${options.prefix}`;
  }

  /** Resumable uploads have no part-count limit: the chunk size is only the request size. */
  uploadPartSize(): number {
    return this.options.chunkSize;
  }

  private file(key: string): File {
    return this.options.bucket.file(this.options.prefix + key);
  }

  async checkAccess(): Promise<void> {
    let exists: boolean;
    try {
      [exists] = await this.options.bucket.exists();
    } catch (error) {
      throw gcsError(`checking bucket ${this.options.bucket.name}`, error);
    }
    if (!exists)
      throw new StorageError(`bucket ${this.options.bucket.name} does not exist`, { hint: 'create the bucket or fix the bucket name in the target' });
  }

  async putNew(key: string, body: Readable): Promise<PutResult> {
    if (await this.stat(key)) throw new ObjectExistsError(key, this.location);
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      highWaterMark: STAGE_HIGH_WATER_MARK,
      transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
        md5.update(chunk);
        sha256.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const upload = this.file(key).createWriteStream({
      resumable: true,
      chunkSize: this.options.chunkSize,
      validation: 'crc32c',
      contentType: 'application/octet-stream',
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    // A cancelled job stops the upload; the service drops an unfinished resumable session after a week.
    const release = onInterrupt(`upload of ${this.location}${key} stopped`, async () => {
      upload.destroy(new Error('interrupted'));
    });
    try {
      await pipeline(body, hasher, upload);
    } catch (error) {
      if (statusOf(error) === 412) throw new ObjectExistsError(key, this.location);
      throw gcsError(`uploading ${this.location}${key}`, error);
    } finally {
      release();
    }
    return { key, size, sentChecksum: { algorithm: 'MD5', value: md5.digest('base64') }, sha256: sha256.digest('hex') };
  }

  async putSmallNew(key: string, data: Buffer): Promise<void> {
    try {
      await this.file(key).save(data, { resumable: false, validation: 'md5', contentType: 'application/json', preconditionOpts: { ifGenerationMatch: 0 } });
    } catch (error) {
      if (statusOf(error) === 412) throw new ObjectExistsError(key, this.location);
      throw gcsError(`writing ${this.location}${key}`, error);
    }
  }

  async copyNew(fromKey: string, toKey: string): Promise<StoredState> {
    if (!(await this.stat(fromKey))) throw new StorageError(`cannot copy ${this.location}${fromKey}: it does not exist`);
    // The precondition below makes this atomic on Cloud Storage; the emulator ignores it on copies.
    if (await this.stat(toKey)) throw new ObjectExistsError(toKey, this.location);
    try {
      await this.file(fromKey).copy(this.file(toKey), { preconditionOpts: { ifGenerationMatch: 0 } });
    } catch (error) {
      if (statusOf(error) === 412) throw new ObjectExistsError(toKey, this.location);
      throw gcsError(`copying ${fromKey} to ${toKey}`, error);
    }
    const copy = await this.stat(toKey);
    if (!copy) throw new StorageError(`copy to ${toKey} vanished right after it was made`);
    return copy;
  }

  async stat(key: string): Promise<StoredState | undefined> {
    try {
      const [metadata] = await this.file(key).getMetadata();
      return { size: Number(metadata.size ?? 0), checksum: metadata.md5Hash ? { algorithm: 'MD5', value: metadata.md5Hash } : undefined };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw gcsError(`reading the metadata of ${this.location}${key}`, error);
    }
  }

  async get(key: string): Promise<Readable> {
    if (!(await this.stat(key))) throw new StorageError(`${this.location}${key} does not exist`);
    // validation: false: verify checks the SHA-256 of the whole download itself, once.
    return this.file(key).createReadStream({ validation: false });
  }

  /** One request (the catalog reads every manifest this way), cut short once larger than expected. */
  async getSmall(key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    try {
      return await readAtMost(this.file(key).createReadStream({ validation: false }), maxBytes, `${this.location}${key}`);
    } catch (error) {
      throw gcsError(`reading ${this.location}${key}`, error);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const stream = this.file(key).createReadStream({ validation: false, start, end: start + length - 1 });
      return await readAtMost(stream, length, `${this.location}${key}`);
    } catch (error) {
      if (statusOf(error) === 416) return Buffer.alloc(0);
      throw error instanceof StorageError ? error : gcsError(`reading ${this.location}${key}`, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    let pageToken: string | undefined;
    try {
      do {
        const [files, next] = await this.options.bucket.getFiles({
          prefix: this.options.prefix + prefix,
          autoPaginate: false,
          maxResults: 1000,
          ...(pageToken ? { pageToken } : {}),
        });
        for (const file of files)
          yield {
            key: file.name.slice(this.options.prefix.length),
            size: Number(file.metadata.size ?? 0),
            storedAt: new Date(file.metadata.timeCreated ?? file.metadata.updated ?? 0),
          };
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } while (pageToken);
    } catch (error) {
      throw gcsError(`listing ${this.location}${prefix}`, error);
    }
  }

  /** Cloud Storage keeps no listable trace of an unfinished resumable upload (sessions expire after a week). */
  async listDebris(): Promise<Debris[]> {
    return [];
  }

  async removeDebris(): Promise<void> {}

  async delete(keys: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = [];
    for (const key of keys) {
      try {
        await this.file(key).delete({ ignoreNotFound: true });
        outcomes.push({ key, deleted: true });
      } catch (error) {
        const message = errorMessage(error);
        if (statusOf(error) === 403 && /retention|hold/i.test(message)) outcomes.push({ key, deleted: false, retainedBecause: message.split('\n')[0]! });
        else throw gcsError(`deleting ${this.location}${key}`, error);
      }
    }
    return outcomes;
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

/** Maps SDK errors to StorageErrors that say what to change. */
export function gcsError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const status = statusOf(error);
  if (status === 403 || status === 401)
    return new StorageError(`${what} failed: access denied by Cloud Storage (HTTP ${status})`, {
      cause: error,
      hint: 'grant the service account roles/storage.objectUser on the bucket (or objectCreator + objectViewer, and objectAdmin for prune)',
    });
  if (status === 404)
    return new StorageError(`${what} failed: not found (HTTP 404)`, { cause: error, hint: 'create the bucket or fix the bucket name in the target' });
  return new StorageError(`${what} failed: ${errorMessage(error)}${status ? ` (HTTP ${status})` : ''}`, {
    cause: error,
    hint: 'retry; check the network path to Cloud Storage',
  });
}
