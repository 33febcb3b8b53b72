/**
 * The backup job end to end against a real raft OpenBao and a real S3 server (moto) on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BackupError, VaultError, SnapshotInvalidError, StorageError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { parseManifest } from '../../src/manifest/manifest.js';
import { validateSnapshotStream } from '../harness/snapshot-check.js';
import { startFaultProxy } from '../fakes/fault-proxy.js';
import { createTestIssuer } from '../fakes/oidc-issuer.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { waitFor } from '../harness/processes.js';
import { collect, decryptBuffer } from '../unit/crypto-helpers.js';

const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const AUDIENCE = 'https://github.com/acme';
let bao: VaultServer;
let moto: MotoServer;
const issuer = createTestIssuer();
const savedEnv = { ...process.env };

beforeAll(async () => {
  [bao, moto] = await Promise.all([startVaultServer({ name: 'source' }), startMoto()]);
  Object.assign(process.env, moto.env());
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'backups' }));
  await bao.writeSecret('canary', { value: 'alive' });
  await bao.enableJwtAuth(issuer.publicKeyPem, AUDIENCE);
}, 60000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([bao?.stop(), moto?.stop()]);
});

function inputs(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    target: 's3://backups/prod',
    'vault-address': bao.addr,
    'vault-auth-method': 'token',
    'vault-token': bao.rootToken,
    'encryption-key': `test-key-1=${KEY_B64}`,
    's3-part-size-mib': '5',
    ...overrides,
  };
}

const at = (iso: string) => () => new Date(iso);

async function listKeys(prefix = ''): Promise<string[]> {
  const out = await moto.s3().send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function getObject(key: string): Promise<Buffer> {
  const out = await moto.s3().send(new GetObjectCommand({ Bucket: 'backups', Key: key }));
  return collect(out.Body as Readable);
}

async function openUploads(): Promise<number> {
  const out = await moto.s3().send(new ListMultipartUploadsCommand({ Bucket: 'backups' }));
  return (out.Uploads ?? []).length;
}

describe('backup to S3', () => {
  it('stores an encrypted, verified snapshot under the documented key, with its manifest', async () => {
    const log = new MemoryLogger();
    const result = await runCommand('backup', inputs(), { log, clock: at('2025-11-26T02:00:00Z') });
    if (result.command !== 'backup') throw new Error('wrong result');
    const b = result.backup;
    expect(b.objectKey).toBe('daily/2025-11-26/vault-snapshot-20251126-020000.enc');
    expect(b.type).toBe('daily+monthly'); // first backup of November in this bucket
    expect(await listKeys('prod/daily/')).toEqual([
      'prod/daily/2025-11-26/vault-snapshot-20251126-020000.enc',
      'prod/daily/2025-11-26/vault-snapshot-20251126-020000.json',
    ]);

    const cipher = await getObject(`prod/${b.objectKey}`);
    expect(cipher.length).toBe(b.encryptedSize);
    const plain = await decryptBuffer(cipher, { keys: [{ id: 'test-key-1', key: Buffer.alloc(32, 7) }], expectedBackupId: b.backupId });
    const facts = await validateSnapshotStream(Readable.from([plain]));
    expect(facts.stateSha256).toBe(b.stateSha256);
    expect(facts.meta.Index).toBe(b.raftIndex);

    const manifest = parseManifest(await getObject(`prod/${b.manifestKey}`), b.objectKey);
    expect(manifest.encrypted.size).toBe(cipher.length);
    expect(manifest.encrypted.sha256).toBe(b.encryptedSha256);
    expect(manifest.snapshot).toEqual({ size: facts.archiveSize });
    expect(manifest.raft.stateSha256).toBe(facts.stateSha256);
    expect(manifest.encryption.keyId).toBe('test-key-1');
    expect(manifest.vault.version).toMatch(/^\d+\.\d+/);
    expect(manifest.raft.index).toBe(facts.meta.Index);

    // The server itself accepts the decrypted bytes as its own snapshot (same seal: no force).
    const restore = await fetch(`${bao.addr}/v1/sys/storage/raft/snapshot`, { method: 'POST', headers: { 'X-Vault-Token': bao.rootToken }, body: plain });
    expect(restore.status).toBe(204);
    await bao.unseal().catch(() => undefined);
    expect(log.lines.join('\n')).toContain('upload verified');
    expect(log.lines.join('\n')).not.toContain(bao.rootToken);
    expect(log.lines.join('\n')).not.toContain(KEY_B64);
  });

  it('copies the first backup of a month to monthly/, and only the first', async () => {
    const first = await runCommand('backup', inputs({ target: 's3://backups/monthly-test' }), { log: new MemoryLogger(), clock: at('2025-12-01T02:00:00Z') });
    const second = await runCommand('backup', inputs({ target: 's3://backups/monthly-test' }), { log: new MemoryLogger(), clock: at('2025-12-02T02:00:00Z') });
    if (first.command !== 'backup' || second.command !== 'backup') throw new Error('wrong result');
    expect(first.backup.monthlyKey).toBe('monthly/2025-12/vault-snapshot-20251201-020000.enc');
    expect(second.backup.monthlyKey).toBeUndefined();
    expect(await listKeys('monthly-test/monthly/')).toEqual([
      'monthly-test/monthly/2025-12/vault-snapshot-20251201-020000.enc',
      'monthly-test/monthly/2025-12/vault-snapshot-20251201-020000.json',
    ]);
    const monthly = await getObject('monthly-test/monthly/2025-12/vault-snapshot-20251201-020000.enc');
    const daily = await getObject('monthly-test/daily/2025-12-01/vault-snapshot-20251201-020000.enc');
    expect(monthly.equals(daily)).toBe(true);
    const manifest = parseManifest(await getObject('monthly-test/monthly/2025-12/vault-snapshot-20251201-020000.json'));
    expect(manifest.tier).toBe('monthly');
    expect(manifest.copiedFrom).toBe('daily/2025-12-01/vault-snapshot-20251201-020000.enc');
  });

  it('never overwrites: a second backup in the same second fails and leaves the first intact', async () => {
    const target = { target: 's3://backups/same-second' };
    await runCommand('backup', inputs(target), { log: new MemoryLogger(), clock: at('2025-11-20T02:00:00Z') });
    const before = await getObject('same-second/daily/2025-11-20/vault-snapshot-20251120-020000.enc');
    await expect(runCommand('backup', inputs(target), { log: new MemoryLogger(), clock: at('2025-11-20T02:00:00Z') })).rejects.toThrow(/already exists/);
    expect((await getObject('same-second/daily/2025-11-20/vault-snapshot-20251120-020000.enc')).equals(before)).toBe(true);
  });

  it('logs in with a GitHub-style OIDC token (JWT auth against the local issuer)', async () => {
    const jwt = issuer.githubToken(AUDIENCE);
    const result = await runCommand(
      'backup',
      inputs({ target: 's3://backups/jwt', 'vault-auth-method': 'jwt', 'vault-jwt-role': 'backup', 'vault-jwt': jwt, 'vault-token': '' }),
      {
        log: new MemoryLogger(),
        clock: at('2025-11-21T02:00:00Z'),
      },
    );
    expect(result.command === 'backup' && result.backup.objectKey).toBe('daily/2025-11-21/vault-snapshot-20251121-020000.enc');
  });

  it('refuses a JWT for another repository with an error that names the role and what to check', async () => {
    const jwt = issuer.githubToken(AUDIENCE, { repository: 'evil/fork' });
    const run = runCommand('backup', inputs({ target: 's3://backups/jwt-bad', 'vault-auth-method': 'jwt', 'vault-jwt-role': 'backup', 'vault-jwt': jwt }), {
      log: new MemoryLogger(),
    });
    await expect(run).rejects.toBeInstanceOf(VaultError);
    await expect(run).rejects.toThrow(/JWT login \(mount "jwt", role "backup"\)/);
    expect(await listKeys('jwt-bad/')).toEqual([]);
  });
});

describe('snapshots larger than one upload part', () => {
  beforeAll(async () => {
    // ~6 MiB of incompressible secrets, so the upload is multipart (5 MiB parts).
    for (let i = 0; i < 12; i++) await bao.writeSecret(`bulk/${i}`, { blob: randomBytes(384 * 1024).toString('base64') });
  }, 60000);

  it('upload as multipart and are proven by the composite checksum S3 reports', async () => {
    const log = new MemoryLogger();
    const result = await runCommand('backup', inputs({ target: 's3://backups/multipart' }), { log, clock: at('2025-11-23T02:00:00Z') });
    if (result.command !== 'backup') throw new Error('wrong result');
    expect(result.backup.encryptedSize).toBeGreaterThan(5 * 1024 * 1024);
    // The stream has no length; once it is read, the log says the upload is being completed, and in how many parts.
    expect(log.lines).toContainEqual(expect.stringMatching(/^snapshot read and encrypted \(\d+\.\d MiB\); completing the upload \(2 parts\)…$/));
    expect(result.backup.storedChecksum.algorithm).toBe('SHA256-COMPOSITE');
    expect(result.backup.storedChecksum.parts).toBe(2);
    const cipher = await getObject(`multipart/${result.backup.objectKey}`);
    // Recompute the composite from the downloaded bytes (5 MiB parts) and compare with what S3 itself reports.
    const part = 5 * 1024 * 1024;
    const digests = [cipher.subarray(0, part), cipher.subarray(part)].map((p) => createHash('sha256').update(p).digest());
    const composite = createHash('sha256').update(Buffer.concat(digests)).digest('base64');
    const head = await moto.s3().send(new HeadObjectCommand({ Bucket: 'backups', Key: `multipart/${result.backup.objectKey}`, ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256?.replace(/-\d+$/, '')).toBe(composite);
    expect(result.backup.storedChecksum.value).toBe(composite);
    const plain = await decryptBuffer(cipher, { keys: [{ id: 'test-key-1', key: Buffer.alloc(32, 7) }] });
    expect((await validateSnapshotStream(Readable.from([plain]))).stateSha256).toBe(result.backup.stateSha256);
  });

  it.each([
    ['connection reset midway', { kind: 'reset-after', bytes: 5.5 * 1024 * 1024 } as const, VaultError],
    ['body ended early but cleanly', { kind: 'truncate-after', bytes: 5.5 * 1024 * 1024 } as const, SnapshotInvalidError],
  ])('that break (%s) leave nothing behind', async (_name, fault, errorType) => {
    const proxy = await startFaultProxy(bao.addr, [{ path: /raft\/snapshot/, fault }]);
    try {
      const prefix = `cut-${fault.kind}`;
      const run = runCommand('backup', inputs({ target: `s3://backups/${prefix}`, 'vault-address': proxy.url }), {
        log: new MemoryLogger(),
        clock: at('2025-11-22T02:00:00Z'),
      });
      await expect(run).rejects.toBeInstanceOf(errorType);
      expect(await listKeys(`${prefix}/`)).toEqual([]);
      expect(await openUploads()).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('that break while S3 is still creating the multipart upload leave nothing behind', async () => {
    // The snapshot goes quiet just after the first part is full, and is cut once the CreateMultipartUpload sent for
    // that part has reached S3's side; S3 acts on it only 800 ms later, whether or not the client still waits. A cut
    // at a byte count alone raced the pipeline: the reset could overtake bytes not yet encrypted, so no part filled.
    const vault = await startFaultProxy(bao.addr, [{ path: /raft\/snapshot/, fault: { kind: 'stall', afterBytes: 5.5 * 1024 * 1024 } }]);
    const s3 = await startFaultProxy(moto.endpoint, [{ method: 'POST', path: /\?uploads/, fault: { kind: 'delay', ms: 800 } }]);
    const creates = () => s3.seen.filter((r) => r.method === 'POST' && r.path.includes('?uploads'));
    try {
      const prefix = 'cut-while-creating';
      const run = runCommand('backup', inputs({ target: `s3://backups/${prefix}`, 'vault-address': vault.url, 's3-endpoint': s3.url }), {
        log: new MemoryLogger(),
        clock: at('2025-11-21T02:00:00Z'),
      });
      let settled = false;
      const failed = expect(run.finally(() => (settled = true))).rejects.toBeInstanceOf(VaultError);
      await waitFor('the CreateMultipartUpload to reach S3 (or the run to end)', async () => (creates().length > 0 || settled ? true : undefined));
      await vault.close(); // drops the stalled snapshot connection
      await failed;
      expect(creates()).toHaveLength(1);
      // Past the delay: whatever S3 was going to create, it has.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await listKeys(`${prefix}/`)).toEqual([]);
      expect(await openUploads()).toBe(0);
    } finally {
      await Promise.all([vault.close(), s3.close()]);
    }
  });
});

describe('bad situations fail before anything is written', () => {
  it('a bucket that does not exist', async () => {
    const run = runCommand('backup', inputs({ target: 's3://no-such-bucket/x' }), { log: new MemoryLogger() });
    await expect(run).rejects.toBeInstanceOf(StorageError);
    await expect(run).rejects.toThrow(/bucket no-such-bucket does not exist/);
  });

  it('an unreachable Vault', async () => {
    const run = runCommand('backup', inputs({ target: 's3://backups/unreachable', 'vault-address': 'http://127.0.0.1:1' }), { log: new MemoryLogger() });
    await expect(run).rejects.toThrow(/cannot reach Vault at http:\/\/127\.0\.0\.1:1/);
    expect(await listKeys('unreachable/')).toEqual([]);
  });

  it('a token without the snapshot permission', async () => {
    const weak = await bao.api('POST', 'auth/token/create', { policies: ['default'], ttl: '5m' });
    const run = runCommand('backup', inputs({ target: 's3://backups/forbidden', 'vault-token': weak.json.auth.client_token }), { log: new MemoryLogger() });
    await expect(run).rejects.toThrow(/403 permission denied/);
    expect(await listKeys('forbidden/')).toEqual([]);
    expect(await openUploads()).toBe(0);
  });

  it('a malformed key never reaches the network', async () => {
    const run = runCommand('backup', inputs({ 'encryption-key': 'c2hvcnQ=' }), { log: new MemoryLogger() });
    await expect(run).rejects.toThrow(/encryption-key: decodes to 5 bytes; AES-256 needs exactly 32/);
  });
});

describe('backup to a local directory', () => {
  it('writes the same names and manifest, and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-backup-local-'));
    try {
      const result = await runCommand('backup', inputs({ target: dir }), { log: new MemoryLogger(), clock: at('2025-11-26T02:00:00Z') });
      expect(result.command === 'backup' && result.backup.type).toBe('daily+monthly');
      expect(readdirSync(join(dir, 'daily', '2025-11-26')).sort()).toEqual(['vault-snapshot-20251126-020000.enc', 'vault-snapshot-20251126-020000.json']);
      expect(readdirSync(join(dir, 'monthly', '2025-11')).sort()).toEqual(['vault-snapshot-20251126-020000.enc', 'vault-snapshot-20251126-020000.json']);
      await expect(runCommand('backup', inputs({ target: dir }), { log: new MemoryLogger(), clock: at('2025-11-26T02:00:00Z') })).rejects.toBeInstanceOf(
        BackupError,
      );
      expect(readdirSync(join(dir, 'daily', '2025-11-26')).filter((n) => n.startsWith('.'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
