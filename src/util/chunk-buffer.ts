/**
 * Cuts a stream of bytes into chunks of one size, in one buffer refilled for the whole stream: a new
 * buffer per chunk made garbage collection the largest CPU cost of encrypting and decrypting.
 */
export class ChunkBuffer {
  private readonly buffer: Buffer;
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
      if (this.filled === this.size) {
        full(this.buffer);
        this.filled = 0;
      }
      const copied = data.copy(this.buffer, this.filled, offset);
      this.filled += copied;
      offset += copied;
    }
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
