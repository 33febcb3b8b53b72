/**
 * The SHA-256 of a local backup's ciphertext on a second core (entry of its own bundle, dist/digest/). It
 * receives the buffers the file writer has written, transferred in the order written, hashes each and frees
 * it, acknowledging each (the sender's back-pressure); on `end` it posts the digest.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { freeBuffer } from '../../util/owned-chunks.js';
import type { DigestMessage, DigestReply } from './written-digest.js';

const port = parentPort;
if (!port) throw new Error('the digest runs as a worker thread');
const hash = createHash('sha256');
const reply = (message: DigestReply) => port.postMessage(message);

port.on('message', (message: DigestMessage) => {
  if (message.kind === 'data') {
    const view = new Uint8Array(message.data);
    hash.update(view);
    freeBuffer(view);
    reply({ kind: 'ack' });
  } else reply({ kind: 'digest', hex: hash.digest('hex') });
});
