/**
 * The SHA-256 of what a local store wrote, taken from the file writer's buffers once each is written. On a
 * backup, the thread that downloads, encrypts and writes is the one the wall time waits on, and hashing
 * the ciphertext there slowed it (docs/BENCHMARKS.md); a worker thread hashes it instead,
 * fed the written buffers by transfer (no copy), in order, at most a few MiB behind. That needs buffers
 * that are the caller's to give away (a body with owned chunks); other bodies, and every body where the
 * worker's bundle is not built, are hashed in this thread.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { freeBuffers, memoryToTransfer } from '../../util/owned-chunks.js';
import { workerBundle } from '../../util/worker-bundle.js';

export type DigestMessage = { kind: 'data'; data: ArrayBuffer } | { kind: 'end' };
export type DigestReply = { kind: 'ack' } | { kind: 'digest'; hex: string };

/** Buffers handed over and not yet hashed: about 8 MiB of 1 MiB chunks. */
const IN_FLIGHT = 8;

export interface WrittenDigest {
  /** Takes `buffers`, written and no longer needed here; resolves once more may follow. */
  take(buffers: Buffer[]): Promise<void>;
  /** The SHA-256 of everything taken, in hex. */
  digest(): Promise<string>;
  /** Stops hashing (the write failed). */
  destroy(): void;
}

/**
 * For buffers that are the caller's to give away (`owned`): on the worker thread where its bundle is built.
 * Otherwise, and for buffers that belong to someone else, in this thread.
 */
export function writtenDigest(owned: boolean): WrittenDigest {
  const workerFile = owned ? workerBundle('digest') : undefined;
  return workerFile ? new OffThreadDigest(workerFile) : new InThreadDigest(owned);
}

export class InThreadDigest implements WrittenDigest {
  private readonly hash = createHash('sha256');

  /** `freeTaken`: the buffers are ours to free once hashed. */
  constructor(private readonly freeTaken: boolean) {}

  take(buffers: Buffer[]): Promise<void> {
    for (const buffer of buffers) this.hash.update(buffer);
    if (this.freeTaken) freeBuffers(buffers);
    return Promise.resolve();
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  destroy(): void {}
}

export class OffThreadDigest implements WrittenDigest {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiting: (() => void) | undefined;
  private finishing: { resolve: (hex: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(workerFile: URL) {
    this.worker = new Worker(workerFile);
    this.worker.on('message', (reply: DigestReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the digest thread stopped (exit code ${code}) before the digest was taken`)));
  }

  async take(buffers: Buffer[]): Promise<void> {
    for (const buffer of buffers) {
      if (this.failure) throw this.failure;
      // Transferred; a view into shared memory (a 16-byte tag from Node's pool) goes as a copy.
      const data = memoryToTransfer(buffer);
      const message: DigestMessage = { kind: 'data', data };
      this.worker.postMessage(message, [data]);
      if (++this.inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    if (this.failure) throw this.failure;
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.finishing = { resolve, reject };
      const message: DigestMessage = { kind: 'end' };
      this.worker.postMessage(message);
    });
  }

  destroy(): void {
    this.fail(new Error('the digest was stopped'));
  }

  private onReply(reply: DigestReply): void {
    if (reply.kind === 'ack') {
      this.inFlight--;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.();
      return;
    }
    const finishing = this.finishing;
    this.finishing = undefined;
    this.failure = new Error('the digest was already taken');
    void this.worker.terminate();
    finishing?.resolve(reply.hex);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    void this.worker.terminate();
    const waiting = this.waiting;
    const finishing = this.finishing;
    this.waiting = this.finishing = undefined;
    waiting?.();
    finishing?.reject(error);
  }
}
