import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProgressMeter } from '../../src/util/progress-meter.js';

const pieces = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000 + i * 37, i));
const whole = Buffer.concat(pieces);

async function readsOf(meter: ProgressMeter): Promise<Buffer[]> {
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

describe('ProgressMeter', () => {
  it('passes everything on unchanged and counts it', async () => {
    const meter = new ProgressMeter();
    const reads = await readsOf(meter);
    expect(Buffer.concat(reads).equals(whole)).toBe(true);
    expect(meter.byteCount).toBe(whole.length);
  });

  it('reports progress on the clock it is given, not on every chunk', async () => {
    let now = 0;
    const reported: number[] = [];
    const meter = new ProgressMeter({ onProgress: (bytes) => reported.push(bytes), now: () => (now += 400), reportEveryMs: 1000 });
    await readsOf(meter);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.length).toBeLessThan(pieces.length);
    expect(reported.at(-1)).toBeLessThanOrEqual(whole.length);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
  });
});
