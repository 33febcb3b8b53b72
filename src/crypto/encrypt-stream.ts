/**
 * Streaming encryption in format v1: header, then fixed-size AES-256-GCM chunks. At most one chunk
 * (plus what the writer hands in) is held in memory.
 */
import { createCipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { secureRandom, type DataKeySource, type RandomSource } from './data-keys.js';
import { PASS_THROUGH_HIGH_WATER_MARK } from '../util/stream-buffering.js';
import { ChunkBuffer } from '../util/chunk-buffer.js';
import { freeBuffer, withOwnedChunks } from '../util/owned-chunks.js';
import {
  COMMITMENT_LENGTH,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNKS,
  NONCE_PREFIX_LENGTH,
  SALT_LENGTH,
  TAG_LENGTH,
  chunkAad,
  chunkNonce,
  computeHeaderTag,
  deriveKeys,
  encodeHeaderBody,
} from './format.js';

export interface EncryptOptions {
  keySource: DataKeySource;
  /** Bound into the key schedule and header: the file name stem, e.g. vault-snapshot-20251126-020000. */
  backupId: string;
  chunkSize?: number;
  /** Injectable for test vectors; production uses the OS CSPRNG. */
  random?: RandomSource;
}

/**
 * Reads the plaintext after the encryptor, in the encryptor's own chunk buffers (a backup's archive check,
 * which then needs no copy of its own). A chunk's buffer is the reader's once handed over.
 */
export interface PlaintextReader {
  /** Takes the next `chunk` (a whole buffer; the last may be the start of one); `next` once another may follow. */
  read(chunk: Buffer, next: (error?: Error | null) => void): void;
  /** A chunk buffer the reader is done with, to fill again, if it has one. */
  spare(): Buffer | undefined;
  /** Every chunk was handed over; `done` once the reader has finished, with its failure if it failed. */
  end(done: (error?: Error | null) => void): void;
  /** The stream failed: stop reading. */
  destroy(): void;
}

export interface EncryptionInfo {
  keyId: string;
  wrapType: number;
  chunkSize: number;
  headerLength: number;
}

export class EncryptStream extends Transform {
  private readonly chunks: ChunkBuffer;
  private counter = 0;
  private headerSent = false;

  constructor(
    private readonly header: Buffer,
    private readonly payloadKey: Buffer,
    private readonly noncePrefix: Buffer,
    private readonly chunkSize: number,
    readonly info: EncryptionInfo,
  ) {
    super({ highWaterMark: PASS_THROUGH_HIGH_WATER_MARK });
    this.aad = chunkAad(header);
    this.chunks = new ChunkBuffer(chunkSize);
    // Everything pushed is made for the reader alone (the header is pushed as a copy), so it may free it.
    withOwnedChunks(this);
  }
  private readonly aad: Buffer;

  /**
   * Set when the chunks written to the stream are its alone (their source was marked withOwnedChunks):
   * each is then freed once copied in, so the snapshot's reads make no garbage.
   */
  freeInput = false;

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.sendHeader();
    const copied = (error?: Error | null) => {
      if (!error && this.freeInput) freeBuffer(data);
      done(error);
    };
    if (this.reader) return this.fillAndPass(this.reader, data, 0, copied);
    this.chunks.fill(data, (chunk) => this.seal(chunk, false));
    copied();
  }

  override _flush(done: TransformCallback): void {
    this.sendHeader();
    const last = this.chunks.rest();
    this.seal(last, true);
    this.payloadKey.fill(0);
    const reader = this.reader;
    if (!reader) {
      this.chunks.wipe();
      return done();
    }
    // The stream ends once the reader is done too: a backup's archive check has the last word.
    reader.read(last, (error) => (error ? done(error) : reader.end(done)));
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.reader?.destroy();
    done(error);
  }

  /**
   * Hands the plaintext to `reader` chunk by chunk, once each is sealed, in the chunk's own buffer; the next
   * chunk is filled in a buffer the reader is done with, or a new one. Set before the first write.
   */
  passPlaintextTo(reader: PlaintextReader): void {
    this.reader = reader;
  }
  private reader: PlaintextReader | undefined;

  /** Fills chunks from `data[offset]` on; each full one is sealed and passed on before the rest is filled in. */
  private fillAndPass(reader: PlaintextReader, data: Buffer, offset: number, done: (error?: Error | null) => void): void {
    try {
      while (offset < data.length) {
        if (this.chunks.isFull) {
          const chunk = this.chunks.take(reader.spare() ?? Buffer.allocUnsafeSlow(this.chunkSize));
          this.seal(chunk, false);
          const rest = offset;
          return reader.read(chunk, (error) => (error ? done(error) : this.fillAndPass(reader, data, rest, done)));
        }
        offset = this.chunks.copyIn(data, offset);
      }
    } catch (error) {
      return done(error as Error);
    }
    done();
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(Buffer.from(this.header));
  }

  /** Pushes the sealed chunk: its ciphertext, then its tag, as they come (no copy into one buffer; the bytes are the same). */
  private seal(plain: Buffer, last: boolean): void {
    if (this.counter >= MAX_CHUNKS) throw new Error('input exceeds the format limit of 2^32-1 chunks');
    const cipher = createCipheriv('aes-256-gcm', this.payloadKey, chunkNonce(this.noncePrefix, this.counter++, last), { authTagLength: TAG_LENGTH });
    cipher.setAAD(this.aad);
    const body = cipher.update(plain);
    const tail = cipher.final(); // empty for GCM, kept for correctness
    if (body.length) this.push(body);
    if (tail.length) this.push(tail);
    this.push(cipher.getAuthTag());
  }
}

/** Builds the header (asking the key source for a fresh data key) and returns the encrypting stream. */
export async function createEncryptStream(options: EncryptOptions): Promise<EncryptStream> {
  const random = options.random ?? secureRandom;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const wrapped = await options.keySource.createDataKey(options.backupId, random);
  const salt = random(SALT_LENGTH);
  const noncePrefix = random(NONCE_PREFIX_LENGTH);
  const keys = deriveKeys(wrapped.dataKey, salt, options.backupId);
  wrapped.dataKey.fill(0);
  if (keys.commitment.length !== COMMITMENT_LENGTH) throw new Error('key schedule produced a bad commitment');
  const body = encodeHeaderBody({
    chunkSize,
    wrapType: wrapped.wrapType,
    keyId: wrapped.keyId,
    backupId: options.backupId,
    wrappedKey: wrapped.wrappedKey,
    salt,
    noncePrefix,
    commitment: keys.commitment,
  });
  const header = Buffer.concat([body, computeHeaderTag(keys.payloadKey, noncePrefix, body)]);
  return new EncryptStream(header, keys.payloadKey, noncePrefix, chunkSize, {
    keyId: wrapped.keyId,
    wrapType: wrapped.wrapType,
    chunkSize,
    headerLength: header.length,
  });
}
