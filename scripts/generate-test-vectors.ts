/**
 * Writes test/vectors/*.enc from test/vectors/vectors.ts. Run it only when the format version changes:
 * the files are the record of what version 1 looks like on disk.
 *   npx tsx scripts/generate-test-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS, vectorPlaintext } from '../test/vectors/vectors.js';
import { encryptBuffer } from '../test/unit/crypto-helpers.js';

for (const v of VECTORS) {
  const cipher = await encryptBuffer(vectorPlaintext(v.plaintextSize), {
    chunkSize: v.chunkSize,
    backupId: v.backupId,
    seed: v.seed,
    kek: { id: v.keyId, key: Buffer.from(v.keyHex, 'hex') },
  });
  writeFileSync(join('test', 'vectors', `${v.name}.enc`), cipher);
  console.log(`${v.name}.enc: ${cipher.length} bytes`);
}
