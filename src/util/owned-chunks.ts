/**
 * Freeing a stream's buffers as soon as their last reader is done with them. A buffer left to the garbage
 * collector counts as external memory until then, and each few dozen MiB of it starts a full collection of
 * the heap: at 1 GiB a verify ran 59 of them, a fifth of its CPU (docs/BENCHMARKS.md). Freeing is only for
 * a buffer its owner has handed over whole: it detaches the buffer's memory, so every view of it becomes empty.
 */
import type { Readable } from 'node:stream';

const owned = new WeakSet<Readable>();

/**
 * Marks `stream` as one whose every chunk is a buffer of its own that nothing else holds once it is read,
 * so that the chunk's last reader may free it (freeBuffer). Only for a stream whose producer keeps no
 * reference to what it emits, and whose chunks go to one reader.
 */
export function withOwnedChunks<T extends Readable>(stream: T): T {
  owned.add(stream);
  return stream;
}

/**
 * Marks `stage`, which passes each chunk of `source` on unchanged and keeps none, as `source` is marked:
 * the chunks stay their last reader's to free. Returns `stage`.
 */
export function passOwnedChunks<T extends Readable>(source: Readable, stage: T): T {
  return hasOwnedChunks(source) ? withOwnedChunks(stage) : stage;
}

/** Whether `stream` was marked by withOwnedChunks. */
export function hasOwnedChunks(stream: Readable): boolean {
  return owned.has(stream);
}

/**
 * Frees `data`'s memory now instead of at the next garbage collection. A view into a larger or shared
 * memory (a slice, a pooled small buffer) is left to the collector: freeing it would empty its neighbours.
 */
export function freeBuffer(data: Uint8Array): void {
  if (!spansItsMemory(data) || data.buffer.detached) return;
  data.buffer.transfer(0);
}

/** Whether `data` is all of its memory (not a slice, not a pooled small buffer, not shared memory). */
function spansItsMemory(data: Uint8Array): data is Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

/**
 * Memory holding `data`'s bytes to transfer to another thread: its own when it is all of it, otherwise a
 * copy, since transferring shared memory (a view into Node's small-buffer pool) would take its neighbours.
 */
export function memoryToTransfer(data: Uint8Array): ArrayBuffer {
  return spansItsMemory(data) ? data.buffer : new Uint8Array(data).buffer;
}

/** freeBuffer for each of `buffers`. */
export function freeBuffers(buffers: Uint8Array[]): void {
  for (const buffer of buffers) freeBuffer(buffer);
}

const readSoFar = new WeakMap<ArrayBuffer, number>();

/**
 * Frees the memory behind `piece` once pieces adding up to all of it have been passed here: for a reader
 * that is handed each byte of its producer's buffers once, sometimes as several views of one buffer
 * (gunzip fills an output buffer across several pushes when its input runs out mid-buffer). A buffer that
 * also holds bytes read elsewhere never adds up, and is left to the collector; so is Node's small-buffer
 * pool, which later allocations still share.
 */
export function freeOnceAllRead(piece: Uint8Array): void {
  const memory = piece.buffer;
  if (!(memory instanceof ArrayBuffer) || memory.detached || memory.byteLength <= Buffer.poolSize) return;
  const read = (readSoFar.get(memory) ?? 0) + piece.byteLength;
  if (read !== memory.byteLength) {
    readSoFar.set(memory, read);
    return;
  }
  readSoFar.delete(memory);
  memory.transfer(0);
}
