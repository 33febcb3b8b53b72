/**
 * The archive check on a second core (entry of its own bundle, dist/archive-check/). It receives the
 * archive as transferred pieces, reads it exactly like SnapshotArchiveValidator (gunzip, tar, SHA256SUMS),
 * acknowledges each piece (the sender's back-pressure): once gunzip has taken it, or, when the sender wants
 * the buffer back to refill it, once gunzip has read it, with the buffer (otherwise the buffer is freed then).
 * Then it posts the facts or the failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ArchiveInspection, asSnapshotError } from './archive-validator.js';
import { freeBuffer } from '../util/owned-chunks.js';
import type { ArchiveCheckMessage, ArchiveCheckOptions, ArchiveCheckReply } from './off-thread-archive-check.js';

const port = parentPort;
if (!port) throw new Error('the archive check runs as a worker thread');
const { returnBuffers } = workerData as ArchiveCheckOptions;
const inspection = new ArchiveInspection();
const reply = (message: ArchiveCheckReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const failed = (error: Error) => reply({ kind: 'failed', message: asSnapshotError(error).message });

port.on('message', (message: ArchiveCheckMessage) => {
  if (message.kind === 'chunk') {
    const piece = Buffer.from(message.data, 0, message.length);
    if (returnBuffers) {
      const giveBack = (error?: Error | null) => (error ? failed(error) : reply({ kind: 'ack', data: message.data }, [message.data]));
      inspection.write(piece, giveBack).catch(failed);
    } else {
      // The piece is this thread's alone: free it once gunzip has read it rather than leave it to the collector.
      const free = (error?: Error | null) => {
        if (!error) freeBuffer(new Uint8Array(message.data));
      };
      inspection.write(piece, free).then(() => reply({ kind: 'ack' }), failed);
    }
  } else {
    inspection.end().then((facts) => reply({ kind: 'done', facts }), failed);
  }
});
