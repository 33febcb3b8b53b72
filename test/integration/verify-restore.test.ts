/**
 * verify and restore-test against two independent raft OpenBao servers (source and staging, each with
 * its own unseal keys) and a real S3 server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ChunkAuthenticationError, UnknownKeyIdError, WrongKeyError } from '../../src/crypto/errors.js';
import { IntegrityError, RestoreError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { canonicalSha256 } from '../../src/jobs/restore-test.js';
import { BackupNotFoundError, ManifestMissingError } from '../../src/catalog/stored-backup.js';
import { StaleBackupError } from '../../src/jobs/verify.js';
import { MemoryLogger } from '../../src/log.js';
import { startFaultProxy, type FaultProxy } from '../fakes/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { collect } from '../unit/crypto-helpers.js';
import { createTestIssuer } from '../fakes/oidc-issuer.js';

const KEY = `prod-2025=${Buffer.alloc(32, 3).toString('base64')}`;
const AUDIENCE = 'https://github.com/acme';
const issuer = createTestIssuer();
const CANARY = { owner: 'platform', value: 'restore-me-if-you-can' };
let source: VaultServer;
let staging: VaultServer;
let moto: MotoServer;
let backupKey: string;
let olderKey: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [source, staging, moto] = await Promise.all([startVaultServer({ name: 'source' }), startVaultServer({ name: 'staging' }), startMoto()]);
  Object.assign(process.env, moto.env());
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'vault' }));
  await source.writeSecret('canary', CANARY);
  await source.writeSecret('team/db', { password: 'correct horse' });
  await staging.writeSecret('staging-marker', { untouched: 'yes' });
  // The source's JWT auth comes along in the backup: the restore test logs in to the restored data with it.
  await source.enableJwtAuth(issuer.publicKeyPem, AUDIENCE);
  const backup = (clock?: () => Date) =>
    runCommand(
      'backup',
      { target: 's3://vault/eu1', 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY },
      { log: new MemoryLogger(), ...(clock ? { clock } : {}) },
    );
  const older = await backup(() => new Date(Date.now() - 3600_000));
  const latest = await backup();
  if (latest.command !== 'backup' || older.command !== 'backup') throw new Error('backup failed');
  backupKey = latest.backup.objectKey;
  olderKey = older.backup.objectKey;
}, 90000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([source?.stop(), staging?.stop(), moto?.stop()]);
});

const common = () => ({ target: 's3://vault/eu1', 'encryption-keyring': KEY });
const verify = (extra: Record<string, string> = {}, now?: Date) =>
  runCommand('verify', { ...common(), ...extra }, { log: new MemoryLogger(), ...(now ? { clock: () => now } : {}) });

describe('verify', () => {
  it('checks the latest backup completely', async () => {
    const r = await verify();
    if (r.command !== 'verify') throw new Error('wrong result');
    expect(r.verify.key).toBe(backupKey);
    expect(r.verify.snapshot.meta.Index).toBeGreaterThan(0);
    expect(r.verify.ageHours).toBeLessThan(1);
  });

  it('a wrong key and an unknown key id fail with distinct errors', async () => {
    await expect(verify({ 'encryption-keyring': `prod-2025=${Buffer.alloc(32, 4).toString('base64')}` })).rejects.toBeInstanceOf(WrongKeyError);
    await expect(verify({ 'encryption-keyring': `other=${Buffer.alloc(32, 3).toString('base64')}` })).rejects.toBeInstanceOf(UnknownKeyIdError);
  });

  it('a store with no recent backup fails the freshness check', async () => {
    await expect(verify({}, new Date(Date.now() + 30 * 3600_000))).rejects.toBeInstanceOf(StaleBackupError);
  });

  it('a backup corrupted in transit is caught by the S3 checksum, and without it by decryption', async () => {
    const proxy = await startFaultProxy(moto.endpoint, [{ method: 'GET', path: /vault-snapshot-.*\.enc/, fault: { kind: 'corrupt-at', offset: 5000 } }]);
    try {
      await expect(verify({ 's3-endpoint': proxy.url })).rejects.toBeInstanceOf(IntegrityError);
      await expect(verify({ 's3-endpoint': proxy.url, 's3-checksum': 'when-required' })).rejects.toBeInstanceOf(ChunkAuthenticationError);
    } finally {
      await proxy.close();
    }
  });

  it('a replaced object fails the stored-checksum check; a missing manifest is its own error', async () => {
    const s3 = moto.s3();
    const key = `eu1/${olderKey}`;
    const original = await collect((await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: key }))).Body as Readable);
    const manifestKey = key.replace(/\.enc$/, '.json');
    const manifest = await collect((await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: manifestKey }))).Body as Readable);
    try {
      const flipped = Buffer.from(original);
      flipped[flipped.length - 40]! ^= 1;
      await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: key, Body: flipped, ChecksumAlgorithm: 'SHA256' }));
      await expect(verify({ backup: olderKey })).rejects.toBeInstanceOf(IntegrityError);

      await s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: manifestKey }));
      await expect(verify({ backup: olderKey })).rejects.toBeInstanceOf(ManifestMissingError);
      await expect(verify({ backup: 'daily/2001-01-01/vault-snapshot-20010101-000000.enc' })).rejects.toBeInstanceOf(BackupNotFoundError);
    } finally {
      await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: key, Body: original }));
      await s3.send(new PutObjectCommand({ Bucket: 'vault', Key: manifestKey, Body: manifest }));
    }
  });
});

describe('restore-test', () => {
  let stagingProxy: FaultProxy;
  beforeAll(async () => {
    stagingProxy = await startFaultProxy(staging.addr);
  });
  afterAll(async () => stagingProxy?.close());

  const restoreInputs = (extra: Record<string, string> = {}) => ({
    ...common(),
    'vault-address': source.addr,
    'staging-vault-address': stagingProxy.url,
    'staging-vault-token': staging.rootToken,
    'restored-vault-token': source.rootToken,
    'source-unseal-keys': source.unsealKeys.join('\n'),
    'canary-paths': 'secret/canary\nsecret/team/db',
    'canary-sha256': `secret/canary=${canonicalSha256(CANARY)}`,
    'restore-timeout-seconds': '60',
    ...extra,
  });

  it('refuses to restore into the source address', async () => {
    const run = runCommand('restore-test', restoreInputs({ 'staging-vault-address': source.addr }), { log: new MemoryLogger(), env: process.env });
    await expect(run).rejects.toBeInstanceOf(RestoreError);
    await expect(run).rejects.toThrow(/is the source cluster's address/);
  });

  it('a corrupted backup never reaches staging', async () => {
    const proxy = await startFaultProxy(moto.endpoint, [{ method: 'GET', path: /vault-snapshot-.*\.enc/, fault: { kind: 'corrupt-at', offset: 3000 } }]);
    try {
      stagingProxy.seen.length = 0;
      await expect(
        runCommand('restore-test', restoreInputs({ 's3-endpoint': proxy.url, 's3-checksum': 'when-required' }), { log: new MemoryLogger(), env: process.env }),
      ).rejects.toBeInstanceOf(ChunkAuthenticationError);
      expect(stagingProxy.seen.filter((r) => r.path.includes('raft/snapshot'))).toEqual([]);
      expect(await staging.readSecret('staging-marker')).toEqual({ untouched: 'yes' });
    } finally {
      await proxy.close();
    }
  });

  it('a canary hash that does not match fails after the restore', async () => {
    // Uses its own staging server so the main rehearsal below starts from a clean one.
    const scratch = await startVaultServer({ name: 'scratch' });
    try {
      const run = runCommand(
        'restore-test',
        restoreInputs({ 'staging-vault-address': scratch.addr, 'staging-vault-token': scratch.rootToken, 'canary-sha256': `secret/canary=${'0'.repeat(64)}` }),
        { log: new MemoryLogger() },
      );
      await expect(run).rejects.toThrow(/restored with a different value than expected/);
    } finally {
      await scratch.stop();
    }
  }, 90000);

  it('restores the latest backup into staging, unseals it with the source keys, logs in with OIDC and reads the canaries', async () => {
    const log = new MemoryLogger();
    // No restored token: log in to the restored data as the workflow would, with a GitHub OIDC token and the source's JWT role.
    const { 'restored-vault-token': _unused, ...viaJwt } = restoreInputs({
      'restored-login': 'source-auth',
      'vault-auth-method': 'jwt',
      'vault-jwt-role': 'backup',
      'vault-jwt': issuer.githubToken(AUDIENCE),
    });
    const r = await runCommand('restore-test', viaJwt, { log, env: process.env });
    if (r.command !== 'restore-test') throw new Error('wrong result');
    const t = r.restoreTest;
    expect(t.backupKey).toBe(backupKey);
    expect(t.unsealedWithSourceKeys).toBe(true);
    expect(t.canaries).toEqual([
      { path: 'secret/canary', found: true, hashChecked: true },
      { path: 'secret/team/db', found: true, hashChecked: false },
    ]);
    expect(t.timings.totalMs).toBeGreaterThanOrEqual(t.timings.restoreMs + t.timings.unsealMs);
    expect(t.rpoHours).toBeLessThan(1);
    // Staging now holds the source's data, and the forced restore went through the recorded proxy.
    expect(stagingProxy.seen.some((s) => s.method === 'POST' && s.path.includes('snapshot-force'))).toBe(true);
    const read = await fetch(`${staging.addr}/v1/secret/data/canary`, { headers: { 'X-Vault-Token': source.rootToken } });
    expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual(CANARY);
    const text = log.lines.join('\n');
    for (const secret of [source.rootToken, staging.rootToken, ...source.unsealKeys, CANARY.value]) expect(text).not.toContain(secret);
  }, 120000);
});
