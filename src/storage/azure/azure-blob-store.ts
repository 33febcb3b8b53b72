/**
 * Azure Blob Storage as a backup target. A new object is a block blob: the stream is cut into blocks,
 * each staged with its MD5 (the service refuses a block whose bytes do not match), then the block list
 * is committed with `If-None-Match: *`, so a backup never replaces another. The MD5 of the whole object,
 * computed here from the bytes sent, is committed as its Content-MD5; `stat` reads it back.
 * Blocks staged by a write that did not finish are discarded before the error is reported.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RestError, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import { ObjectExistsError, StorageError } from '../../errors.js';
import type { BackupStore, Debris, DeleteOutcome, PutResult, StoredObject, StoredState } from '../backup-store.js';
import { onInterrupt } from '../../util/interrupts.js';
import { ByteQueue } from '../../util/byte-queue.js';
import { errorMessage } from '../../util/error-text.js';
import { planParts } from '../part-size.js';
import { readAtMost } from '../read-small.js';
import { RECHECK } from '../retry-policy.js';

export interface AzureBlobStoreOptions {
  container: ContainerClient;
  /** Shown in logs: az://account/container/ */
  account: string;
  /** Normalised: empty, or ending with "/". */
  prefix: string;
  blockSize: number;
  /** Blocks staged in parallel. */
  queueSize: number;
}

/** Block blob limits: 50,000 blocks of at most 4000 MiB. */
export const AZURE_BLOCK_LIMITS = { maxParts: 50_000, maxPartSize: 4000 * 1024 * 1024 };

/** The largest copy the service does in one synchronous call; larger ones are polled. */
const MAX_SYNC_COPY = 256 * 1024 * 1024;

export class AzureBlobStore implements BackupStore {
  readonly location: string;
  constructor(private readonly options: AzureBlobStoreOptions) {
    this.location = `az://${options.account}/${options.container.containerName}/${options.prefix}`;
  }

  private blocks(expectedBytes?: number) {
    return planParts({ partSize: this.options.blockSize, queueSize: this.options.queueSize }, expectedBytes, AZURE_BLOCK_LIMITS);
  }

  uploadPartSize(expectedBytes?: number): number {
    return this.blocks(expectedBytes).partSize;
  }

  private blob(key: string): BlockBlobClient {
    return this.options.container.getBlockBlobClient(this.options.prefix + key);
  }

  async checkAccess(): Promise<void> {
    try {
      if (!(await this.options.container.exists())) {
        throw new StorageError(`container ${this.options.container.containerName} does not exist in account ${this.options.account}`, {
          hint: 'create the container, or fix the container name in the target',
        });
      }
    } catch (error) {
      throw azureError(`checking container ${this.options.container.containerName}`, error);
    }
  }

  async putNew(key: string, body: Readable, hint: { expectedBytes?: number } = {}): Promise<PutResult> {
    const blob = this.blob(key);
    const { partSize: blockSize, queueSize } = this.blocks(hint.expectedBytes);
    if (await this.exists(key)) throw new ObjectExistsError(key, this.location);
    // Block ids must have one length per blob; a random upload id keeps a concurrent writer's blocks apart.
    const uploadId = randomBytes(8).toString('hex');
    const blockId = (n: number) => Buffer.from(`${uploadId}-${String(n).padStart(6, '0')}`).toString('base64');
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    // Stops the blocks in flight when the job is cancelled, so none lands after the discard.
    const abort = new AbortController();
    let failure: unknown;
    let size = 0;
    const pending = new ByteQueue();

    const stage = async (data: Buffer) => {
      const id = blockId(ids.length);
      ids.push(id);
      const task = blob
        .stageBlock(id, data, data.length, { transactionalContentMD5: createHash('md5').update(data).digest(), abortSignal: abort.signal })
        .then(() => undefined)
        .catch((error: unknown) => {
          failure ??= error;
        });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      // Back-pressure: at most queueSize blocks in memory and in flight.
      while (inFlight.size >= queueSize) await Promise.race(inFlight);
      if (failure) throw failure;
    };
    const release = onInterrupt(`uncommitted blocks of ${this.location}${key} discarded`, async () => {
      abort.abort();
      await Promise.allSettled(inFlight);
      await this.discardUncommitted(key, true);
    });
    try {
      for await (const chunk of body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        md5.update(buffer);
        sha256.update(buffer);
        size += buffer.length;
        pending.push(buffer);
        while (pending.length >= blockSize) await stage(pending.shift(blockSize));
      }
      if (pending.length > 0 || ids.length === 0) await stage(pending.shift(pending.length));
      await Promise.all(inFlight);
      if (failure) throw failure;
      const contentMD5 = md5.digest();
      await blob.commitBlockList(ids, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentMD5: contentMD5, blobContentType: 'application/octet-stream' },
      });
      return { key, size, sentChecksum: { algorithm: 'MD5', value: contentMD5.toString('base64') }, sha256: sha256.digest('hex') };
    } catch (error) {
      await Promise.allSettled(inFlight);
      await this.discardUncommitted(key);
      if (error instanceof RestError && error.statusCode === 409 && error.code === 'BlobAlreadyExists') throw new ObjectExistsError(key, this.location);
      throw error instanceof StorageError ? error : azureError(`uploading ${this.location}${key}`, error);
    } finally {
      release();
    }
  }

  /**
   * Uncommitted blocks of a blob that does not exist cannot be deleted on their own: committing an empty
   * list (only if no blob exists) and deleting that empty blob discards them.
   */
  private async discardUncommitted(key: string, recheck = false): Promise<void> {
    const blob = this.blob(key);
    // A block whose request was cut may still be stored by the service a moment later: look again, a few times.
    for (let attempt = 0; attempt < (recheck ? RECHECK.attempts : 1); attempt++) {
      try {
        if (attempt > 0) {
          await new Promise((resolve) => setTimeout(resolve, RECHECK.delayMs));
          if (!(await this.hasUncommittedBlocks(key))) return;
        }
        const empty = await blob.commitBlockList([], { conditions: { ifNoneMatch: '*' } });
        await blob.delete({ conditions: { ifMatch: empty.etag! } });
      } catch {
        // A blob exists there (never ours to touch), or the service is unreachable: the service discards
        // uncommitted blocks after a week, and prune lists any left as debris.
        return;
      }
    }
  }

  private async hasUncommittedBlocks(key: string): Promise<boolean> {
    for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix + key, includeUncommitedBlobs: true })) {
      if (item.name === this.options.prefix + key) return true;
    }
    return false;
  }

  private async exists(key: string): Promise<boolean> {
    try {
      return await this.blob(key).exists();
    } catch (error) {
      throw azureError(`checking ${this.location}${key}`, error);
    }
  }

  async putSmallNew(key: string, data: Buffer): Promise<void> {
    try {
      await this.blob(key).upload(data, data.length, {
        conditions: { ifNoneMatch: '*' },
        transactionalContentMD5: createHash('md5').update(data).digest(),
        blobHTTPHeaders: { blobContentMD5: createHash('md5').update(data).digest(), blobContentType: 'application/json' },
      });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) throw new ObjectExistsError(key, this.location);
      throw azureError(`writing ${this.location}${key}`, error);
    }
  }

  async copyNew(fromKey: string, toKey: string): Promise<StoredState> {
    const source = await this.stat(fromKey);
    if (!source) throw new StorageError(`cannot copy ${this.location}${fromKey}: it does not exist`);
    if (await this.exists(toKey)) throw new ObjectExistsError(toKey, this.location);
    const from = this.blob(fromKey);
    const to = this.blob(toKey);
    try {
      if (source.size <= MAX_SYNC_COPY) {
        const out = await to.syncCopyFromURL(from.url, { conditions: { ifNoneMatch: '*' } });
        if (out.copyStatus !== 'success') throw new StorageError(`copy to ${toKey} ended with status ${out.copyStatus}`);
      } else {
        const poller = await to.beginCopyFromURL(from.url, { conditions: { ifNoneMatch: '*' } });
        const done = await poller.pollUntilDone();
        if (done.copyStatus !== 'success') throw new StorageError(`copy to ${toKey} ended with status ${done.copyStatus}`);
      }
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) throw new ObjectExistsError(toKey, this.location);
      throw error instanceof StorageError ? error : azureError(`copying ${fromKey} to ${toKey}`, error);
    }
    const copy = await this.stat(toKey);
    if (!copy) throw new StorageError(`copy to ${toKey} vanished right after it was made`);
    return copy;
  }

  async stat(key: string): Promise<StoredState | undefined> {
    try {
      const props = await this.blob(key).getProperties();
      return {
        size: props.contentLength ?? 0,
        checksum: props.contentMD5 ? { algorithm: 'MD5', value: Buffer.from(props.contentMD5).toString('base64') } : undefined,
      };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw azureError(`reading the properties of ${this.location}${key}`, error);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.blob(key).download();
      if (!out.readableStreamBody) throw new StorageError(`downloading ${this.location}${key} returned no body`);
      return out.readableStreamBody as Readable;
    } catch (error) {
      throw error instanceof StorageError ? error : azureError(`downloading ${this.location}${key}`, error);
    }
  }

  /** One request (the catalog reads every manifest this way), cut short once larger than expected. */
  async getSmall(key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    try {
      return await readAtMost(await this.get(key), maxBytes, `${this.location}${key}`);
    } catch (error) {
      throw azureError(`reading ${this.location}${key}`, error);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const out = await this.blob(key).download(start, length);
      if (!out.readableStreamBody) throw new StorageError(`reading ${this.location}${key} returned no body`);
      return await readAtMost(out.readableStreamBody as Readable, length, `${this.location}${key}`);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 416) return Buffer.alloc(0);
      throw error instanceof StorageError ? error : azureError(`reading ${this.location}${key}`, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    try {
      for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix + prefix })) {
        yield {
          key: item.name.slice(this.options.prefix.length),
          size: item.properties.contentLength ?? 0,
          storedAt: item.properties.createdOn ?? item.properties.lastModified,
        };
      }
    } catch (error) {
      throw azureError(`listing ${this.location}${prefix}`, error);
    }
  }

  /** Blobs that hold only uncommitted blocks: a write that never committed (the service drops them after a week). */
  async listDebris(before: Date): Promise<Debris[]> {
    const committed = new Set<string>();
    for await (const object of this.list()) committed.add(object.key);
    const debris: Debris[] = [];
    try {
      for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix, includeUncommitedBlobs: true })) {
        const key = item.name.slice(this.options.prefix.length);
        const since = item.properties.lastModified;
        if (!committed.has(key) && since < before) debris.push({ key, kind: 'uncommitted-blocks', since: since.toISOString() });
      }
    } catch (error) {
      throw azureError(`listing uncommitted blobs in ${this.location}`, error);
    }
    return debris;
  }

  async removeDebris(items: Debris[]): Promise<void> {
    for (const item of items) await this.discardUncommitted(item.key);
  }

  async delete(keys: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = [];
    for (const key of keys) {
      try {
        await this.blob(key).delete();
        outcomes.push({ key, deleted: true });
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) outcomes.push({ key, deleted: true });
        else if (error instanceof RestError && isRetention(error))
          outcomes.push({ key, deleted: false, retainedBecause: `${error.code}: ${error.message.split('\n')[0]}` });
        else throw azureError(`deleting ${this.location}${key}`, error);
      }
    }
    return outcomes;
  }
}

/** Immutability policies and legal holds refuse deletes with 409 and a code naming them. */
function isRetention(error: RestError): boolean {
  return error.statusCode === 409 && /immutab|legalhold|legal hold|retention/i.test(`${error.code ?? ''} ${error.message}`);
}

/** Maps SDK errors to StorageErrors that say what to change. */
export function azureError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  if (error instanceof RestError) {
    if (error.statusCode === 403)
      return new StorageError(`${what} failed: access denied by Azure (${error.code ?? 'HTTP 403'})`, {
        cause: error,
        hint: 'grant the identity the Storage Blob Data Contributor role on the container, or check the SAS token or connection string',
      });
    if (error.statusCode === 404 && error.code === 'ContainerNotFound')
      return new StorageError(`${what} failed: the container does not exist`, {
        cause: error,
        hint: 'create the container, or fix the container name in the target',
      });
    return new StorageError(
      `${what} failed: ${error.code ?? 'error'}${error.statusCode ? ` (HTTP ${error.statusCode})` : ''}: ${error.message.split('\n')[0]}`,
      { cause: error, hint: 'retry; check the network path to the storage account' },
    );
  }
  return new StorageError(`${what} failed: ${errorMessage(error)}`, { cause: error, hint: 'retry; check the network path to the storage account' });
}
