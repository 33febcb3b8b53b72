import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyringOpener, RawKeySource } from '../../src/crypto/data-keys.js';
import { createDecryptStream } from '../../src/crypto/decrypt-stream.js';
import { createEncryptStream } from '../../src/crypto/encrypt-stream.js';
import { Keyring } from '../../src/crypto/keys.js';
import { FileWriter } from '../../src/storage/local/file-writer.js';
import { LocalDirectoryStore } from '../../src/storage/local/local-store.js';
import { freeBuffer, freeBuffers, freeOnceAllRead, hasOwnedChunks, passOwnedChunks, withOwnedChunks } from '../../src/util/owned-chunks.js';
import { ArchiveInspection } from '../../src/snapshot/archive-validator.js';
import { syntheticSnapshot } from '../harness/synthetic-snapshot.js';
import { KEK, encryptBuffer, seededRandom, splitInto } from './crypto-helpers.js';

/** A copy with memory of its own (a small Buffer.from would share Node's pool). */
function ownCopy(piece: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(piece.length);
  piece.copy(copy);
  return copy;
}

describe('freeBuffer', () => {
  it('frees a buffer that spans its whole memory: every view of it becomes empty', () => {
    const data = Buffer.alloc(4096, 1);
    const view = new Uint8Array(data.buffer);
    freeBuffer(data);
    expect(data.length).toBe(0);
    expect(view.length).toBe(0);
    expect((data.buffer as ArrayBuffer).detached).toBe(true);
  });

  it('leaves a slice, a pooled small buffer and freed memory alone', () => {
    const whole = Buffer.alloc(4096, 2);
    const slice = whole.subarray(10, 100);
    freeBuffer(slice);
    expect(slice.length).toBe(90);
    expect(whole.length).toBe(4096);

    const pooled = Buffer.from('small'); // shares Node's 8 KiB pool with other small buffers
    const neighbour = Buffer.from('neighbour');
    freeBuffer(pooled);
    expect(pooled.toString()).toBe('small');
    expect(neighbour.toString()).toBe('neighbour');

    freeBuffer(whole);
    expect(() => freeBuffer(whole)).not.toThrow();
  });
});

describe('freeOnceAllRead', () => {
  it('frees a buffer once views adding up to all of it were read, whatever their order', () => {
    const memory = Buffer.alloc(256 * 1024, 3);
    const [a, b, c] = [memory.subarray(0, 1000), memory.subarray(30_000), memory.subarray(1000, 30_000)];
    freeOnceAllRead(a);
    freeOnceAllRead(b);
    expect(memory.length).toBe(256 * 1024);
    expect(c[0]).toBe(3);
    freeOnceAllRead(c);
    expect((memory.buffer as ArrayBuffer).detached).toBe(true);
    expect(a.length + b.length + c.length).toBe(0);
  });

  it('frees a whole buffer at once', () => {
    const whole = Buffer.allocUnsafeSlow(100_000);
    freeOnceAllRead(whole);
    expect(whole.length).toBe(0);
  });

  it('never frees a buffer that also holds bytes read elsewhere, nor the small-buffer pool', () => {
    const memory = Buffer.alloc(100_000, 4);
    const header = memory.subarray(0, 512); // read by someone else, never passed here
    freeOnceAllRead(memory.subarray(512));
    expect(header[0]).toBe(4);
    expect(memory.length).toBe(100_000);

    const pooled = Buffer.from('pooled bytes');
    const neighbour = Buffer.from('a neighbour in the pool');
    freeOnceAllRead(Buffer.from(pooled.buffer, 0, pooled.buffer.byteLength));
    expect(pooled.toString()).toBe('pooled bytes');
    expect(neighbour.toString()).toBe('a neighbour in the pool');
  });
});

describe('streams with owned chunks', () => {
  it('are marked, and only those marked', () => {
    const marked = withOwnedChunks(Readable.from([]));
    expect(hasOwnedChunks(marked)).toBe(true);
    expect(hasOwnedChunks(Readable.from([]))).toBe(false);
  });

  it("a pass-through keeps its source's mark, and only that", () => {
    expect(hasOwnedChunks(passOwnedChunks(withOwnedChunks(Readable.from([])), new PassThrough()))).toBe(true);
    expect(hasOwnedChunks(passOwnedChunks(Readable.from([]), new PassThrough()))).toBe(false);
  });

  it('a local store marks its reads: each is a buffer of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owned-'));
    try {
      const data = randomBytes(3 * 1024 * 1024 + 5);
      writeFileSync(join(dir, 'object'), data);
      const stream = await new LocalDirectoryStore(dir).get('object');
      expect(hasOwnedChunks(stream)).toBe(true);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      for (const chunk of chunks) expect(chunk.byteLength).toBe(chunk.buffer.byteLength);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decrypting with freeInput', () => {
  const opener = () => new KeyringOpener(new Keyring([KEK]));

  async function decrypt(pieces: Buffer[], freeInput: boolean): Promise<Buffer> {
    const out: Buffer[] = [];
    await pipeline(Readable.from(pieces), createDecryptStream({ opener: opener(), freeInput }), async (source) => {
      for await (const part of source) out.push(part as Buffer);
    });
    return Buffer.concat(out);
  }

  it('gives the same plaintext, and frees each piece once copied in (the header pieces stay queued)', async () => {
    const plain = randomBytes(20 * 4096 + 33);
    const cipher = await encryptBuffer(plain, { chunkSize: 4096 });
    // Pieces that own their memory, as a file's reads do; some cross chunk boundaries.
    const pieces = splitInto(cipher, 3001).map(ownCopy);
    expect(await decrypt(pieces, true)).toEqual(plain);
    const freed = pieces.filter((piece) => piece.length === 0).length;
    expect(freed).toBeGreaterThanOrEqual(pieces.length - 1);
  });

  it('leaves its input untouched without it', async () => {
    const plain = randomBytes(5 * 4096);
    const cipher = await encryptBuffer(plain, { chunkSize: 4096 });
    const pieces = splitInto(cipher, 3001).map(ownCopy);
    expect(await decrypt(pieces, false)).toEqual(plain);
    expect(Buffer.concat(pieces).equals(cipher)).toBe(true);
  });
});

describe('a local store writing a body with owned chunks', () => {
  async function put(marked: boolean): Promise<{ chunks: Buffer[]; data: Buffer; stored: Buffer }> {
    const dir = mkdtempSync(join(tmpdir(), 'owned-put-'));
    try {
      const data = randomBytes(2 * 1024 * 1024 + 77);
      const chunks = splitInto(data, 64 * 1024 + 3).map(ownCopy);
      const body = Readable.from(chunks);
      const store = new LocalDirectoryStore(dir);
      const put = await store.putNew('daily/object', marked ? withOwnedChunks(body) : body);
      expect(put.size).toBe(data.length);
      expect(put.sha256).toBe(createHash('sha256').update(data).digest('hex'));
      return { chunks, data, stored: readFileSync(join(dir, 'daily/object')) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('stores the same bytes and frees each chunk once written', async () => {
    const { chunks, data, stored } = await put(true);
    expect(stored.equals(data)).toBe(true);
    expect(chunks.every((chunk) => chunk.length === 0)).toBe(true);
  });

  it('leaves the chunks of an unmarked body alone', async () => {
    const { chunks, data, stored } = await put(false);
    expect(stored.equals(data)).toBe(true);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});

describe('FileWriter', () => {
  it('writes the rest of a short write, and frees only once all of it is written', async () => {
    const written: Buffer[] = [];
    let calls = 0;
    // A file that takes at most 1000 bytes per write, as a filling disk may.
    const handle = {
      writev: async (buffers: Buffer[]) => {
        calls++;
        let room = 1000;
        for (const buffer of buffers) {
          if (room === 0) break;
          expect(buffer.length).toBeGreaterThan(0); // nothing freed before it is written
          const part = buffer.subarray(0, room);
          written.push(Buffer.from(part));
          room -= part.length;
        }
        return { bytesWritten: 1000 - room, buffers };
      },
      close: async () => undefined,
    } as unknown as FileHandle;
    const data = randomBytes(10_000);
    const chunks = splitInto(data, 2500).map(ownCopy);
    await pipeline(Readable.from(chunks), new FileWriter(handle, freeBuffers));
    expect(Buffer.concat(written).equals(data)).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(10);
    expect(chunks.every((chunk) => chunk.length === 0)).toBe(true);
  });

  it('fails when the file takes none of a write, and closes it', async () => {
    let closed = 0;
    const handle = { writev: async () => ({ bytesWritten: 0 }), close: async () => void closed++ } as unknown as FileHandle;
    await expect(pipeline(Readable.from([Buffer.alloc(10)]), new FileWriter(handle))).rejects.toThrow('took none of a write');
    expect(closed).toBe(1);
  });
});

describe('the archive check', () => {
  it("frees each of gunzip's output buffers that held only state.bin, also when it came out in several pieces", async () => {
    const archive: Buffer[] = [];
    for await (const piece of syntheticSnapshot({ stateSize: 6 * 1024 * 1024 + 123, seed: 'pieces', gzipLevel: 0 })) archive.push(piece as Buffer);
    const inspection = new ArchiveInspection();
    // Watch gunzip's output (a second reader of the same chunks, which keeps none).
    const outputs: { memory: ArrayBuffer; view: boolean }[] = [];
    (inspection as unknown as { gunzip: Readable }).gunzip.on('data', (chunk: Buffer) =>
      outputs.push({ memory: chunk.buffer as ArrayBuffer, view: chunk.byteLength < chunk.buffer.byteLength }),
    );
    // Input pieces that end mid-way through gunzip's output buffers, so most come out as several views.
    for (const piece of splitInto(Buffer.concat(archive), 100_000)) await inspection.write(ownCopy(piece));
    const facts = await inspection.end();
    expect(facts.stateSize).toBe(6 * 1024 * 1024 + 123);
    const memories = new Set(outputs.map((output) => output.memory));
    const views = outputs.filter((output) => output.view).length;
    expect(views).toBeGreaterThan(memories.size); // the pieces were views, not whole buffers
    const freed = [...memories].filter((memory) => memory.detached).length;
    // All but the first (meta.json and the tar headers) and the last (state.bin's end, SHA256SUMS and more).
    expect(freed).toBeGreaterThanOrEqual(memories.size - 2);
  });
});

describe('a backup stream whose snapshot chunks are owned', () => {
  it('the encryptor frees each chunk once copied when told to, and the ciphertext is the same', async () => {
    const plain = randomBytes(9 * 4096 + 5);
    const encrypt = async (freeInput: boolean) => {
      const pieces = splitInto(plain, 5000).map(ownCopy);
      const encryptor = await createEncryptStream({
        keySource: new RawKeySource(KEK),
        backupId: 'vault-snapshot-20261201-020000',
        chunkSize: 4096,
        random: seededRandom('same'),
      });
      encryptor.freeInput = freeInput;
      const out: Buffer[] = [];
      await pipeline(Readable.from(pieces), encryptor, async (source) => {
        for await (const part of source) out.push(Buffer.from(part as Buffer));
      });
      return { cipher: Buffer.concat(out), pieces };
    };
    const freed = await encrypt(true);
    const kept = await encrypt(false);
    expect(freed.cipher.equals(kept.cipher)).toBe(true);
    expect(freed.pieces.every((piece) => piece.length === 0)).toBe(true);
    expect(Buffer.concat(kept.pieces).equals(plain)).toBe(true);
  });
});
