/**
 * The snapshot archive check on a second core: the archive is handed to a worker thread in pieces
 * (transferred, not copied), which gunzips and reads it while this thread goes on reading, encrypting or
 * decrypting. At most a few pieces are in flight, so memory stays flat. The facts and failures are those of
 * the in-thread check (archive-validator.ts); the worker is archive-check-worker.ts, in a bundle of its own.
 *
 * Two ends use it:
 * - OffThreadArchiveCheck, the end of a reader's pipeline (verify, the restore test's download): it hands
 *   over the decrypted chunks themselves; a chunk that owns its memory is detached from the writer.
 * - OffThreadPlaintextCheck, a backup's: the encryptor hands it each chunk's plaintext once sealed, in the
 *   chunk's own buffer, which comes back once gunzip has read it and is filled again (no copy, no garbage).
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { SnapshotInvalidError } from '../errors.js';
import { InThreadArchiveCheck, InThreadPlaintextCheck, type ValidatedSnapshot } from './archive-validator.js';
import type { PlaintextReader } from '../crypto/encrypt-stream.js';
import { workerBundle } from '../util/worker-bundle.js';
import { memoryToTransfer } from '../util/owned-chunks.js';

export type ArchiveCheckMessage = { kind: 'chunk'; data: ArrayBuffer; length: number } | { kind: 'end' };
/** The worker's start-up data. `returnBuffers`: send each buffer back once gunzip has read it (the sender reuses it). */
export interface ArchiveCheckOptions {
  returnBuffers: boolean;
}
export type ArchiveCheckReply = { kind: 'ack'; data?: ArrayBuffer } | { kind: 'done'; facts: ValidatedSnapshot } | { kind: 'failed'; message: string };

/** Pieces handed over and not yet read by gunzip: about 4 MiB with 1 MiB pieces (more did not help). */
const IN_FLIGHT = 4;

/**
 * Longest wait for the verdict once the archive has ended: the worker then has at most IN_FLIGHT pieces left
 * to read, a matter of milliseconds; a worker that never answers must not hold the backup forever.
 */
const VERDICT_TIMEOUT_MS = 30_000;

/** The worker's bundle (dist/archive-check/index.js), or undefined when it is not built. */
export function archiveCheckWorkerFile(): URL | undefined {
  return workerBundle('archive-check');
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
 * A backup's archive check, reading the plaintext from the encryptor (EncryptStream.passPlaintextTo): on the
 * worker thread where its bundle is built (this thread then reads, encrypts and stores), in this thread
 * otherwise; both give the same facts and the same errors.
 */
export function plaintextArchiveCheck(): Checking<PlaintextReader> {
  const workerFile = archiveCheckWorkerFile();
  return workerFile ? new OffThreadPlaintextCheck(workerFile) : new InThreadPlaintextCheck();
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
    const silent = setTimeout(
      () => this.fail(new SnapshotInvalidError(`the archive check thread gave no verdict within ${VERDICT_TIMEOUT_MS / 1000} s of the archive's end`)),
      VERDICT_TIMEOUT_MS,
    );
    silent.unref();
    const settle = this.finishing;
    this.finishing = (error) => {
      clearTimeout(silent);
      settle(error);
    };
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
    this.thread.send(memoryToTransfer(chunk), chunk.byteLength, done);
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
 * A backup's archive check, on the worker: it reads the snapshot in the encryptor's own chunk buffers, each
 * transferred once sealed (no copy of its own), and gives each back once gunzip has read it, to be filled
 * again. The encryptor ends only once the worker has found the archive valid, so a pipeline built on it can
 * never complete an upload of a bad snapshot.
 */
export class OffThreadPlaintextCheck implements PlaintextReader {
  private readonly thread: ArchiveCheckThread;
  /** Buffers back from the worker, ready to be filled again. */
  private readonly spares: ArrayBuffer[] = [];

  constructor(workerFile: URL) {
    this.thread = new ArchiveCheckThread(workerFile, (data) => this.spares.push(data));
  }

  /** Set once the whole archive has been checked. */
  get result(): ValidatedSnapshot | undefined {
    return this.thread.result;
  }

  read(chunk: Buffer, next: (error?: Error | null) => void): void {
    // The chunk's whole buffer is ours (PlaintextReader); the last chunk may fill only the start of it.
    const whole = chunk.byteOffset === 0 && chunk.buffer instanceof ArrayBuffer;
    this.thread.send(whole ? chunk.buffer : new Uint8Array(chunk).buffer, chunk.length, next);
  }

  spare(): Buffer | undefined {
    const data = this.spares.pop();
    return data && Buffer.from(data);
  }

  end(done: (error?: Error | null) => void): void {
    this.thread.end(done);
  }

  destroy(): void {
    this.thread.terminate();
  }
}
