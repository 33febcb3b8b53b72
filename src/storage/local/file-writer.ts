/**
 * The end of a local write: a stream into an open file that hands each run of chunks, once written, to
 * `written` (a local store hashes them there, and frees those that are its to free: a backup's ciphertext
 * then makes no garbage on its way to disk). It closes the file when it ends or fails.
 */
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { STAGE_HIGH_WATER_MARK } from '../../util/stream-buffering.js';

/** Gets each run of chunks once the file has them; the next write waits for it. */
export type WrittenCallback = (buffers: Buffer[]) => void | Promise<void>;

/** A stream into a new local file: its writes, its end and its close are promises of the writer below it. */
export abstract class LocalFileWriter extends Writable {
  /** Writes `buffers`, in order. */
  protected abstract take(buffers: Buffer[]): Promise<void>;
  /** Writes what is left and closes the file. */
  protected abstract complete(): Promise<void>;
  /** Closes the file once (it waits for what is in flight). */
  protected abstract close(): Promise<void>;
  /**
   * Moves what is written so far on to the disk while the rest still streams, so the file's last fsync has
   * little left to do: an fdatasync through the page cache; nothing for a direct write, which leaves no dirty
   * pages (a flush there only stalls the writes in flight behind the disk's cache flush).
   */
  abstract flushEarly(): Promise<void>;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.take([chunk]).then(() => done(), done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    this.take(chunks.map((entry) => entry.chunk)).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.complete().then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // The first failure is the story; a failure to close is reported when there was none before.
    this.close().then(
      () => done(error),
      (closeError: Error) => done(error ?? closeError),
    );
  }
}

export class FileWriter extends LocalFileWriter {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly handle: FileHandle,
    /** Gets each run of chunks once all of it is written. */
    private readonly written?: WrittenCallback,
  ) {
    super({ highWaterMark: STAGE_HIGH_WATER_MARK });
  }

  flushEarly(): Promise<void> {
    return this.handle.datasync();
  }

  protected complete(): Promise<void> {
    return this.close();
  }

  protected close(): Promise<void> {
    this.closing ??= this.handle.close();
    return this.closing;
  }

  protected async take(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    while (pending.length) {
      // A regular file takes all of a write unless it fails; a short one (the disk filling up) is retried for the rest.
      const { bytesWritten } = await this.handle.writev(pending);
      if (bytesWritten === 0) throw new Error('the file took none of a write');
      pending = remainder(pending, bytesWritten);
    }
    await this.written?.(buffers);
  }
}

/** What is left of `buffers` once their first `written` bytes are written. */
function remainder(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index]!.length) skip -= buffers[index++]!.length;
  if (index === buffers.length) return [];
  return [buffers[index]!.subarray(skip), ...buffers.slice(index + 1)];
}
