import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { InThreadDigest, OffThreadDigest, type WrittenDigest } from '../../../../src/storage/local/written-digest.js';
import { workerBundle } from '../../../../src/util/worker-bundle.js';

const workerFile = workerBundle('digest');

/** A buffer with memory of its own, as the encryptor's chunks are. */
function owned(size: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(size);
  randomBytes(size).copy(buffer);
  return buffer;
}

it('the digest thread is built (dist/digest), so the off-thread digest below is what a backup uses', () => {
  expect(workerFile).toBeDefined();
});

describe.each<[string, () => WrittenDigest]>([
  ['on the digest thread', () => new OffThreadDigest(workerFile!)],
  ['in this thread', () => new InThreadDigest(true)],
])('the digest of written buffers %s', (_where, make) => {
  it('is the SHA-256 of every buffer taken, in order, whatever their memory', async () => {
    const shared = owned(3000);
    const buffers = [
      owned(1024 * 1024),
      Buffer.from('tag-from-the-pool'), // a view into Node's small-buffer pool
      shared.subarray(100, 2000), // a view into a larger buffer
      owned(1),
      owned(777_777),
      Buffer.alloc(0),
    ];
    const expected = createHash('sha256');
    for (const buffer of buffers) expected.update(buffer);
    const want = expected.digest('hex');
    const digest = make();
    await digest.take(buffers.slice(0, 3));
    await digest.take(buffers.slice(3));
    expect(await digest.digest()).toBe(want);
    digest.destroy();
    // Whole buffers are freed once taken; views keep their memory, which their neighbours share.
    expect(buffers[0]!.length).toBe(0);
    expect(buffers[4]!.length).toBe(0);
    expect(buffers[1]!.toString()).toBe('tag-from-the-pool');
    expect(shared.length).toBe(3000);
  });

  it('takes many more buffers than it holds in flight (it waits, then goes on)', async () => {
    const buffers = Array.from({ length: 40 }, () => owned(64 * 1024 + 3));
    const expected = createHash('sha256');
    for (const buffer of buffers) expected.update(buffer);
    const want = expected.digest('hex');
    const digest = make();
    for (let at = 0; at < buffers.length; at += 5) await digest.take(buffers.slice(at, at + 5));
    expect(await digest.digest()).toBe(want);
  });
});

describe('the digest thread stopped before the end', () => {
  it('refuses what follows and gives no digest', async () => {
    const digest = new OffThreadDigest(workerFile!);
    await digest.take([owned(1000)]);
    digest.destroy();
    await expect(digest.take([owned(1000)])).rejects.toThrow('the digest was stopped');
    await expect(digest.digest()).rejects.toThrow('the digest was stopped');
  });
});
