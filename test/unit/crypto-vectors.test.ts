import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/processes.js';
import { VECTORS, vectorPlaintext } from '../vectors/vectors.js';
import { decryptBuffer, encryptBuffer } from './crypto-helpers.js';

describe('format v1 test vectors', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s decodes to its plaintext and re-encodes byte for byte', async (_name, v) => {
    const stored = readFileSync(join(ROOT, 'test', 'vectors', `${v.name}.enc`));
    const kek = { id: v.keyId, key: Buffer.from(v.keyHex, 'hex') };
    const plain = await decryptBuffer(stored, { keys: [kek], expectedBackupId: v.backupId });
    expect(createHash('sha256').update(plain).digest('hex')).toBe(createHash('sha256').update(vectorPlaintext(v.plaintextSize)).digest('hex'));
    const again = await encryptBuffer(plain, { chunkSize: v.chunkSize, backupId: v.backupId, seed: v.seed, kek });
    expect(again.equals(stored)).toBe(true);
  });
});

describe('an independent decoder written from docs/FORMAT.md', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('decodes %s', (_name, v) => {
    const python = join(ROOT, '.test-servers', 'venv', 'bin', 'python');
    const out = execFileSync(python, [join(ROOT, 'test', 'vectors', 'decode_v1.py'), join(ROOT, 'test', 'vectors', `${v.name}.enc`), v.keyHex, v.keyId]);
    expect(out.equals(vectorPlaintext(v.plaintextSize))).toBe(true);
  });
});
