import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HashingMeter } from '../../src/util/hashing-meter.js';

const pieces = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000 + i * 37, i));
const whole = Buffer.concat(pieces);

/** What a reader that iterates the stream (as the S3 SDK's uploader does) receives, read by read. */
async function readsOf(meter: HashingMeter): Promise<Buffer[]> {
  const reads: Buffer[] = [];
  await pipeline(Readable.from(pieces), meter, async (stream) => {
    for await (const chunk of stream) {
      reads.push(chunk as Buffer);
      // A slow reader, so the meter has several chunks buffered at each read.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return reads;
}

describe('HashingMeter', () => {
  it('counts and hashes what passes through it', async () => {
    const meter = new HashingMeter();
    const reads = await readsOf(meter);
    expect(Buffer.concat(reads).equals(whole)).toBe(true);
    expect(meter.byteCount).toBe(whole.length);
    expect(meter.sha256()).toBe(createHash('sha256').update(whole).digest('hex'));
  });

  it('hands its reader each chunk as it came when asked to, instead of reads joined into new buffers', async () => {
    const joined = await readsOf(new HashingMeter());
    expect(joined.length).toBeLessThan(pieces.length); // a plain stream joins what it has buffered

    const meter = new HashingMeter({ chunkByChunk: true });
    const reads = await readsOf(meter);
    expect(reads.map((chunk) => chunk.length)).toEqual(pieces.map((piece) => piece.length));
    expect(Buffer.concat(reads).equals(whole)).toBe(true);
    expect(meter.sha256()).toBe(createHash('sha256').update(whole).digest('hex'));
  });

  it('reports progress on the clock it is given, not on every chunk', async () => {
    let now = 0;
    const reported: number[] = [];
    const meter = new HashingMeter({ onProgress: (bytes) => reported.push(bytes), now: () => (now += 400), reportEveryMs: 1000, hashing: false });
    await readsOf(meter);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.length).toBeLessThan(pieces.length);
    expect(() => meter.sha256()).toThrow(/does not hash/);
  });
});
