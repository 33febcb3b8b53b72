/** Reads a small object's stream whole, stopping as soon as it is larger than the caller expects. */
import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';

export async function readAtMost(body: Readable, maxBytes: number, where: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new StorageError(`${where} is larger than the ${maxBytes} bytes expected`);
    }
    parts.push(buffer);
  }
  return Buffer.concat(parts);
}
