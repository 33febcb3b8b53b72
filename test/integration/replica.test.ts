/**
 * The second copy: S3 primary (moto), Azure Blob replica (Azurite), from a real OpenBao. The replica is
 * proven by its own store's checksum and verifiable as a target of its own; a tampered replica is caught
 * there; a replica that fails fails the run with its own error and leaves the primary backup complete.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { ReplicaError } from '../../src/replica/replicate.js';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from '../harness/azurite.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';

const KEY = `replica-2026=${Buffer.alloc(32, 6).toString('base64')}`;
let bao: VaultServer;
let moto: MotoServer;
let azurite: AzuriteServer;
const env: Record<string, string | undefined> = {};

beforeAll(async () => {
  [bao, moto, azurite] = await Promise.all([startVaultServer({ name: 'replica' }), startMoto(), startAzurite()]);
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'primary' }));
  await azurite.service().getContainerClient('replica').create();
  // The S3 SDK takes its credentials from the environment, as on a runner after configure-aws-credentials.
  for (const [name, value] of Object.entries(moto.env())) {
    env[name] = process.env[name];
    process.env[name] = value;
  }
}, 90000);

afterAll(async () => {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all([bao?.stop(), moto?.stop(), azurite?.stop()]);
});

const AT = new Date('2026-11-01T02:00:00Z');
const NOW = '2026-11-01T03:00:00Z';
const s3 = () => ({ 's3-endpoint': moto.endpoint, 's3-region': 'us-east-1' });
const azure = () => ({ 'azure-connection-string': azurite.connectionString });
const primary = () => ({ target: 's3://primary/prod', ...s3() });
const replicaTarget = (container = 'replica') => `az://${AZURITE_ACCOUNT}/${container}/prod`;
const backupAt = (at: Date, extra: Record<string, string>) =>
  runCommand(
    'backup',
    { ...primary(), ...azure(), 'vault-address': bao.addr, 'vault-auth-method': 'token', 'vault-token': bao.rootToken, 'encryption-key': KEY, ...extra },
    {
      log: new MemoryLogger(),
      clock: () => at,
    },
  );

it('copies a committed backup (and its monthly copy) to the replica, proven there, and verifiable on either target', async () => {
  const r = await backupAt(AT, { 'replica-target': replicaTarget() });
  if (r.command !== 'backup') throw new Error('wrong result');
  expect(r.backup.storedChecksum.algorithm).toMatch(/^SHA256/);
  expect(r.backup.replica).toEqual({
    location: `${replicaTarget()}/`,
    objectKey: r.backup.objectKey,
    storedChecksum: { algorithm: 'MD5', value: expect.any(String) },
    monthlyKey: 'monthly/2026-11/vault-snapshot-20261101-020000.enc',
  });
  for (const target of [primary(), { target: replicaTarget(), ...azure() }]) {
    for (const backup of ['latest', 'latest-monthly']) {
      const v = await runCommand('verify', { ...target, 'encryption-keyring': KEY, backup, now: NOW }, { log: new MemoryLogger() });
      expect(v.command === 'verify' && v.verify.backupId).toBe(r.backup.backupId);
    }
  }
  const listed = await runCommand('list', { target: replicaTarget(), ...azure(), now: NOW }, { log: new MemoryLogger() });
  expect(listed.command === 'list' && listed.list.backups.map((b) => [b.tier, b.complete])).toEqual([
    ['daily', true],
    ['monthly', true],
  ]);
}, 120000);

it('a tampered replica object is caught by verify on the replica; the primary still verifies', async () => {
  const blob = azurite.service().getContainerClient('replica').getBlockBlobClient('prod/daily/2026-11-01/vault-snapshot-20261101-020000.enc');
  const data = await blob.downloadToBuffer();
  data[200] = data[200]! ^ 0x80;
  const props = await blob.getProperties();
  const id = Buffer.from('tampered').toString('base64');
  await blob.stageBlock(id, data, data.length);
  await blob.commitBlockList([id], { blobHTTPHeaders: { blobContentMD5: props.contentMD5 } });
  await expect(runCommand('verify', { target: replicaTarget(), ...azure(), 'encryption-keyring': KEY, now: NOW }, { log: new MemoryLogger() })).rejects.toThrow(
    /vault-snapshot-20261101-020000\.enc/,
  );
  const v = await runCommand('verify', { ...primary(), 'encryption-keyring': KEY, now: NOW }, { log: new MemoryLogger() });
  expect(v.command).toBe('verify');
}, 60000);

it('a replica that cannot be written fails the run with its own error; the primary backup is complete', async () => {
  const at = new Date('2026-11-02T02:00:00Z');
  const run = backupAt(at, { 'replica-target': replicaTarget('no-such-container') });
  await expect(run).rejects.toBeInstanceOf(ReplicaError);
  await expect(run).rejects.toThrow(
    /the replica target az:\/\/devstoreaccount1\/no-such-container\/prod\/ cannot be used: container no-such-container does not exist/,
  );
  const listed = await runCommand('list', { ...primary(), now: '2026-11-02T03:00:00Z' }, { log: new MemoryLogger() });
  expect(listed.command === 'list' && listed.list.backups.find((b) => b.key === 'daily/2026-11-02/vault-snapshot-20261102-020000.enc')?.complete).toBe(true);
}, 60000);
