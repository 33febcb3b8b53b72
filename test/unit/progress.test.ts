import { expect, it } from '@jest/globals';
import { progressLine } from '../../src/log.js';

const MiB = 1024 * 1024;

it.each([
  ['against the previous size: percent and time left', 1024 * MiB, 20_000, 4096 * MiB, '1.0 GiB of ~4.0 GiB (25%, about 60.0 s left) at 51.2 MiB/s'],
  ['past the previous size: no percent', 5000 * MiB, 100_000, 4096 * MiB, '4.9 GiB at 50.0 MiB/s'],
  ['a first backup: nothing to compare with', 100 * MiB, 10_000, undefined, '100.0 MiB at 10.0 MiB/s'],
])('%s', (_name, bytes, elapsed, expected, line) => {
  expect(progressLine(bytes, elapsed, expected)).toBe(line);
});
