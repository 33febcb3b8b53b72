/**
 * The snapshot archive check on a second core, for readers of stored backups (verify, the restore
 * test's download): the decrypted archive is handed to a worker thread chunk by chunk (transferred, not
 * copied: a chunk that owns its memory is detached from the writer, who must not use it again), which
 * gunzips and reads it while this thread goes on reading and decrypting. At most a few
 * chunks are in flight, so memory stays flat. The facts and failures are those of SnapshotArchiveValidator.
 */
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { SnapshotInvalidError } from '../errors.js';
import type { ValidatedSnapshot } from './archive-validator.js';

export type ArchiveCheckMessage = { kind: 'chunk'; data: ArrayBuffer } | { kind: 'end' };
export type ArchiveCheckReply = { kind: 'ack' } | { kind: 'done'; facts: ValidatedSnapshot } | { kind: 'failed'; message: string };

/** Chunks handed over and not yet taken by gunzip: about 4 MiB with 1 MiB chunks (more did not help). */
const IN_FLIGHT = 4;

/**
 * The worker's bundle (dist/archive-check/index.js): beside the running bundle or one folder up (the
 * CLI's), or, running from source as the tests do, the one built in dist/. Undefined when none is built.
 */
export function archiveCheckWorkerFile(): URL | undefined {
  // Relative names held in a list, so the bundler does not take them for assets of this module.
  const candidates = ['./archive-check/index.js', '../archive-check/index.js', '../../dist/archive-check/index.js'];
  return candidates.map((name) => new URL(name, import.meta.url)).find((url) => existsSync(url));
}

export class OffThreadArchiveCheck extends Writable {
  /** Set once the whole archive has been checked. */
  result: ValidatedSnapshot | undefined;
  private readonly worker: Worker;
  private inFlight = 0;
  private waiting: ((error?: Error | null) => void) | undefined;
  private finishing: ((error?: Error | null) => void) | undefined;
  private failure: Error | undefined;

  constructor(workerFile: URL) {
    super();
    this.worker = new Worker(workerFile);
    this.worker.on('message', (reply: ArchiveCheckReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.result) this.fail(new Error(`the archive check thread stopped (exit code ${code}) before the archive ended`));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.failure) return done(this.failure);
    // Transfer a buffer that owns its memory; anything sharing memory (a pooled small buffer) is copied.
    const owns = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
    const data = owns ? (chunk.buffer as ArrayBuffer) : new Uint8Array(chunk).buffer;
    const message: ArchiveCheckMessage = { kind: 'chunk', data };
    this.worker.postMessage(message, [data]);
    this.inFlight++;
    if (this.inFlight < IN_FLIGHT) done();
    else this.waiting = done;
  }

  override _final(done: (error?: Error | null) => void): void {
    if (this.failure) return done(this.failure);
    this.finishing = done;
    const message: ArchiveCheckMessage = { kind: 'end' };
    this.worker.postMessage(message);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    void this.worker.terminate();
    done(error);
  }

  private onReply(reply: ArchiveCheckReply): void {
    if (reply.kind === 'ack') {
      this.inFlight--;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.();
    } else if (reply.kind === 'done') {
      this.result = reply.facts;
      void this.worker.terminate();
      const finishing = this.finishing;
      this.finishing = undefined;
      finishing?.();
    } else this.fail(new SnapshotInvalidError(reply.message));
  }

  private fail(error: Error): void {
    if (this.failure || this.result) return;
    this.failure = error;
    void this.worker.terminate();
    const pending = this.waiting ?? this.finishing;
    this.waiting = this.finishing = undefined;
    pending?.(error);
  }
}
