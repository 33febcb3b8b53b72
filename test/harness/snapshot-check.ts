/** A whole snapshot archive stream checked by the production validator, for tests. */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RawKeySource } from '../../src/crypto/data-keys.js';
import { createEncryptStream } from '../../src/crypto/encrypt-stream.js';
import { InThreadArchiveCheck, InThreadPlaintextCheck, SnapshotArchiveValidator, type ValidatedSnapshot } from '../../src/snapshot/archive-validator.js';
import { OffThreadArchiveCheck, OffThreadPlaintextCheck, archiveCheckWorkerFile } from '../../src/snapshot/off-thread-archive-check.js';
import { KEK, decryptBuffer } from '../unit/crypto-helpers.js';

export async function validateSnapshotStream(source: Readable): Promise<ValidatedSnapshot> {
  const validator = new SnapshotArchiveValidator();
  await pipeline(source, validator, async (stream) => {
    for await (const _ of stream) void _;
  });
  return validator.result!;
}

/** The same check on the worker thread verify uses (its bundle must be built: npm run build). */
export async function checkSnapshotOffThread(source: Readable): Promise<ValidatedSnapshot> {
  const check = new OffThreadArchiveCheck(builtWorkerFile());
  await pipeline(source, check);
  return check.result!;
}

/** The check verify falls back to where the worker's bundle is not built: the end of a pipeline, in this thread. */
export async function checkSnapshotInThread(source: Readable): Promise<ValidatedSnapshot> {
  const check = new InThreadArchiveCheck();
  await pipeline(source, check);
  return check.result!;
}

/**
 * A backup's check: the archive goes through the encryptor, which hands each sealed chunk's plaintext to
 * the check in its own buffer (reused once the check has read it). Besides the verdict, the ciphertext must
 * decrypt to the bytes given, in order. `where`: on the worker thread, or in this thread (no worker bundle).
 */
export async function checkSnapshotThroughEncryptor(source: Readable, where: 'worker' | 'this thread', chunkSize = 64 * 1024): Promise<ValidatedSnapshot> {
  const check = where === 'worker' ? new OffThreadPlaintextCheck(builtWorkerFile()) : new InThreadPlaintextCheck();
  const encryptor = await createEncryptStream({ keySource: new RawKeySource(KEK), backupId: 'vault-snapshot-20261201-020000', chunkSize });
  encryptor.passPlaintextTo(check);
  const given = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => given.update(chunk));
  const ciphertext: Buffer[] = [];
  await pipeline(source, tap, encryptor, async (stream: AsyncIterable<Buffer>) => {
    for await (const chunk of stream) ciphertext.push(chunk);
  });
  const plaintext = await decryptBuffer(Buffer.concat(ciphertext));
  if (given.digest('hex') !== createHash('sha256').update(plaintext).digest('hex')) throw new Error('the ciphertext does not decrypt to the bytes given');
  return check.result!;
}

/** The worker's bundle, which these checks need built (npm run build). */
function builtWorkerFile(): URL {
  const workerFile = archiveCheckWorkerFile();
  if (!workerFile) throw new Error('dist/archive-check/index.js is not built: run npm run build');
  return workerFile;
}
