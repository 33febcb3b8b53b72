/** A whole snapshot archive stream checked by the production validator, for tests. */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InThreadArchiveCheck, SnapshotArchiveValidator, type ValidatedSnapshot } from '../../src/snapshot/archive-validator.js';
import { OffThreadArchiveCheck, OffThreadArchiveValidator, archiveCheckWorkerFile } from '../../src/snapshot/off-thread-archive-check.js';

export async function validateSnapshotStream(source: Readable): Promise<ValidatedSnapshot> {
  const validator = new SnapshotArchiveValidator();
  await pipeline(source, validator, async (stream) => {
    for await (const _ of stream) void _;
  });
  return validator.result!;
}

/** The same check on the worker thread verify uses (its bundle must be built: npm run build). */
export async function checkSnapshotOffThread(source: Readable): Promise<ValidatedSnapshot> {
  const workerFile = archiveCheckWorkerFile();
  if (!workerFile) throw new Error('dist/archive-check/index.js is not built: run npm run build');
  const check = new OffThreadArchiveCheck(workerFile);
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
 * The pass-through backup uses on the worker thread: besides its verdict, the bytes it passes on must be
 * the bytes it was given, in order (it copies them into buffers it reuses).
 */
export async function validateSnapshotStreamOffThread(source: Readable): Promise<ValidatedSnapshot> {
  const workerFile = archiveCheckWorkerFile();
  if (!workerFile) throw new Error('dist/archive-check/index.js is not built: run npm run build');
  const validator = new OffThreadArchiveValidator(workerFile);
  const given = createHash('sha256');
  const passed = createHash('sha256');
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => given.update(chunk));
  await pipeline(source, tap, validator, async (stream) => {
    for await (const chunk of stream) passed.update(chunk as Buffer);
  });
  if (given.digest('hex') !== passed.digest('hex')) throw new Error('the pass-through changed the bytes it passed on');
  return validator.result!;
}
