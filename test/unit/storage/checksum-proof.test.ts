import { describe, expect, test } from '@jest/globals';
import { copyProblem, uploadProblem } from '../../../src/storage/checksum-proof.js';
import type { ObjectChecksum } from '../../../src/storage/backup-store.js';

const whole: ObjectChecksum = { algorithm: 'SHA256', value: 'd2hvbGU=' };
const composite: ObjectChecksum = { algorithm: 'SHA256-COMPOSITE', value: 'Y29tcG9zaXRl', parts: 3 };
const SHA_HEX = Buffer.from('whole').toString('hex');

describe('upload proof', () => {
  test.each([
    ['the same whole-object digest', whole, { size: 10, checksum: whole }, undefined],
    ['the same composite digest with its part count', composite, { size: 10, checksum: composite }, undefined],
    [
      'a composite digest the store labels as whole, without a part count',
      composite,
      { size: 10, checksum: { algorithm: 'SHA256' as const, value: composite.value } },
      undefined,
    ],
    ['missing', whole, undefined, 'is missing right after the upload'],
    ['another size', whole, { size: 9, checksum: whole }, 'is 9 bytes, but 10 were sent'],
    ['no checksum', whole, { size: 10, checksum: undefined }, 'has no SHA-256 checksum reported by the store, so the copy cannot be proven'],
    [
      'another digest',
      whole,
      { size: 10, checksum: { algorithm: 'SHA256' as const, value: 'b3RoZXI=' } },
      'has checksum SHA256 b3RoZXI=, but the bytes sent have SHA256 d2hvbGU=',
    ],
    [
      'the same digest in another number of parts',
      composite,
      { size: 10, checksum: { ...composite, parts: 4 } },
      'has checksum SHA256-COMPOSITE Y29tcG9zaXRl (4 parts), but the bytes sent have SHA256-COMPOSITE Y29tcG9zaXRl (3 parts)',
    ],
  ])('%s', (_name, sent, stored, problem) => {
    expect(uploadProblem({ size: 10, checksum: sent }, stored)).toBe(problem);
  });
});

describe('monthly copy proof', () => {
  const original = { size: 10, sha256Hex: SHA_HEX, storedChecksum: composite };
  test.each([
    ['a whole copy with the object SHA-256', { size: 10, checksum: whole }, undefined],
    ['a copy in parts with the upload composite', { size: 10, checksum: composite }, undefined],
    ['a copy in parts labelled whole', { size: 10, checksum: { algorithm: 'SHA256' as const, value: composite.value } }, undefined],
    ['another size', { size: 11, checksum: whole }, 'is 11 bytes, expected 10'],
    ['no checksum', { size: 10, checksum: undefined }, 'has no checksum reported by the store, so the copy cannot be proven'],
    ['another digest', { size: 10, checksum: { algorithm: 'SHA256' as const, value: 'b3RoZXI=' } }, 'has checksum SHA256 b3RoZXI=, expected d2hvbGU='],
    [
      'a composite that is not the upload one',
      { size: 10, checksum: { ...composite, value: 'b3RoZXI=' } },
      'has checksum SHA256-COMPOSITE b3RoZXI= (3 parts), expected Y29tcG9zaXRl',
    ],
  ])('%s', (_name, copy, problem) => {
    expect(copyProblem(copy, original)).toBe(problem);
  });
});
