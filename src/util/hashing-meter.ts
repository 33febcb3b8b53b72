/** A pass-through that hashes and counts what flows through it, and reports progress at intervals. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { STAGE_HIGH_WATER_MARK } from './stream-buffering.js';

/** Chunks a chunk-by-chunk meter holds for its reader: about 4 MiB of 1 MiB chunks and their tags. */
const CHUNKS_BUFFERED = 8;

export class HashingMeter extends Transform {
  /** Not named size or length: the SDK's uploader reads those off a Body as its total length. */
  byteCount = 0;
  private readonly hash = createHash('sha256');
  private digestHex: string | undefined;
  private nextReportAt: number;
  private readonly onProgress: ((bytes: number) => void) | undefined;
  private readonly now: () => number;
  private readonly reportEveryMs: number;
  private readonly hashing: boolean;

  /** `now` in milliseconds, from the run context's clock; without `onProgress` nothing is reported. */
  constructor(
    options: {
      onProgress?: (bytes: number) => void;
      now?: () => number;
      reportEveryMs?: number;
      /** Off where a later stage hashes the same bytes anyway. */
      hashing?: boolean;
      /**
       * Hand each chunk out as it came instead of joining what is buffered into one new buffer per read (what a
       * reader such as the SDK's uploader, which joins chunks into parts itself, would otherwise copy twice).
       */
      chunkByChunk?: boolean;
    } = {},
  ) {
    super(
      options.chunkByChunk
        ? { writableHighWaterMark: STAGE_HIGH_WATER_MARK, readableObjectMode: true, readableHighWaterMark: CHUNKS_BUFFERED }
        : { highWaterMark: STAGE_HIGH_WATER_MARK },
    );
    this.onProgress = options.onProgress;
    this.now = options.now ?? (() => 0);
    this.reportEveryMs = options.reportEveryMs ?? 10_000;
    this.hashing = options.hashing ?? true;
    this.nextReportAt = this.now() + this.reportEveryMs;
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
