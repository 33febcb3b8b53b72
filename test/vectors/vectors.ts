/**
 * Format v1 test vectors: fixed keys, fixed "random" bytes (SHA-256 counter stream over a seed) and
 * fixed plaintexts give fixed ciphertexts. The .enc files beside this one are checked in; the tests
 * decode them and re-encode them byte for byte, so any change to the format shows up as a diff.
 */
export interface TestVector {
  name: string;
  plaintextSize: number;
  chunkSize: number;
  backupId: string;
  keyId: string;
  /** Key-encryption key, hex. */
  keyHex: string;
  seed: string;
}

export const VECTOR_KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

const base = { chunkSize: 4096, backupId: 'vault-snapshot-20250101-000000', keyId: 'vector-key', keyHex: VECTOR_KEY_HEX };

export const VECTORS: TestVector[] = [
  { ...base, name: 'empty', plaintextSize: 0, seed: 'v1-empty' },
  { ...base, name: 'one-byte', plaintextSize: 1, seed: 'v1-one' },
  { ...base, name: 'chunk-minus-one', plaintextSize: 4095, seed: 'v1-cm1' },
  { ...base, name: 'exact-chunk', plaintextSize: 4096, seed: 'v1-c' },
  { ...base, name: 'chunk-plus-one', plaintextSize: 4097, seed: 'v1-cp1' },
  { ...base, name: 'many-chunks', plaintextSize: 10 * 4096 + 123, seed: 'v1-many' },
];

/** Plaintext byte i is (i * 31 + 7) mod 256. */
export function vectorPlaintext(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}
