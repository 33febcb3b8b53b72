import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DirectFileWriter, openFileWriter } from '../../../../src/storage/local/direct-file-writer.js';
import { alignedSlabs, DIRECT_ALIGNMENT, DirectFile } from '../../../../src/storage/local/direct-io.js';
import { FileWriter } from '../../../../src/storage/local/file-writer.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'direct-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SLAB = 4 * DIRECT_ALIGNMENT;

/** `data` in pieces of irregular sizes, as a download delivers it. */
function pieces(data: Buffer): Readable {
  const out: Buffer[] = [];
  for (let at = 0, step = 1; at < data.length; at += step, step = (step * 7 + 3) % 9001) out.push(data.subarray(at, at + step));
  return Readable.from(out);
}

/** A writer on a new file opened for direct writes, with `slabs`; counts how often it fell back to the page cache. */
async function directWriter(slabs: Buffer[]) {
  const path = join(dir, `file-${++count}`);
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT, 0o600);
  const seen: Buffer[] = [];
  const state = { reopened: 0 };
  const writer = new DirectFileWriter(
    new DirectFile(handle, () => {
      state.reopened++;
      return open(path, constants.O_WRONLY);
    }),
    slabs,
    (buffers) => void seen.push(...buffers),
  );
  return { path, writer, seen, state };
}

it('the test directory takes O_DIRECT, so a local store writes directly there (as on a runner disk)', async () => {
  const writer = await openFileWriter(join(dir, 'probe'));
  expect(writer).toBeInstanceOf(DirectFileWriter);
  expect(writer).not.toBeInstanceOf(FileWriter);
  await pipeline(Readable.from([Buffer.from('x')]), writer);
  expect(await readFile(join(dir, 'probe'), 'utf8')).toBe('x');
});

it('refuses to replace a file that exists (a backup never overwrites another)', async () => {
  await pipeline(Readable.from([Buffer.from('first')]), await openFileWriter(join(dir, 'taken')));
  await expect(openFileWriter(join(dir, 'taken'))).rejects.toMatchObject({ code: 'EEXIST' });
  expect(await readFile(join(dir, 'taken'), 'utf8')).toBe('first');
});

describe.each([0, 1, DIRECT_ALIGNMENT - 1, DIRECT_ALIGNMENT, DIRECT_ALIGNMENT + 1, SLAB - 1, SLAB, SLAB + 1, 2 * SLAB, 5 * SLAB + 4321])(
  'a stream of %i bytes',
  (size) => {
    const data = randomBytes(size);

    it('is the file, byte for byte, written directly, and each chunk reaches the callback in order', async () => {
      const { path, writer, seen, state } = await directWriter(alignedSlabs(2, SLAB));
      await pipeline(pieces(data), writer);
      expect((await readFile(path)).equals(data)).toBe(true);
      expect(Buffer.concat(seen).equals(data)).toBe(true);
      expect(state.reopened).toBe(0);
    });

    it('is the file also where a direct write is refused (memory the disk does not take): the rest goes through the page cache', async () => {
      // Views one byte into a buffer: not on a block boundary, so the kernel refuses them for O_DIRECT.
      const misaligned = [0, 1].map(() => Buffer.alloc(SLAB + 1).subarray(1));
      const { path, writer, seen, state } = await directWriter(misaligned);
      await pipeline(pieces(data), writer);
      expect((await readFile(path)).equals(data)).toBe(true);
      expect(Buffer.concat(seen).equals(data)).toBe(true);
      expect(state.reopened).toBe(size ? 1 : 0);
    });
  },
);

it('reports a write the file does not take, and writes no more', async () => {
  const path = join(dir, `file-${++count}`);
  await (await open(path, 'w')).close();
  // Opened for reading only: every write fails with EBADF.
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECT);
  const writer = new DirectFileWriter(new DirectFile(handle, () => open(path, constants.O_RDONLY)), alignedSlabs(2, SLAB), undefined);
  await expect(pipeline(pieces(randomBytes(3 * SLAB)), writer)).rejects.toMatchObject({ code: 'EBADF' });
  expect((await readFile(path)).length).toBe(0);
});

it('through the page cache (where O_DIRECT is refused), flushes to disk while it writes', async () => {
  const path = join(dir, `file-${++count}`);
  const writer = new FileWriter(await open(path, 'wx', 0o600));
  const data = randomBytes(SLAB + 10);
  writer.write(data.subarray(0, SLAB));
  await writer.flushEarly();
  writer.end(data.subarray(SLAB));
  await new Promise((resolve) => writer.on('finish', resolve));
  expect((await readFile(path)).equals(data)).toBe(true);
});

it('gives each slab of staging memory on a block boundary, a whole number of blocks long', () => {
  const slabs = alignedSlabs(3, SLAB);
  expect(slabs.map((slab) => slab.length)).toEqual([SLAB, SLAB, SLAB]);
  expect(new Set(slabs.map((slab) => slab.buffer)).size).toBe(1);
  expect(slabs.map((slab) => slab.byteOffset)).toEqual([0, SLAB, 2 * SLAB]);
});
