/**
 * What direct-file-writer.ts and direct-file-reader.ts share: opening a file around the page cache (O_DIRECT),
 * memory aligned for it, and the page cache as the way out wherever the file system refuses a direct read or
 * write. O_DIRECT asks that each read's and write's memory, length and file offset be whole blocks; Node's
 * Buffers promise no alignment, so the data goes through staging slabs that are aligned (a WebAssembly memory
 * starts on a page boundary). What reaches the disk never depends on the alignment holding: a refused
 * operation is done again through the page cache.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { errorCode } from '../../util/error-text.js';

/** The block every direct read and write is made of: the largest logical block of the disks a runner has. */
export const DIRECT_ALIGNMENT = 4096;

// The one part of WebAssembly used here (the project's TypeScript libraries do not declare it).
declare const WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

/** `count` buffers of `bytes` (a multiple of DIRECT_ALIGNMENT), each starting on a page boundary. */
export function alignedSlabs(count: number, bytes: number): Buffer[] {
  const pages = Math.ceil((count * bytes) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  return Array.from({ length: count }, (_, index) => Buffer.from(memory.buffer, index * bytes, bytes));
}

/**
 * Opens `path` with `flags` and O_DIRECT; undefined where there is none: not on this platform (macOS), or the
 * file system refused it (EINVAL). Linux makes a file it creates before it refuses the flag.
 */
export async function openDirect(path: string, flags: number, mode?: number): Promise<FileHandle | undefined> {
  if (!constants.O_DIRECT) return undefined;
  try {
    return await open(path, flags | constants.O_DIRECT, mode);
  } catch (error) {
    if (errorCode(error) !== 'EINVAL') throw error;
    return undefined;
  }
}

/** A file open for direct reads or writes, and the same file through the page cache once a direct one is refused. */
export class DirectFile {
  private buffered: Promise<FileHandle> | undefined;

  constructor(
    private readonly direct: FileHandle,
    /** Opens the same file again without O_DIRECT. */
    private readonly reopen: () => Promise<FileHandle>,
  ) {}

  /** Does `io` on the file: directly until the file system refuses it (EINVAL), then and from then on through the page cache. */
  async run<T>(io: (handle: FileHandle) => Promise<T>): Promise<T> {
    const buffered = this.buffered;
    if (buffered) return io(await buffered);
    try {
      return await io(this.direct);
    } catch (error) {
      if (errorCode(error) !== 'EINVAL') throw error;
      this.buffered ??= this.reopen();
      return io(await this.buffered);
    }
  }

  /** The handle to flush, truncate or stat: either reaches the same file. */
  get handle(): FileHandle {
    return this.direct;
  }

  /** Closes both handles (the caller waits for what is in flight first). */
  async close(): Promise<void> {
    const buffered = await this.buffered?.catch(() => undefined);
    await Promise.all([this.direct.close(), buffered?.close()]);
  }
}
