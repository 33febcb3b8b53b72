import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { PART_HEADROOM, largestUpload, planParts } from '../../../src/storage/part-size.js';
import { S3_PART_LIMITS } from '../../../src/storage/s3/s3-store.js';
import { AZURE_BLOCK_LIMITS } from '../../../src/storage/azure/azure-blob-store.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const configured = { partSize: 8 * MiB, queueSize: 4 };

describe('part sizes from the previous backup', () => {
  test.each([
    ['a first backup: the configured size', undefined, configured],
    ['a small one: the configured size', 1 * GiB, configured],
    ['39 GiB, exactly half of 10,000 × 8 MiB: still the configured size', 39.0625 * GiB, configured],
    ['100 GiB: 21 MiB parts, two in flight', 100 * GiB, { partSize: 21 * MiB, queueSize: 2 }],
    ['1 TiB: 210 MiB parts, two in flight', 1024 * GiB, { partSize: 210 * MiB, queueSize: 2 }],
    ['beyond S3: capped at 5 GiB parts', 40 * 1024 * GiB, { partSize: 5 * GiB, queueSize: 2 }],
  ])('%s', (_name, expected, plan) => {
    expect(planParts(configured, expected, S3_PART_LIMITS)).toEqual(plan);
  });

  test('the largest uploads: S3 about 48.8 TiB by part count (5 TiB is its object limit), Azure about 190.7 TiB', () => {
    expect(largestUpload(S3_PART_LIMITS) / 1024 ** 4).toBeCloseTo(48.83, 1);
    expect(largestUpload(AZURE_BLOCK_LIMITS) / 1024 ** 4).toBeCloseTo(190.73, 1);
  });

  test('property: a backup up to twice the previous one never needs more parts than the limit (below the largest part)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 * 1024 ** 4 }), fc.double({ min: 0, max: PART_HEADROOM, noNaN: true }), (previous, growth) => {
        const plan = planParts(configured, previous, S3_PART_LIMITS);
        expect(Math.ceil((previous * growth) / plan.partSize)).toBeLessThanOrEqual(S3_PART_LIMITS.maxParts);
        expect(plan.partSize % MiB).toBe(0);
        expect(plan.partSize * plan.queueSize).toBeLessThanOrEqual(Math.max(configured.partSize * configured.queueSize, 2 * plan.partSize));
      }),
    );
  });
});
