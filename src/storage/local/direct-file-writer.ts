/**
 * A local write around the page cache (O_DIRECT) where the file system allows it (direct-io.ts). Copying a
 * backup into the page cache and writing it back from there cost more CPU than encrypting it
 * (docs/BENCHMARKS.md); a direct write hands the disk the bytes from this process's memory. The writer copies
 * the stream into aligned slabs, writes each full slab at its offset while the next one fills, and the last,
 * partial block padded to a whole one; then it cuts the file to its length.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { FileWriter, LocalFileWriter, type WrittenCallback } from './file-writer.js';
import { alignedSlabs, DIRECT_ALIGNMENT, DirectFile, openDirect } from './direct-io.js';
import { PASS_THROUGH_HIGH_WATER_MARK } from '../../util/stream-buffering.js';

/** Two slabs of 4 MiB: one fills while the disk takes the other. */
const SLAB_BYTES = 4 * 1024 * 1024;
const SLABS = 2;

/** Creates `path`, which must not exist, and writes it: directly where the file system allows it. */
export async function openFileWriter(path: string, written?: WrittenCallback): Promise<LocalFileWriter> {
  const handle = await openDirect(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  if (handle) return new DirectFileWriter(new DirectFile(handle, () => open(path, constants.O_WRONLY)), alignedSlabs(SLABS, SLAB_BYTES), written);
  // Without O_DIRECT. Where the file system refused it, Linux made the file first: open it as it is.
  return new FileWriter(await open(path, constants.O_DIRECT ? constants.O_WRONLY | constants.O_CREAT : 'wx', 0o600), written);
}

export class DirectFileWriter extends LocalFileWriter {
  private slab = 0;
  private filled = 0;
  /** Where in the file the slab being filled goes. */
  private offset = 0;
  /** Per slab, the write that still holds it; these never reject (a failure is kept in `failure`). */
  private readonly sending: Array<Promise<void> | undefined>;
  private failure: unknown;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly file: DirectFile,
    /** Staging buffers, each a whole number of blocks; aligned, or the writes go through the page cache. */
    private readonly slabs: Buffer[],
    /** Gets each run of chunks once it is copied for writing; the next write waits for it. */
    private readonly written?: WrittenCallback,
  ) {
    super({ highWaterMark: PASS_THROUGH_HIGH_WATER_MARK });
    this.sending = slabs.map(() => undefined);
  }

  flushEarly(): Promise<void> {
    return Promise.resolve();
  }

  protected async take(buffers: Buffer[]): Promise<void> {
    for (const buffer of buffers) {
      let from = 0;
      while (from < buffer.length) {
        // A slab is filled again once the disk has taken what it held.
        if (this.filled === 0) await this.sending[this.slab];
        if (this.failure) throw this.failure;
        // Destroyed meanwhile (the backup failed elsewhere): the file is closing, nothing more is written.
        if (this.destroyed) return;
        const slab = this.slabs[this.slab]!;
        const copied = buffer.copy(slab, this.filled, from);
        from += copied;
        this.filled += copied;
        if (this.filled === slab.length) this.send(slab.length);
      }
    }
    await this.written?.(buffers);
  }

  /** Starts writing the first `length` bytes of the slab being filled, and moves on to the next slab. */
  private send(length: number): void {
    const data = this.slabs[this.slab]!.subarray(0, length);
    this.sending[this.slab] = this.writeAt(data, this.offset).catch((error: unknown) => {
      this.failure ??= error;
    });
    this.offset += this.filled;
    this.filled = 0;
    this.slab = (this.slab + 1) % this.slabs.length;
  }

  private async writeAt(data: Buffer, position: number): Promise<void> {
    let pending = data;
    let at = position;
    while (pending.length) {
      const rest = pending;
      const { bytesWritten } = await this.file.run((handle) => handle.write(rest, 0, rest.length, at));
      // A regular file takes all of a write unless it fails; a short one (the disk filling up) is retried for the rest.
      if (bytesWritten === 0) throw new Error('the file took none of a write');
      pending = pending.subarray(bytesWritten);
      at += bytesWritten;
    }
  }

  protected async complete(): Promise<void> {
    const size = this.offset + this.filled;
    const tail = this.filled;
    if (tail) {
      // The last block padded to a whole one; the file is cut to its length once it is written.
      const padded = Math.ceil(tail / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT;
      this.slabs[this.slab]!.fill(0, tail, padded);
      this.send(padded);
    }
    await Promise.all(this.sending);
    if (this.failure) throw this.failure;
    if (size % DIRECT_ALIGNMENT) await this.file.handle.truncate(size);
    await this.close();
  }

  /** Closes the file once no write holds it. */
  protected close(): Promise<void> {
    this.closing ??= Promise.all(this.sending).then(() => this.file.close());
    return this.closing;
  }
}
