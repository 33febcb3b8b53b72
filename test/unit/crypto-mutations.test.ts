/**
 * Property test: whatever is done to an encrypted file — bit flips, truncation anywhere, swapped or
 * duplicated chunks, edited header fields, appended bytes — decryption fails with a typed error.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { BackupError } from '../../src/errors.js';
import { ciphertextSize } from './crypto-helpers.js';
import { decryptBuffer, encryptBuffer } from './crypto-helpers.js';

const CHUNK = 4096;
const UNIT = CHUNK + 16;

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; index: number }
  | { kind: 'drop'; index: number }
  | { kind: 'append'; bytes: number };

function mutate(cipher: Buffer, headerLength: number, chunks: number, m: Mutation): Buffer {
  const chunkAt = (i: number) => cipher.subarray(headerLength + i * UNIT, Math.min(cipher.length, headerLength + (i + 1) * UNIT));
  const body = Array.from({ length: chunks }, (_, i) => chunkAt(i));
  const header = cipher.subarray(0, headerLength);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(cipher);
      out[m.at % out.length]! ^= 1 << m.bit;
      return out;
    }
    case 'truncate':
      return cipher.subarray(0, m.at % cipher.length);
    case 'swap': {
      const a = m.a % chunks;
      const b = m.b % chunks;
      if (a === b) return Buffer.concat([header, ...body.slice(0, -1)]); // degenerate: drop the final chunk
      const swapped = [...body];
      [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
      return Buffer.concat([header, ...swapped]);
    }
    case 'duplicate': {
      const i = m.index % chunks;
      return Buffer.concat([header, ...body.slice(0, i + 1), body[i]!, ...body.slice(i + 1)]);
    }
    case 'drop': {
      const i = m.index % chunks;
      return Buffer.concat([header, ...body.slice(0, i), ...body.slice(i + 1)]);
    }
    case 'append':
      return Buffer.concat([cipher, randomBytes(m.bytes)]);
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.integer({ min: 1, max: 2 * UNIT }) }),
);

describe('every mutation of an encrypted file is detected', () => {
  it('random mutations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 * CHUNK }), mutation, async (size, m) => {
        const plain = randomBytes(size);
        const cipher = await encryptBuffer(plain, { chunkSize: CHUNK });
        const chunks = Math.max(1, Math.ceil(size / CHUNK));
        const headerLength = cipher.length - ciphertextSize(size, CHUNK, 0);
        const bad = mutate(cipher, headerLength, chunks, m);
        if (bad.equals(cipher)) return; // e.g. swapping a chunk with itself in a one-chunk file
        await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(BackupError);
      }),
      { numRuns: 400 },
    );
  });

  it('truncation at every chunk boundary and every header byte', async () => {
    const cipher = await encryptBuffer(randomBytes(5 * CHUNK + 10), { chunkSize: CHUNK });
    const headerLength = cipher.length - ciphertextSize(5 * CHUNK + 10, CHUNK, 0);
    const cuts = [...Array.from({ length: headerLength + 1 }, (_, i) => i), ...Array.from({ length: 6 }, (_, i) => headerLength + i * UNIT)];
    for (const cut of cuts) {
      if (cut >= cipher.length) continue;
      await expect(decryptBuffer(cipher.subarray(0, cut))).rejects.toBeInstanceOf(BackupError);
    }
  });

  it('every single header byte edited', async () => {
    const cipher = await encryptBuffer(randomBytes(100), { chunkSize: CHUNK });
    const headerLength = cipher.length - ciphertextSize(100, CHUNK, 0);
    for (let i = 0; i < headerLength; i++) {
      const bad = Buffer.from(cipher);
      bad[i]! ^= 0x01;
      await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(BackupError);
    }
  });
});
