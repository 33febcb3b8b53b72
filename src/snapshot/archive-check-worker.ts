/**
 * The archive check on a second core (entry of its own bundle, dist/archive-check/). It receives the
 * decrypted archive as transferred chunks, reads it exactly like SnapshotArchiveValidator (gunzip, tar,
 * SHA256SUMS), acknowledges each chunk once gunzip has taken it (the sender's back-pressure), and posts
 * the facts or the failure.
 */
import { parentPort } from 'node:worker_threads';
import { ArchiveInspection, asSnapshotError } from './archive-validator.js';
import type { ArchiveCheckMessage, ArchiveCheckReply } from './off-thread-archive-check.js';

const port = parentPort;
if (!port) throw new Error('the archive check runs as a worker thread');
const inspection = new ArchiveInspection();
const reply = (message: ArchiveCheckReply) => port.postMessage(message);

port.on('message', (message: ArchiveCheckMessage) => {
  if (message.kind === 'chunk') {
    inspection.write(Buffer.from(message.data)).then(
      () => reply({ kind: 'ack' }),
      (error: Error) => reply({ kind: 'failed', message: asSnapshotError(error).message }),
    );
  } else {
    inspection.end().then(
      (facts) => reply({ kind: 'done', facts }),
      (error: Error) => reply({ kind: 'failed', message: asSnapshotError(error).message }),
    );
  }
});
