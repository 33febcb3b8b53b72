// The floor and the baseline, measured on the same file in a separate process:
//   node bench/floor.mjs aes-sha FILE      one streaming pass of AES-256-GCM + SHA-256 (what any backup must do)
//   node bench/floor.mjs copy FILE OUT     a plain stream copy of the file
//   node bench/floor.mjs baseline FILE     the original design: whole file in memory, one GCM message, hash
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';

const [mode, file, out] = process.argv.slice(2);
const key = randomBytes(32);

if (mode === 'aes-sha') {
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  const hash = createHash('sha256');
  await pipeline(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    new Writable({
      write(chunk, _e, done) {
        hash.update(cipher.update(chunk));
        done();
      },
    }),
  );
  cipher.final();
  hash.digest();
} else if (mode === 'copy') {
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), createWriteStream(out));
} else if (mode === 'baseline') {
  // As the original design did it: read everything, encrypt everything, then hash.
  const data = await readFile(file);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const encrypted = Buffer.concat([iv, Buffer.alloc(16), cipher.update(data), cipher.final()]);
  cipher.getAuthTag().copy(encrypted, 16);
  createHash('sha256').update(encrypted).digest();
} else {
  console.error('usage: floor.mjs aes-sha|copy|baseline FILE [OUT]');
  process.exit(2);
}
