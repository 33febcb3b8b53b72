/** A FIFO of bytes that hands out exact-size slices without copying more than once per slice. */
export class ByteQueue {
  private parts: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.parts.push(data);
    this.total += data.length;
  }

  /** Returns the first `size` bytes (at most what is queued) and removes them. */
  shift(size: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.total);
    const rest = all.subarray(size);
    this.parts = rest.length ? [rest] : [];
    this.total = rest.length;
    return all.subarray(0, size);
  }

  /** Looks at the first `size` bytes without removing them. */
  peek(size: number): Buffer {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts, this.total)];
    return (this.parts[0] ?? Buffer.alloc(0)).subarray(0, size);
  }
}
