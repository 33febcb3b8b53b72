/**
 * A local read around the page cache (O_DIRECT) where the file system allows it (direct-io.ts), the counterpart
 * of direct-file-writer.ts. A backup is read once, days after it was written: through the page cache, the kernel
 * first fills the cache from disk and then copies it out, which on the machines measured cost more CPU than
 * decrypting the file (docs/BENCHMARKS.md). A direct read puts the disk's bytes into aligned staging slabs,
 * a few reads ahead, and each slab is copied out in chunks that are the reader's own.
 */
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { alignedSlabs, DirectFile, openDirect } from './direct-io.js';

/** Three slabs of 2 MiB: two reads ahead of the one being copied out (fewer or smaller were slower, larger took more memory). */
const SLAB_BYTES = 2 * 1024 * 1024;
const SLABS = 3;
/** The chunks a local file is read in: a format chunk's size (with 64 KiB, verify spent a fifth of its time issuing reads). */
export const FILE_READ_CHUNK_BYTES = 1024 * 1024;

/** Opens `path` for reading in chunks of `chunkBytes` that own their memory: directly where the file system allows it. */
export async function openFileReader(path: string, chunkBytes: number): Promise<Readable> {
  const handle = await openDirect(path, constants.O_RDONLY);
  if (!handle) return createReadStream(path, { highWaterMark: chunkBytes });
  const { size } = await handle.stat();
  return new DirectFileReader(new DirectFile(handle, () => open(path, 'r')), size, alignedSlabs(SLABS, SLAB_BYTES), chunkBytes);
}

export class DirectFileReader extends Readable {
  /** Where the next read starts. */
  private position = 0;
  /** Reads in flight, in file order; the first fills slab `head`, the next the slab after it. */
  private readonly reads: Array<Promise<number>> = [];
  private head = 0;
  private pumping = false;

  constructor(
    private readonly file: DirectFile,
    /** The file's size when opened: reads stop there (a backup does not change once written). */
    private readonly size: number,
    /** Staging buffers, each a whole number of blocks; aligned, or the reads go through the page cache. */
    private readonly slabs: Buffer[],
    private readonly chunkBytes: number,
  ) {
    super({ highWaterMark: chunkBytes });
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    // The reads in flight hold the handles; each has a handler, so waiting on them cannot reject.
    void Promise.allSettled(this.reads)
      .then(() => this.file.close())
      .then(
        () => done(error),
        (closeError: Error) => done(error ?? closeError),
      );
  }

  /** Copies out the oldest read's slab, keeping the slabs reading ahead, until the stream has enough or ends. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        this.readAhead();
        const oldest = this.reads[0];
        if (!oldest) {
          this.push(null);
          return;
        }
        const bytes = await oldest;
        if (this.destroyed) return;
        const slab = this.slabs[this.head]!;
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes; at += this.chunkBytes) {
          const chunk = Buffer.allocUnsafeSlow(Math.min(this.chunkBytes, bytes - at));
          slab.copy(chunk, 0, at, at + chunk.length);
          chunks.push(chunk);
        }
        // The slab is free again once copied out.
        this.reads.shift();
        this.head = (this.head + 1) % this.slabs.length;
        let more = true;
        for (const chunk of chunks) more = this.push(chunk);
        if (!more) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.pumping = false;
    }
  }

  /** Starts a read into every slab that is free, up to the end of the file. */
  private readAhead(): void {
    while (this.reads.length < this.slabs.length && this.position < this.size) {
      const slab = this.slabs[(this.head + this.reads.length) % this.slabs.length]!;
      const read = this.readInto(slab, this.position);
      // Awaited in turn by pump; until then a failure must not count as unhandled.
      read.catch(() => undefined);
      this.reads.push(read);
      this.position += slab.length;
    }
  }

  /** Fills `slab` from `position`, to its end or the file's; resolves with the bytes read. */
  private async readInto(slab: Buffer, position: number): Promise<number> {
    let got = 0;
    while (got < slab.length && position + got < this.size) {
      const from = got;
      const { bytesRead } = await this.file.run((handle) => handle.read(slab, from, slab.length - from, position + from));
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }
}
