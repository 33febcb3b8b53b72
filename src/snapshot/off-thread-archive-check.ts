/**
 * The snapshot archive check on a second core: the archive is handed to a worker thread in pieces
 * (transferred, not copied), which gunzips and reads it while this thread goes on reading, encrypting or
 * decrypting. At most a few pieces are in flight, so memory stays flat. The facts and failures are those of
 * the in-thread check (archive-validator.ts); the worker is archive-check-worker.ts, in a bundle of its own.
 *
 * Two ends use it:
 * - OffThreadArchiveCheck, the end of a reader's pipeline (verify, the restore test's download): it hands
 *   over the decrypted chunks themselves; a chunk that owns its memory is detached from the writer.
 * - OffThreadArchiveValidator, a pass-through for backup: the snapshot's bytes go on unchanged, and a copy
 *   goes to the worker in a few buffers that come back once gunzip has read them, so the copy makes no garbage.
 */
import { existsSync } from 'node:fs';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { SnapshotInvalidError } from '../errors.js';
import { InThreadArchiveCheck, SnapshotArchiveValidator, type ValidatedSnapshot } from './archive-validator.js';
import { STAGE_HIGH_WATER_MARK } from '../util/stream-buffering.js';
import { passOwnedChunks } from '../util/owned-chunks.js';

export type ArchiveCheckMessage = { kind: 'chunk'; data: ArrayBuffer; length: number } | { kind: 'end' };
/** The worker's start-up data. `returnBuffers`: send each buffer back once gunzip has read it (the sender reuses it). */
export interface ArchiveCheckOptions {
  returnBuffers: boolean;
}
export type ArchiveCheckReply = { kind: 'ack'; data?: ArrayBuffer } | { kind: 'done'; facts: ValidatedSnapshot } | { kind: 'failed'; message: string };

/** Pieces handed over and not yet read by gunzip: about 4 MiB with 1 MiB pieces (more did not help). */
const IN_FLIGHT = 4;
/** The pass-through's copy buffers: the size of a default encryption chunk. */
const COPY_BUFFER_SIZE = 1024 * 1024;

/**
 * The worker's bundle (dist/archive-check/index.js): beside the running bundle or one folder up (the
 * CLI's), or, running from source as the tests do, the one built in dist/. Undefined when none is built.
 */
export function archiveCheckWorkerFile(): URL | undefined {
  // Relative names held in a list, so the bundler does not take them for assets of this module.
  const candidates = ['./archive-check/index.js', '../archive-check/index.js', '../../dist/archive-check/index.js'];
  return candidates.map((name) => new URL(name, import.meta.url)).find((url) => existsSync(url));
}

/** An archive check with its verdict: `result` is set once the whole archive has been checked. */
type Checking<T> = T & { readonly result: ValidatedSnapshot | undefined };

/**
 * The archive check as the end of a pipeline: on the worker thread where its bundle is built (this thread
 * then only reads and decrypts), in this thread otherwise; both give the same facts and the same errors.
 */
export function archiveCheckSink(): Checking<Writable> {
  const workerFile = archiveCheckWorkerFile();
  return workerFile ? new OffThreadArchiveCheck(workerFile) : new InThreadArchiveCheck();
}

/**
 * The archive check as a pass-through (the bytes go on unchanged; the stream ends only once the archive
 * is known to be valid): on the worker thread where its bundle is built, in this thread otherwise. Give
 * the `source` it reads, so chunks that are their reader's to free (withOwnedChunks) stay marked as such.
 */
export function archiveCheckPassThrough(source?: Readable): Checking<Transform> {
  const workerFile = archiveCheckWorkerFile();
  if (!workerFile) return new SnapshotArchiveValidator();
  const validator = new OffThreadArchiveValidator(workerFile);
  // It passes each chunk on only once it has copied it, and keeps none: chunks its reader may free stay so.
  // (The in-thread validator's gunzip reads a chunk after passing it on, so its output is not marked.)
  return source ? passOwnedChunks(source, validator) : validator;
}

/** The worker and its protocol: pieces in flight, the buffers it gives back, its verdict. */
class ArchiveCheckThread {
  result: ValidatedSnapshot | undefined;
  private failure: Error | undefined;
  private readonly worker: Worker;
  private inFlight = 0;
  private waiting: ((error?: Error | null) => void) | undefined;
  private finishing: ((error?: Error | null) => void) | undefined;

  constructor(
    workerFile: URL,
    private readonly onReturned?: (data: ArrayBuffer) => void,
  ) {
    const workerData: ArchiveCheckOptions = { returnBuffers: onReturned !== undefined };
    this.worker = new Worker(workerFile, { workerData });
    this.worker.on('message', (reply: ArchiveCheckReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.result) this.fail(new Error(`the archive check thread stopped (exit code ${code}) before the archive ended`));
    });
  }

  /** Hands over `length` bytes of `data` (detached from here); `next` runs once another piece may follow. */
  send(data: ArrayBuffer, length: number, next: (error?: Error | null) => void): void {
    if (this.failure) return next(this.failure);
    const message: ArchiveCheckMessage = { kind: 'chunk', data, length };
    this.worker.postMessage(message, [data]);
    this.inFlight++;
    if (this.inFlight < IN_FLIGHT) next();
    else this.waiting = next;
  }

  /** Asks for the verdict once every piece was sent; `done` gets the failure, if any (the facts are in `result`). */
  end(done: (error?: Error | null) => void): void {
    if (this.failure) return done(this.failure);
    this.finishing = done;
    const message: ArchiveCheckMessage = { kind: 'end' };
    this.worker.postMessage(message);
  }

  terminate(): void {
    void this.worker.terminate();
  }

  private onReply(reply: ArchiveCheckReply): void {
    if (reply.kind === 'ack') {
      this.inFlight--;
      if (reply.data) this.onReturned?.(reply.data);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.();
    } else if (reply.kind === 'done') {
      this.result = reply.facts;
      this.terminate();
      const finishing = this.finishing;
      this.finishing = undefined;
      finishing?.();
    } else this.fail(new SnapshotInvalidError(reply.message));
  }

  private fail(error: Error): void {
    if (this.failure || this.result) return;
    this.failure = error;
    this.terminate();
    const pending = this.waiting ?? this.finishing;
    this.waiting = this.finishing = undefined;
    pending?.(error);
  }
}

/** The archive check as the end of a pipeline, on the worker: what InThreadArchiveCheck does in this thread. */
export class OffThreadArchiveCheck extends Writable {
  private readonly thread: ArchiveCheckThread;

  constructor(workerFile: URL) {
    super();
    this.thread = new ArchiveCheckThread(workerFile);
  }

  /** Set once the whole archive has been checked. */
  get result(): ValidatedSnapshot | undefined {
    return this.thread.result;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    // Transfer a buffer that owns its memory; anything sharing memory (a pooled small buffer) is copied.
    const owns = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
    const data = owns ? (chunk.buffer as ArrayBuffer) : new Uint8Array(chunk).buffer;
    this.thread.send(data, chunk.byteLength, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.thread.end(done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.thread.terminate();
    done(error);
  }
}

/**
 * The archive check as a pass-through, on the worker: what SnapshotArchiveValidator does in this thread.
 * The stream ends only once the worker has found the archive valid, so a pipeline built on it can never
 * complete an upload of a bad snapshot.
 */
export class OffThreadArchiveValidator extends Transform {
  private readonly thread: ArchiveCheckThread;
  /** Buffers back from the worker, ready to be filled again. */
  private readonly spare: ArrayBuffer[] = [];
  private filling: Buffer | undefined;
  private filled = 0;

  constructor(workerFile: URL) {
    super({ highWaterMark: STAGE_HIGH_WATER_MARK });
    this.thread = new ArchiveCheckThread(workerFile, (data) => this.spare.push(data));
  }

  /** Set once the whole archive has been checked. */
  get result(): ValidatedSnapshot | undefined {
    return this.thread.result;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.copyToWorker(data, 0, (error) => (error ? done(error) : done(null, data)));
  }

  override _flush(done: TransformCallback): void {
    if (this.filled === 0) return this.thread.end(done);
    this.sendFilling((error) => (error ? done(error) : this.thread.end(done)));
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.thread.terminate();
    done(error);
  }

  /** Copies `data` from `offset` into the buffers, sending each one as it fills; `done` once all is copied. */
  private copyToWorker(data: Buffer, offset: number, done: (error?: Error | null) => void): void {
    while (offset < data.length) {
      this.filling ??= Buffer.from(this.spare.pop() ?? new ArrayBuffer(COPY_BUFFER_SIZE));
      const copied = data.copy(this.filling, this.filled, offset);
      this.filled += copied;
      offset += copied;
      if (this.filled === this.filling.length) {
        // Go on once the worker can take another piece; the rest of `data` follows then.
        const rest = offset;
        return this.sendFilling((error) => (error ? done(error) : this.copyToWorker(data, rest, done)));
      }
    }
    done();
  }

  private sendFilling(next: (error?: Error | null) => void): void {
    const buffer = this.filling!;
    const length = this.filled;
    this.filling = undefined;
    this.filled = 0;
    this.thread.send(buffer.buffer as ArrayBuffer, length, next);
  }
}
