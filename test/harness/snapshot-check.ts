/** A whole snapshot archive stream checked by the production validator, for tests. */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SnapshotArchiveValidator, type ValidatedSnapshot } from '../../src/snapshot/archive-validator.js';

export async function validateSnapshotStream(source: Readable): Promise<ValidatedSnapshot> {
  const validator = new SnapshotArchiveValidator({ archiveDigest: true });
  await pipeline(source, validator, async (stream) => {
    for await (const _ of stream) void _;
  });
  return validator.result!;
}
