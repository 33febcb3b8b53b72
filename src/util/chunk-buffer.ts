/**
 * Cuts a stream of bytes into chunks of one size, in one buffer refilled for the whole stream: a new
 * buffer per chunk made garbage collection the largest CPU cost of encrypting and decrypting.
 */
export class ChunkBuffer {
  private buffer: Buffer;
  private filled = 0;

  constructor(readonly size: number) {
    this.buffer = Buffer.allocUnsafeSlow(size);
  }

  /**
   * Copies `data` in, handing each full chunk to `full` once a byte beyond it exists: the last chunk is
   * known only at the end, so it always stays for `rest`. `full` must be done with the chunk when it returns
   * (it is refilled at once).
   */
  fill(data: Buffer, full: (chunk: Buffer) => void): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.isFull) full(this.take());
      offset = this.copyIn(data, offset);
    }
  }

  /** Whether a whole chunk is waiting (for a byte beyond it, or for the end). */
  get isFull(): boolean {
    return this.filled === this.size;
  }

  /** Copies from `data[offset]` on until the chunk is full or `data` is used up; returns the offset reached. */
  copyIn(data: Buffer, offset: number): number {
    const copied = data.copy(this.buffer, this.filled, offset);
    this.filled += copied;
    return offset + copied;
  }

  /**
   * The full chunk; filling starts over, in the same buffer, or in `next` (a buffer of `size` bytes) when
   * the caller keeps the chunk.
   */
  take(next?: Buffer): Buffer {
    const chunk = this.buffer;
    if (next) {
      if (next.length !== this.size) throw new RangeError(`a chunk buffer must hold ${this.size} bytes, not ${next.length}`);
      this.buffer = next;
    }
    this.filled = 0;
    return chunk;
  }

  /** The last chunk: what is left once all data was filled in (empty, partial or full). */
  rest(): Buffer {
    return this.buffer.subarray(0, this.filled);
  }

  /** Overwrites what the buffer holds (plaintext must not linger in memory). */
  wipe(): void {
    this.buffer.fill(0);
  }
}
