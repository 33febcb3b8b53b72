/**
 * The raft snapshot archive check in this thread: gunzip the bytes as they flow (never re-compressed) and
 * read the tar to check entries, SHA256SUMS and sizes. Three shapes: a pass-through (a restore's upload),
 * the end of a pipeline (verify without the worker), and the reader of a backup's encryptor. Each fails at
 * its end when the archive is incomplete or invalid, so a pipeline built on it can never complete an upload
 * of a bad snapshot. off-thread-archive-check.ts runs the same check on a worker thread.
 */
import { createHash } from 'node:crypto';
import { Transform, Writable, type TransformCallback, type Readable } from 'node:stream';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import tar from 'tar-stream';
import { SnapshotInvalidError } from '../errors.js';
import { ENTRY_LIMITS, SNAPSHOT_ENTRIES, checkArchiveContents, type ArchiveContents, type SnapshotFacts } from './archive-rules.js';
import { STAGE_HIGH_WATER_MARK } from '../util/stream-buffering.js';
import { freeOnceAllRead } from '../util/owned-chunks.js';
import type { PlaintextReader } from '../crypto/encrypt-stream.js';

export interface ValidatedSnapshot extends SnapshotFacts {
  /** Size of the archive bytes exactly as Vault sent them. */
  archiveSize: number;
}

/**
 * Gunzips and reads an archive written to it piece by piece: the part of the check that needs no
 * downstream, shared by the in-stream validator and the worker thread (archive-check-worker.ts).
 */
export class ArchiveInspection {
  private readonly gunzip: Gunzip;
  private readonly inspected: Promise<ArchiveContents>;
  private failure: Error | undefined;
  private size = 0;
  private draining: Promise<void> | undefined;

  constructor() {
    // Large output chunks: with the 16 KiB default, gunzip spends most of its time crossing to the thread pool.
    // A few MiB of input buffered: the stream goes on while gunzip catches up on its thread, instead of
    // waiting for it after every write (backup −9% wall at 1 GiB). zlib streams take stream options too;
    // their type does not list them.
    const streamOptions = { writableHighWaterMark: STAGE_HIGH_WATER_MARK } as ZlibOptions;
    this.gunzip = createGunzip({ chunkSize: 256 * 1024, ...streamOptions });
    this.inspected = inspectTar(this.gunzip);
    // Remember a failure so the next write fails fast instead of buffering.
    this.inspected.catch((error: Error) => {
      this.failure = error;
    });
  }

  /**
   * Resolves once gunzip can take more; rejects once the archive is known to be bad. `consumed` runs once
   * gunzip has read all of `data` (before that, `data` must not change).
   */
  write(data: Buffer, consumed?: (error?: Error | null) => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.size += data.length;
    if (this.gunzip.write(data, consumed)) return Promise.resolve();
    // One wait for the drain, shared by every write made before it comes: a writer that does not await each
    // write (the worker, whose sender waits for the buffers instead) would otherwise add a pair of listeners
    // per write, and Node warns of a leak past ten.
    this.draining ??= new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        this.gunzip.off('error', onError);
        this.draining = undefined;
        resolve();
      };
      const onError = (error: Error) => {
        this.gunzip.off('drain', onDrain);
        this.draining = undefined;
        reject(asSnapshotError(error));
      };
      this.gunzip.once('drain', onDrain);
      this.gunzip.once('error', onError);
    });
    return this.draining;
  }

  /** The archive's facts, once all of it was written; rejects with why it is not a valid snapshot. */
  async end(): Promise<ValidatedSnapshot> {
    this.gunzip.end();
    const contents = await this.inspected;
    return { ...checkArchiveContents(contents), archiveSize: this.size };
  }

  destroy(): void {
    this.gunzip.destroy();
  }
}

/** The archive check as the end of a pipeline, in this thread: what OffThreadArchiveCheck does on a worker. */
export class InThreadArchiveCheck extends Writable {
  private readonly inspection = new ArchiveInspection();
  /** Set once the whole archive has been checked. */
  result: ValidatedSnapshot | undefined;

  override _write(data: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.inspection.write(data).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    endInspection(this.inspection, (facts) => (this.result = facts), done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.inspection.destroy();
    done(error);
  }
}

/** A backup's archive check in this thread: what OffThreadPlaintextCheck does on a worker. */
export class InThreadPlaintextCheck implements PlaintextReader {
  private readonly inspection = new ArchiveInspection();
  /** Chunk buffers gunzip has read, ready to be filled again. */
  private readonly spares: Buffer[] = [];
  /** Set once the whole archive has been checked. */
  result: ValidatedSnapshot | undefined;

  read(chunk: Buffer, next: (error?: Error | null) => void): void {
    const read = (error?: Error | null) => {
      if (!error) this.spares.push(chunk);
    };
    this.inspection.write(chunk, read).then(() => next(), next);
  }

  spare(): Buffer | undefined {
    return this.spares.pop();
  }

  end(done: (error?: Error | null) => void): void {
    this.inspection.end().then((facts) => {
      this.result = facts;
      done();
    }, done);
  }

  destroy(): void {
    this.inspection.destroy();
  }
}

export class SnapshotArchiveValidator extends Transform {
  private readonly inspection = new ArchiveInspection();
  /** Set once the whole archive has been checked. */
  result: ValidatedSnapshot | undefined;

  constructor() {
    super({ highWaterMark: STAGE_HIGH_WATER_MARK });
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const accepted = this.inspection.write(data);
    this.push(data);
    // Keep the side branch in step: wait for it to take the data, or for it to fail.
    accepted.then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    endInspection(this.inspection, (facts) => (this.result = facts), done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.inspection.destroy();
    done(error);
  }
}

export function asSnapshotError(error: Error): Error {
  if (error instanceof SnapshotInvalidError) return error;
  return new SnapshotInvalidError(`snapshot archive is unreadable: ${error.message}`);
}

/** Reads the tar inside the gunzipped stream, hashing state.bin and keeping the small entries. */
function inspectTar(gunzipped: Readable): Promise<ArchiveContents> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    const contents: ArchiveContents = {
      order: [],
      metaJson: Buffer.alloc(0),
      metaSha256: '',
      stateSize: 0,
      stateSha256: '',
      sums: Buffer.alloc(0),
      sealedSize: 0,
    };
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      extract.destroy();
      gunzipped.resume(); // keep draining so the main stream never stalls behind us
      reject(asSnapshotError(error));
    };
    extract.on('entry', (header, entry, next) => {
      const name = header.name;
      contents.order.push(name);
      if (!(SNAPSHOT_ENTRIES as readonly string[]).includes(name) || header.type !== 'file') {
        entry.resume();
        return fail(new SnapshotInvalidError(`archive holds an unexpected entry ${JSON.stringify(name)} (${header.type ?? 'file'})`));
      }
      const hash = createHash('sha256');
      const kept: Buffer[] = [];
      let size = 0;
      const limit = name === 'state.bin' ? Infinity : ENTRY_LIMITS[name as keyof typeof ENTRY_LIMITS];
      entry.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        size += chunk.length;
        hash.update(chunk);
        if (size > limit) return fail(new SnapshotInvalidError(`${name} is larger than ${limit} bytes`));
        if (name !== 'state.bin') kept.push(chunk);
        // Hashed and not kept: once the pieces of a gunzip output buffer add up to all of it, it is this
        // handler's to free (gunzip has moved on to a new buffer, and tar hands each piece out once).
        else freeOnceAllRead(chunk);
      });
      entry.on('end', () => {
        const body = Buffer.concat(kept);
        if (name === 'meta.json') {
          contents.metaJson = body;
          contents.metaSha256 = hash.digest('hex');
        } else if (name === 'state.bin') {
          contents.stateSize = size;
          contents.stateSha256 = hash.digest('hex');
        } else if (name === 'SHA256SUMS') contents.sums = body;
        else contents.sealedSize = size;
        next();
      });
      entry.on('error', fail);
    });
    extract.on('finish', () => {
      if (!failed) resolve(contents);
    });
    extract.on('error', fail);
    gunzipped.on('error', fail);
    gunzipped.pipe(extract);
  });
}

/** Ends an inspection at the end of its stream: its facts are kept, or its failure is the stream's. */
function endInspection(inspection: ArchiveInspection, keep: (facts: ValidatedSnapshot) => void, done: (error?: Error | null) => void): void {
  inspection.end().then((facts) => {
    keep(facts);
    done();
  }, done);
}
