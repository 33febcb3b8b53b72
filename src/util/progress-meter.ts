/** A pass-through that counts what flows through it and reports progress at intervals. */
import { Transform, type TransformCallback } from 'node:stream';
import { PASS_THROUGH_HIGH_WATER_MARK } from './stream-buffering.js';

export class ProgressMeter extends Transform {
  /** Not named size or length: an uploader may read those off a body as its total length. */
  byteCount = 0;
  private nextReportAt: number;
  private readonly onProgress: ((bytes: number) => void) | undefined;
  private readonly now: () => number;
  private readonly reportEveryMs: number;

  /** `now` in milliseconds, from the run context's clock; without `onProgress` nothing is reported. */
  constructor(options: { onProgress?: (bytes: number) => void; now?: () => number; reportEveryMs?: number } = {}) {
    super({ highWaterMark: PASS_THROUGH_HIGH_WATER_MARK });
    this.onProgress = options.onProgress;
    this.now = options.now ?? (() => 0);
    this.reportEveryMs = options.reportEveryMs ?? 10_000;
    this.nextReportAt = this.now() + this.reportEveryMs;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.byteCount += chunk.length;
    if (this.onProgress && this.now() >= this.nextReportAt) {
      this.nextReportAt = this.now() + this.reportEveryMs;
      this.onProgress(this.byteCount);
    }
    done(null, chunk);
  }
}
