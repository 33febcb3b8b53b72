import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawKeySource } from '../../src/crypto/data-keys.js';
import { createEncryptStream, type PlaintextReader } from '../../src/crypto/encrypt-stream.js';
import { KEK, decryptBuffer, seededRandom, splitInto } from './crypto-helpers.js';

const CHUNK = 4096;

/** Records what it is handed; gives a buffer back as spare once it has "read" it (on the next turn). */
class RecordingReader implements PlaintextReader {
  readonly seen: Buffer[] = [];
  readonly memories: ArrayBufferLike[] = [];
  readonly spares: Buffer[] = [];
  ended = false;
  destroyed = false;
  constructor(private readonly failAt?: { read?: number; end?: boolean }) {}

  read(chunk: Buffer, next: (error?: Error | null) => void): void {
    if (this.ended) throw new Error('read after end');
    this.seen.push(Buffer.from(chunk));
    this.memories.push(chunk.buffer);
    if (this.failAt?.read === this.seen.length) return void setImmediate(() => next(new Error('the reader failed')));
    setImmediate(() => {
      this.spares.push(chunk);
      next();
    });
  }
  spare(): Buffer | undefined {
    return this.spares.pop();
  }
  end(done: (error?: Error | null) => void): void {
    this.ended = true;
    setImmediate(() => done(this.failAt?.end ? new Error('the archive is bad') : null));
  }
  destroy(): void {
    this.destroyed = true;
  }
}

async function encrypt(plain: Buffer, reader?: PlaintextReader, pieces = splitInto(plain, 5000)) {
  const encryptor = await createEncryptStream({
    keySource: new RawKeySource(KEK),
    backupId: 'vault-snapshot-20261201-020000',
    chunkSize: CHUNK,
    random: seededRandom('same'),
  });
  if (reader) encryptor.passPlaintextTo(reader);
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), encryptor, async (source: AsyncIterable<Buffer>) => {
    for await (const part of source) out.push(Buffer.from(part));
  });
  return Buffer.concat(out);
}

describe('the encryptor handing its plaintext to a reader', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 9 * CHUNK, 9 * CHUNK + 5])(
    'hands over every byte in order, in chunks, for %i bytes; the ciphertext is unchanged',
    async (size) => {
      const plain = randomBytes(size);
      const reader = new RecordingReader();
      const cipher = await encrypt(plain, reader);
      expect(cipher.equals(await encrypt(plain))).toBe(true);
      expect((await decryptBuffer(cipher)).equals(plain)).toBe(true);
      expect(Buffer.concat(reader.seen).equals(plain)).toBe(true);
      // Whole chunks, then the last (which may be empty or whole too); the end comes after it.
      expect(reader.seen.length).toBe(Math.max(1, Math.ceil(size / CHUNK)));
      expect(reader.seen.slice(0, -1).every((chunk) => chunk.length === CHUNK)).toBe(true);
      expect(reader.ended).toBe(true);
    },
  );

  it('fills the buffers the reader gives back again, rather than new ones', async () => {
    const reader = new RecordingReader();
    const plain = randomBytes(20 * CHUNK + 3);
    await encrypt(plain, reader, splitInto(plain, 100_000));
    expect(reader.seen.length).toBe(21);
    // Each full chunk waits for a byte beyond it, so two buffers take turns once the reader gives them back.
    expect(new Set(reader.memories).size).toBeLessThan(5);
  });

  it('ends only once the reader has finished, and fails with the reader', async () => {
    const plain = randomBytes(3 * CHUNK);
    await expect(encrypt(plain, new RecordingReader({ end: true }))).rejects.toThrow('the archive is bad');
    const failing = new RecordingReader({ read: 2 });
    await expect(encrypt(plain, failing)).rejects.toThrow('the reader failed');
    expect(failing.destroyed).toBe(true);
  });
});
