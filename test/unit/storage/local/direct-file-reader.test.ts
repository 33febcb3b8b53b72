import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DirectFileReader, openFileReader } from '../../../../src/storage/local/direct-file-reader.js';
import { alignedSlabs, DIRECT_ALIGNMENT, DirectFile } from '../../../../src/storage/local/direct-io.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'direct-reader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SLAB = 4 * DIRECT_ALIGNMENT;
const CHUNK = 3000;

async function fileOf(data: Buffer): Promise<string> {
  const path = join(dir, `file-${++count}`);
  await writeFile(path, data);
  return path;
}

/** Every chunk as the stream pushed it (as a pipeline gets them; an async iterator would join them). */
function readAll(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(chunks));
    stream.on('error', reject);
  });
}

/** A reader of `path` opened for direct reads, with `slabs`; counts how often it fell back to the page cache. */
async function directReader(path: string, slabs: Buffer[]) {
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECT);
  const state = { reopened: 0 };
  const { size } = await handle.stat();
  const reader = new DirectFileReader(
    new DirectFile(handle, () => {
      state.reopened++;
      return open(path, 'r');
    }),
    size,
    slabs,
    CHUNK,
  );
  return { reader, state, handle };
}

it('the test directory takes O_DIRECT, so a local store reads directly there (as on a runner disk)', async () => {
  const path = await fileOf(Buffer.from('x'));
  const reader = await openFileReader(path, CHUNK);
  expect(reader).toBeInstanceOf(DirectFileReader);
  expect(Buffer.concat(await readAll(reader)).toString()).toBe('x');
});

it('a file that does not exist fails as the file system says', async () => {
  await expect(openFileReader(join(dir, 'missing'), CHUNK)).rejects.toMatchObject({ code: 'ENOENT' });
});

describe.each([0, 1, DIRECT_ALIGNMENT - 1, DIRECT_ALIGNMENT, DIRECT_ALIGNMENT + 1, SLAB - 1, SLAB, SLAB + 1, 3 * SLAB, 7 * SLAB + 4321])(
  'a file of %i bytes',
  (size) => {
    const data = randomBytes(size);

    it('is read whole, directly, in chunks of the chunk size that are all of their memory', async () => {
      const { reader, state } = await directReader(await fileOf(data), alignedSlabs(3, SLAB));
      const chunks = await readAll(reader);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      expect(chunks.every((chunk) => chunk.length > 0 && chunk.length <= CHUNK && chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length)).toBe(
        true,
      );
      expect(state.reopened).toBe(0);
    });

    it('is read whole also where a direct read is refused (memory the disk does not take): the rest comes through the page cache', async () => {
      const misaligned = [0, 1, 2].map(() => Buffer.alloc(SLAB + 1).subarray(1));
      const { reader, state } = await directReader(await fileOf(data), misaligned);
      expect(Buffer.concat(await readAll(reader)).equals(data)).toBe(true);
      expect(state.reopened).toBe(size ? 1 : 0);
    });
  },
);

it('ends where the file ends when it became shorter after it was opened', async () => {
  const data = randomBytes(5 * SLAB);
  const path = await fileOf(data);
  const { reader } = await directReader(path, alignedSlabs(2, SLAB));
  await truncate(path, 2 * SLAB + 100);
  expect(Buffer.concat(await readAll(reader)).equals(data.subarray(0, 2 * SLAB + 100))).toBe(true);
});

it('reports a read the file refuses', async () => {
  const path = await fileOf(randomBytes(3 * SLAB));
  // Opened for writing only: every read fails with EBADF.
  const handle = await open(path, constants.O_WRONLY | constants.O_DIRECT);
  const reader = new DirectFileReader(new DirectFile(handle, () => open(path, constants.O_WRONLY)), 3 * SLAB, alignedSlabs(2, SLAB), CHUNK);
  await expect(readAll(reader)).rejects.toMatchObject({ code: 'EBADF' });
});

it('stops reading and closes the file when its reader stops early', async () => {
  const path = await fileOf(randomBytes(20 * SLAB));
  const { reader, handle } = await directReader(path, alignedSlabs(3, SLAB));
  const first = await new Promise<Buffer>((resolve) => reader.once('data', resolve));
  expect(first.length).toBe(CHUNK);
  reader.destroy();
  await new Promise((resolve) => reader.once('close', resolve));
  expect(handle.fd).toBe(-1);
});
