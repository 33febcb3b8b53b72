// The floor and the baseline, measured on the same file in a separate process:
//   node bench/floor.mjs aes-sha FILE      one streaming pass of AES-256-GCM + SHA-256 (what any backup must do)
//   node bench/floor.mjs copy FILE OUT     a plain stream copy of the file
//   node bench/floor.mjs baseline FILE     the original design: whole file in memory, one GCM message, hash
//   node bench/floor.mjs passes URL [hash-threads]
//                                          the passes a backup cannot skip, and nothing else: receive the snapshot
//                                          from URL (node:http), cut it into 1 MiB chunks, AES-256-GCM each, SHA-256
//                                          of the ciphertext, SHA-256 and CRC-32 of the plaintext; no gzip, no tar,
//                                          no file written. hash-threads 2: the hashes on two worker threads.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
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
} else if (mode === 'passes') {
  await backupPasses(file, Number(out ?? 0));
} else {
  console.error('usage: floor.mjs aes-sha|copy|baseline FILE [OUT] | passes URL [hash-threads]');
  process.exit(2);
}

/** Frees a buffer that is all of its memory now, instead of leaving it to the collector (as a backup does). */
function free(buffer) {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) buffer.buffer.transfer(0);
}

async function backupPasses(url, hashThreads) {
  const chunkSize = 1024 * 1024;
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { createHash } = require('node:crypto');
    const { crc32 } = require('node:zlib');
    const hash = createHash('sha256');
    let crc = 0;
    parentPort.on('message', (message) => {
      if (message.end) return void parentPort.postMessage({ digest: hash.digest('hex'), crc });
      const bytes = Buffer.from(message.buffer, 0, message.length);
      hash.update(bytes);
      if (message.crc) crc = crc32(bytes, crc);
      parentPort.postMessage({ done: true });
    });`;
  const workers = hashThreads === 2 ? [new Worker(source, { eval: true }), new Worker(source, { eval: true })] : [];
  const plainHash = createHash('sha256');
  const cipherHash = createHash('sha256');
  let crc = 0;
  // At most 8 buffers in flight to the workers, as a backup holds them.
  let inFlight = 0;
  let resume;
  for (const worker of workers)
    worker.on('message', (message) => {
      if (!message.done) return;
      inFlight--;
      if (!resume || inFlight >= 8) return;
      const go = resume;
      resume = undefined;
      go();
    });
  const hand = (worker, buffer, length, withCrc) => {
    inFlight++;
    worker.postMessage({ buffer: buffer.buffer, length, crc: withCrc }, [buffer.buffer]);
  };
  const key = randomBytes(32);
  const seal = (plain, length) => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    const body = cipher.update(plain.subarray(0, length));
    cipher.final();
    const tag = cipher.getAuthTag();
    if (workers.length) {
      hand(workers[0], plain, length, true);
      hand(workers[1], body, body.length, false);
      cipherHash.update(tag); // 16 bytes: not worth a message
      return;
    }
    plainHash.update(plain.subarray(0, length));
    crc = crc32(plain.subarray(0, length), crc);
    cipherHash.update(body);
    cipherHash.update(tag);
    free(body);
  };
  let chunk = Buffer.allocUnsafeSlow(chunkSize);
  let filled = 0;
  await new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`snapshot answered ${res.statusCode}`));
      res.on('data', (piece) => {
        for (let at = 0; at < piece.length;) {
          const n = piece.copy(chunk, filled, at);
          at += n;
          filled += n;
          if (filled === chunkSize) {
            seal(chunk, filled);
            // A chunk handed to a worker is gone; one hashed here is filled again.
            if (workers.length) chunk = Buffer.allocUnsafeSlow(chunkSize);
            filled = 0;
          }
        }
        free(piece);
        if (inFlight >= 8) {
          res.pause();
          resume = () => res.resume();
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.once('socket', (socket) => socket.on('data', free));
    req.on('error', reject);
    req.end();
  });
  seal(chunk, filled);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise((resolve) => {
          worker.on('message', (message) => message.digest && resolve(worker.terminate()));
          worker.postMessage({ end: true });
        }),
    ),
  );
  plainHash.digest();
  cipherHash.digest();
}
