import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/util/owned-chunks.ts
const owned = new WeakSet();
/**
 * Marks `stream` as one whose every chunk is a buffer of its own that nothing else holds once it is read,
 * so that the chunk's last reader may free it (freeBuffer). Only for a stream whose producer keeps no
 * reference to what it emits, and whose chunks go to one reader.
 */
function withOwnedChunks(stream) {
    owned.add(stream);
    return stream;
}
/**
 * Marks `stage`, which passes each chunk of `source` on unchanged and keeps none, as `source` is marked:
 * the chunks stay their last reader's to free. Returns `stage`.
 */
function passOwnedChunks(source, stage) {
    return hasOwnedChunks(source) ? withOwnedChunks(stage) : stage;
}
/** Whether `stream` was marked by withOwnedChunks. */
function hasOwnedChunks(stream) {
    return owned.has(stream);
}
/**
 * Frees `data`'s memory now instead of at the next garbage collection. A view into a larger or shared
 * memory (a slice, a pooled small buffer) is left to the collector: freeing it would empty its neighbours.
 */
function freeBuffer(data) {
    if (!spansItsMemory(data) || data.buffer.detached)
        return;
    data.buffer.transfer(0);
}
/** Whether `data` is all of its memory (not a slice, not a pooled small buffer, not shared memory). */
function spansItsMemory(data) {
    return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}
/**
 * Memory holding `data`'s bytes to transfer to another thread: its own when it is all of it, otherwise a
 * copy, since transferring shared memory (a view into Node's small-buffer pool) would take its neighbours.
 */
function memoryToTransfer(data) {
    return spansItsMemory(data) ? data.buffer : new Uint8Array(data).buffer;
}
/** freeBuffer for each of `buffers`. */
function freeBuffers(buffers) {
    for (const buffer of buffers)
        freeBuffer(buffer);
}
const readSoFar = new WeakMap();
/**
 * Frees the memory behind `piece` once pieces adding up to all of it have been passed here: for a reader
 * that is handed each byte of its producer's buffers once, sometimes as several views of one buffer
 * (gunzip fills an output buffer across several pushes when its input runs out mid-buffer). A buffer that
 * also holds bytes read elsewhere never adds up, and is left to the collector; so is Node's small-buffer
 * pool, which later allocations still share.
 */
function freeOnceAllRead(piece) {
    const memory = piece.buffer;
    if (!(memory instanceof ArrayBuffer) || memory.detached || memory.byteLength <= Buffer.poolSize)
        return;
    const read = (readSoFar.get(memory) ?? 0) + piece.byteLength;
    if (read !== memory.byteLength) {
        readSoFar.set(memory, read);
        return;
    }
    readSoFar.delete(memory);
    memory.transfer(0);
}

;// CONCATENATED MODULE: ./src/storage/local/digest-worker.ts
/**
 * The SHA-256 of a local backup's ciphertext on a second core (entry of its own bundle, dist/digest/). It
 * receives the buffers the file writer has written, transferred in the order written, hashes each and frees
 * it, acknowledging each (the sender's back-pressure); on `end` it posts the digest.
 */



const port = external_node_worker_threads_namespaceObject.parentPort;
if (!port)
    throw new Error('the digest runs as a worker thread');
const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
const reply = (message) => port.postMessage(message);
port.on('message', (message) => {
    if (message.kind === 'data') {
        const view = new Uint8Array(message.data);
        hash.update(view);
        freeBuffer(view);
        reply({ kind: 'ack' });
    }
    else
        reply({ kind: 'digest', hex: hash.digest('hex') });
});

