import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawKeySource, KeyringOpener, type RandomSource } from '../../src/crypto/data-keys.js';
import { createDecryptStream, type DecryptOptions } from '../../src/crypto/decrypt-stream.js';
import { createEncryptStream } from '../../src/crypto/encrypt-stream.js';
import { Keyring, type KeyEncryptionKey } from '../../src/crypto/keys.js';

export const KEK: KeyEncryptionKey = { id: 'test-key-1', key: Buffer.alloc(32, 7) };

/** Deterministic "random" bytes for test vectors: SHA-256 counter mode over a seed. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (size) => {
    const out: Buffer[] = [];
    let have = 0;
    while (have < size) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, size);
  };
}

export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

export async function encryptBuffer(
  plain: Buffer,
  opts: { chunkSize?: number; backupId?: string; seed?: string; kek?: KeyEncryptionKey } = {},
): Promise<Buffer> {
  const enc = await createEncryptStream({
    keySource: new RawKeySource(opts.kek ?? KEK),
    backupId: opts.backupId ?? 'vault-snapshot-20251126-020000',
    chunkSize: opts.chunkSize ?? 4096,
    ...(opts.seed ? { random: seededRandom(opts.seed) } : {}),
  });
  const out: Buffer[] = [];
  await pipeline(Readable.from(splitInto(plain, 1000)), enc, async (source) => {
    for await (const part of source) out.push(part as Buffer);
  });
  return Buffer.concat(out);
}

export async function decryptBuffer(cipher: Buffer, opts: Partial<DecryptOptions> & { keys?: KeyEncryptionKey[] } = {}): Promise<Buffer> {
  const dec = createDecryptStream({ opener: new KeyringOpener(new Keyring(opts.keys ?? [KEK])), ...opts });
  const out: Buffer[] = [];
  await pipeline(Readable.from(splitInto(cipher, 777)), dec, async (source) => {
    for await (const part of source) out.push(part as Buffer);
  });
  return Buffer.concat(out);
}

/** Feeds a buffer in odd-sized pieces, so chunk boundaries never line up with writes. */
export function splitInto(data: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
  return parts;
}

/** Size of the ciphertext for a plaintext of `plainSize` bytes, as docs/FORMAT.md defines it. */
export function ciphertextSize(plainSize: number, chunkSize: number, headerLength: number): number {
  const chunks = Math.max(1, Math.ceil(plainSize / chunkSize));
  return headerLength + plainSize + chunks * 16;
}
