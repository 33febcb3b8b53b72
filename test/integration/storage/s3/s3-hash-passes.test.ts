/**
 * How many times an upload to S3 hashes each byte with SHA-256: once for the manifest's digest of the
 * whole object, once per part (which serves the part's S3 checksum, its SigV4 payload hash and the
 * composite). Left to itself, the SDK hashes every part twice more. Counted in a child process on the
 * real SDK against moto (test/tools/count-s3-hashing.mts).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMoto, type MotoServer } from '../../../harness/moto.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
}, 60000);
afterAll(async () => moto?.stop());

it('an upload in parts hashes each byte twice with SHA-256 (the whole object and its part), not four times', () => {
  const script = fileURLToPath(new URL('../../../tools/count-s3-hashing.mts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, moto.endpoint], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const counted = JSON.parse(out) as { perByte: number; parts: number };
  expect(counted.parts).toBe(4);
  // The create and complete requests hash a few hundred bytes more.
  expect(counted.perByte).toBeGreaterThanOrEqual(2);
  expect(counted.perByte).toBeLessThan(2.01);
}, 60000);
