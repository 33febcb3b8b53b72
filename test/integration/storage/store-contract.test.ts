/** The BackupStore contract on every store: a local directory, S3 on moto, Azure Blob on Azurite, Cloud Storage on fake-gcs-server, and the in-memory reference. */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { LocalDirectoryStore } from '../../../src/storage/local/local-store.js';
import { S3BackupStore } from '../../../src/storage/s3/s3-store.js';
import { retentionLockContract, storeContract } from '../../contract/store-contract.js';
import { MemoryStore } from '../../harness/memory-store.js';
import { startMoto, type MotoServer } from '../../harness/moto.js';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from '../../harness/azurite.js';
import { startFakeGcs, type FakeGcsServer } from '../../harness/fake-gcs.js';
import { AzureBlobStore } from '../../../src/storage/azure/azure-blob-store.js';
import { GcsBackupStore } from '../../../src/storage/gcs/gcs-store.js';

const MiB = 1024 * 1024;
let moto: MotoServer;
let azurite: AzuriteServer;
let gcs: FakeGcsServer;
let dirs: string[] = [];
let n = 0;

beforeAll(async () => {
  [moto, azurite, gcs] = await Promise.all([startMoto(), startAzurite(), startFakeGcs()]);
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'contract' }));
  await azurite.service().getContainerClient('contract').create();
  await gcs.storage().bucket('contract').create();
}, 60000);

afterAll(async () => {
  await Promise.all([moto?.stop(), azurite?.stop(), gcs?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

storeContract('local directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  dirs.push(dir);
  return { store: new LocalDirectoryStore(join(dir, 'backups')) };
});

// Early flushes to disk while writing (every 64 MiB in production) must not change what is stored.
storeContract('local directory, flushing every 256 KiB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  dirs.push(dir);
  return { store: new LocalDirectoryStore(join(dir, 'backups'), 256 * 1024) };
});

// 5 MiB parts, so the large object is a multipart upload with a composite checksum.
storeContract('S3 (moto)', async () => ({
  store: new S3BackupStore({ client: moto.s3(), bucket: 'contract', prefix: `run-${++n}/`, partSize: 5 * MiB, queueSize: 2 }),
}));

// 4 MiB blocks, so the large object is several staged blocks.
storeContract('Azure Blob (Azurite)', async () => ({
  store: new AzureBlobStore({
    container: azurite.service().getContainerClient('contract'),
    account: AZURITE_ACCOUNT,
    prefix: `run-${++n}/`,
    blockSize: 4 * MiB,
    queueSize: 2,
  }),
}));

// 2 MiB resumable chunks, so the large object takes several requests.
storeContract('Cloud Storage (fake-gcs-server)', async () => ({
  store: new GcsBackupStore({ bucket: gcs.storage().bucket('contract'), prefix: `run-${++n}/`, chunkSize: 2 * MiB }),
}));

storeContract('in memory', async () => ({ store: new MemoryStore() }));

retentionLockContract('in memory', async () => {
  const store = new MemoryStore();
  return { store, lock: async (key: string) => store.lock(key) };
});
