/**
 * Streaming decryption of format v1. Plaintext leaves this stream only after its chunk's tag has been
 * verified, and the stream fails unless the file ends exactly with its final chunk.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ByteQueue } from '../util/byte-queue.js';
import { ChunkBuffer } from '../util/chunk-buffer.js';
import { freeBuffer } from '../util/owned-chunks.js';
import type { DataKeyOpener } from './data-keys.js';
import { ChunkAuthenticationError, ChunkOrderError, CryptoError, TrailingDataError, TruncatedBackupError } from './errors.js';
import { FIXED_PREFIX_LENGTH, TAG_LENGTH, decodeHeader, readHeaderLength, type Header } from './format.js';
import { openChunk, openHeader, type OpenedHeader } from './open-header.js';
import { STAGE_HIGH_WATER_MARK } from '../util/stream-buffering.js';

export interface DecryptOptions {
  opener: DataKeyOpener;
  /** When set, the header's backup id must equal it (the object was not renamed onto another backup). */
  expectedBackupId?: string;
  /** Called once the header is authenticated. */
  onHeader?: (header: Header) => void;
  /**
   * The chunks written to the stream are its alone (their source was marked withOwnedChunks and nothing
   * else reads them): each is freed once copied in, so the reads make no garbage.
   */
  freeInput?: boolean;
}

/** How far around a failing chunk to look for the chunk that is really there (reordered or duplicated). */
const ORDER_SEARCH_WINDOW = 64;

export class DecryptStream extends Transform {
  /** The header's bytes, until it is complete. */
  private readonly queue = new ByteQueue();
  private opened: OpenedHeader | undefined;
  /** Chunks (ciphertext and tag) as they fill, once the header told their size. */
  private units: ChunkBuffer | undefined;
  private counter = 0;

  constructor(private readonly options: DecryptOptions) {
    super({ highWaterMark: STAGE_HIGH_WATER_MARK });
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.opened) {
      return this.guarded(done, () => {
        this.fillChunks(data);
        if (this.options.freeInput) freeBuffer(data);
      });
    }
    this.queue.push(data);
    this.readHeader()
      .then((ready) => {
        if (ready) this.fillChunks(this.queue.shift(this.queue.length));
      })
      .then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    if (this.opened) return this.guarded(done, () => this.finish());
    this.readHeader()
      .then((ready) => {
        if (!ready) throw new TruncatedBackupError('file ends inside its header', 'the object is truncated; use another copy');
        this.fillChunks(this.queue.shift(this.queue.length));
        this.finish();
      })
      .then(() => done(), done);
  }

  private guarded(done: TransformCallback, work: () => void): void {
    try {
      work();
    } catch (error) {
      return done(error as Error);
    }
    done();
  }

  /** Opens each full chunk once a byte beyond it exists (only the end shows the final one). */
  private fillChunks(data: Buffer): void {
    this.units!.fill(data, (unit) => this.push(this.open(unit, false)));
  }

  private finish(): void {
    const rest = this.units!.rest();
    if (rest.length < TAG_LENGTH) {
      throw new TruncatedBackupError(
        this.counter === 0 ? 'file has a header but no chunks' : `file ends after chunk ${this.counter - 1} without its final chunk`,
        'the object is truncated; use another copy',
      );
    }
    this.push(this.open(rest, true));
    this.opened?.payloadKey.fill(0);
  }

  private async readHeader(): Promise<boolean> {
    if (this.queue.length < FIXED_PREFIX_LENGTH) return false;
    const length = readHeaderLength(this.queue.peek(FIXED_PREFIX_LENGTH));
    if (this.queue.length < length) return false;
    const opened = await openHeader(decodeHeader(this.queue.shift(length)), this.options.opener, this.options.expectedBackupId);
    this.opened = opened;
    this.units = new ChunkBuffer(opened.header.chunkSize + TAG_LENGTH);
    this.options.onHeader?.(opened.header);
    return true;
  }

  private tryOpen(unit: Buffer, counter: number, last: boolean): Buffer | undefined {
    return this.opened ? openChunk(this.opened, unit, counter, last) : undefined;
  }

  private open(unit: Buffer, last: boolean): Buffer {
    const index = this.counter;
    const plain = this.tryOpen(unit, index, last);
    if (plain) {
      this.counter++;
      return plain;
    }
    throw this.diagnose(unit, index, last);
  }

  /** Only on failure: work out which of the distinct faults this is. */
  private diagnose(unit: Buffer, index: number, last: boolean): CryptoError {
    if (!last && this.tryOpen(unit, index, true)) {
      return new TrailingDataError(`chunk ${index} is the final chunk, but data follows it`, 'the object has bytes appended; use another copy');
    }
    if (last && this.tryOpen(unit, index, false)) {
      return new TruncatedBackupError(`file ends after chunk ${index} without its final chunk`, 'the object is truncated; use another copy');
    }
    const from = Math.max(0, index - ORDER_SEARCH_WINDOW);
    for (let other = from; other <= index + ORDER_SEARCH_WINDOW; other++) {
      if (other === index) continue;
      if (this.tryOpen(unit, other, false) || this.tryOpen(unit, other, true)) {
        const what = other < index ? 'a duplicate or moved copy of' : 'moved here from';
        return new ChunkOrderError(`chunk ${index} is ${what} chunk ${other}: chunks were reordered or duplicated`, 'use another copy of this backup');
      }
    }
    return new ChunkAuthenticationError(index, last ? ' (final chunk; the file may also be truncated)' : '');
  }
}

export function createDecryptStream(options: DecryptOptions): DecryptStream {
  return new DecryptStream(options);
}
