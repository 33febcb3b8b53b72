/** A pass-through that hashes and counts what flows through it, and reports progress at intervals. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { STAGE_HIGH_WATER_MARK } from './stream-buffering.js';

export class HashingMeter extends Transform {
  /** Not named size or length: the SDK's uploader reads those off a Body as its total length. */
  byteCount = 0;
  private readonly hash = createHash('sha256');
  private digestHex: string | undefined;
  private nextReportAt: number;

  /** `now` in milliseconds, from the run context's clock; without `onProgress` nothing is reported. */
  constructor(
    private readonly onProgress?: (bytes: number) => void,
    private readonly now: () => number = () => 0,
    private readonly reportEveryMs = 10_000,
    /** Off where a later stage hashes the same bytes anyway. */
    private readonly hashing = true,
  ) {
    super({ highWaterMark: STAGE_HIGH_WATER_MARK });
    this.nextReportAt = now() + reportEveryMs;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    if (this.hashing) this.hash.update(chunk);
    this.byteCount += chunk.length;
    if (this.onProgress && this.now() >= this.nextReportAt) {
      this.nextReportAt = this.now() + this.reportEveryMs;
      this.onProgress(this.byteCount);
    }
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; valid once the stream has ended. */
  sha256(): string {
    if (!this.hashing) throw new Error('internal: this meter does not hash');
    this.digestHex ??= this.hash.digest('hex');
    return this.digestHex;
  }
}
