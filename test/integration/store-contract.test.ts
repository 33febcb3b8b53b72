/** The BackupStore contract on every store: a local directory, S3 on moto, and the in-memory reference. */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { LocalDirectoryStore } from '../../src/storage/local-store.js';
import { S3BackupStore } from '../../src/storage/s3-store.js';
import { retentionLockContract, storeContract } from '../contract/store-contract.js';
import { MemoryStore } from '../harness/memory-store.js';
import { startMoto, type MotoServer } from '../harness/moto.js';

const MiB = 1024 * 1024;
let moto: MotoServer;
let dirs: string[] = [];
let n = 0;

beforeAll(async () => {
  moto = await startMoto();
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'contract' }));
}, 60000);

afterAll(async () => {
  await moto?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

storeContract('local directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  dirs.push(dir);
  return { store: new LocalDirectoryStore(join(dir, 'backups')) };
});

// 5 MiB parts, so the large object is a multipart upload with a composite checksum.
storeContract('S3 (moto)', async () => ({
  store: new S3BackupStore({ client: moto.s3(), bucket: 'contract', prefix: `run-${++n}/`, partSize: 5 * MiB, queueSize: 2 }),
}));

storeContract('in memory', async () => ({ store: new MemoryStore() }));

retentionLockContract('in memory', async () => {
  const store = new MemoryStore();
  return { store, lock: async (key: string) => store.lock(key) };
});
