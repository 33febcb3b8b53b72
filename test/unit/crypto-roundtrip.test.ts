import { beforeAll, describe, expect, it, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ciphertextSize } from './crypto-helpers.js';
import {
  ChunkAuthenticationError,
  ChunkOrderError,
  HeaderAuthenticationError,
  NotEncryptedBackupError,
  ObjectIdentityMismatchError,
  TrailingDataError,
  TruncatedBackupError,
  UnknownKeyIdError,
  UnsupportedFormatVersionError,
  WrongKeyError,
} from '../../src/crypto/errors.js';
import { KEK, decryptBuffer, encryptBuffer } from './crypto-helpers.js';
import { KeyringOpener, RawKeySource } from '../../src/crypto/data-keys.js';
import { WrapType, type Header } from '../../src/crypto/format.js';
import { Keyring } from '../../src/crypto/keys.js';

const CHUNK = 4096;

describe('format v1 round trip', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17, 8 * CHUNK])('round-trips %i bytes', async (size) => {
    const plain = randomBytes(size);
    const cipher = await encryptBuffer(plain, { chunkSize: CHUNK });
    const headerLength = cipher.length - ciphertextSize(size, CHUNK, 0);
    expect(headerLength).toBeGreaterThan(100);
    expect(await decryptBuffer(cipher)).toEqual(plain);
  });

  it('produces different ciphertext for the same input (fresh data key and salt)', async () => {
    const plain = Buffer.from('same bytes');
    expect((await encryptBuffer(plain)).equals(await encryptBuffer(plain))).toBe(false);
  });
});

describe('format v1 rejects each fault with its own error', () => {
  const plain = randomBytes(10 * CHUNK + 100);
  let cipher: Buffer;
  let headerLength: number;
  beforeAll(async () => {
    cipher = await encryptBuffer(plain, { chunkSize: CHUNK });
    headerLength = cipher.length - ciphertextSize(plain.length, CHUNK, 0);
  });
  const unit = CHUNK + 16;
  const chunkAt = (i: number) => headerLength + i * unit;

  it('wrong key under the same id', async () => {
    await expect(decryptBuffer(cipher, { keys: [{ id: KEK.id, key: Buffer.alloc(32, 9) }] })).rejects.toBeInstanceOf(WrongKeyError);
  });
  it('unknown key id', async () => {
    await expect(decryptBuffer(cipher, { keys: [{ id: 'other', key: KEK.key }] })).rejects.toThrow(UnknownKeyIdError);
    await expect(decryptBuffer(cipher, { keys: [{ id: 'other', key: KEK.key }] })).rejects.toThrow(/unknown key id "test-key-1"/);
  });
  it('tag mismatch in a chunk', async () => {
    const bad = Buffer.from(cipher);
    bad[chunkAt(3) + 10]! ^= 1;
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(ChunkAuthenticationError);
  });
  it('truncation at a chunk boundary', async () => {
    await expect(decryptBuffer(cipher.subarray(0, chunkAt(4)))).rejects.toBeInstanceOf(TruncatedBackupError);
  });
  it('truncation right after the header', async () => {
    await expect(decryptBuffer(cipher.subarray(0, headerLength))).rejects.toBeInstanceOf(TruncatedBackupError);
  });
  it('truncation inside the header', async () => {
    await expect(decryptBuffer(cipher.subarray(0, headerLength - 5))).rejects.toBeInstanceOf(TruncatedBackupError);
  });
  it('data after the final chunk', async () => {
    const small = await encryptBuffer(Buffer.alloc(CHUNK, 1), { chunkSize: CHUNK });
    await expect(decryptBuffer(Buffer.concat([small, Buffer.alloc(CHUNK + 16, 0)]))).rejects.toBeInstanceOf(TrailingDataError);
  });
  it('reordered chunks', async () => {
    const bad = Buffer.concat([
      cipher.subarray(0, chunkAt(2)),
      cipher.subarray(chunkAt(3), chunkAt(4)),
      cipher.subarray(chunkAt(2), chunkAt(3)),
      cipher.subarray(chunkAt(4)),
    ]);
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(ChunkOrderError);
  });
  it('duplicated chunk', async () => {
    const bad = Buffer.concat([cipher.subarray(0, chunkAt(3)), cipher.subarray(chunkAt(2), chunkAt(3)), cipher.subarray(chunkAt(3))]);
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(ChunkOrderError);
  });
  it('modified header field (chunk size byte untouched, salt changed)', async () => {
    const bad = Buffer.from(cipher);
    bad[headerLength - 16 - 32 - 7 - 5]! ^= 0x40; // inside the salt
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(HeaderAuthenticationError);
  });
  it('modified header tag', async () => {
    const bad = Buffer.from(cipher);
    bad[headerLength - 1]! ^= 1;
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(HeaderAuthenticationError);
  });
  it('object renamed onto another backup name', async () => {
    await expect(decryptBuffer(cipher, { expectedBackupId: 'vault-snapshot-20251127-020000' })).rejects.toBeInstanceOf(ObjectIdentityMismatchError);
    await expect(decryptBuffer(cipher, { expectedBackupId: 'vault-snapshot-20251126-020000' })).resolves.toEqual(plain);
  });
  it('unsupported version', async () => {
    const bad = Buffer.from(cipher);
    bad[8] = 2;
    await expect(decryptBuffer(bad)).rejects.toBeInstanceOf(UnsupportedFormatVersionError);
  });
  it('not this format at all', async () => {
    await expect(decryptBuffer(Buffer.from('plain text, not a backup at all'))).rejects.toBeInstanceOf(NotEncryptedBackupError);
  });
});

describe('data-key unwrapping follows the header', () => {
  test('a raw-wrapped data key opens under the format version its header names, not the reader build’s', async () => {
    const kek = { id: 'k1', key: Buffer.alloc(32, 3) };
    const wrapped = await new RawKeySource(kek).createDataKey('vault-snapshot-20251126-020000', (n) => Buffer.alloc(n, 1));
    const header = { version: 1, wrapType: WrapType.RawAes256Gcm, keyId: 'k1', wrappedKey: wrapped.wrappedKey } as unknown as Header;
    const opener = new KeyringOpener(new Keyring([kek]));
    expect((await opener.openDataKey(header)).equals(wrapped.dataKey)).toBe(true);
    // The same bytes under another version's header do not open: the version is bound into the wrap.
    await expect(opener.openDataKey({ ...header, version: 2 })).rejects.toBeInstanceOf(WrongKeyError);
  });
});
