/**
 * A backup cancelled half-way (SIGTERM, as GitHub cancels a job) leaves nothing behind: no open
 * multipart upload in a real S3 (moto), no blob or uncommitted blocks in Azure Blob (Azurite), no object
 * in Cloud Storage (fake-gcs-server), no `.partial-*` file in a directory, and exits 143.
 * The snapshot comes from a small Vault fake that streams a synthetic archive slowly and counts its bytes.
 * A snapshot that drips a byte at a time is cut by the overall deadline.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { VaultError } from '../../src/errors.js';
import { autoSnapshotDeadline } from '../../src/jobs/backup.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from '../harness/azurite.js';
import { startFakeGcs, type FakeGcsServer } from '../harness/fake-gcs.js';
import { ROOT } from '../harness/processes.js';
import { syntheticSnapshot } from '../harness/synthetic-snapshot.js';

const KEY = Buffer.alloc(32, 4).toString('base64');
const SIZE = 48 * 1024 * 1024;
let moto: MotoServer;
let azurite: AzuriteServer;
let gcs: FakeGcsServer;
let vault: Server;
let vaultUrl: string;
let served = 0;
let dir: string;

beforeAll(async () => {
  [moto, azurite, gcs] = await Promise.all([startMoto(), startAzurite(), startFakeGcs()]);
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'cut' }));
  await azurite.service().getContainerClient('cut').create();
  await gcs.storage().bucket('cut').create();
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-cut-'));
  vault = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.startsWith('/v1/sys/health')) return void json({ initialized: true, sealed: false, standby: false, version: 'fake', cluster_id: 'c' });
    if (req.url?.startsWith('/v1/sys/seal-status')) return void json({ type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 });
    if (req.url?.startsWith('/v1/sys/leader')) return void json({ is_self: true });
    if (!req.url?.startsWith('/v1/sys/storage/raft/snapshot')) return void res.writeHead(404).end();
    served = 0;
    res.writeHead(200, { 'content-type': 'application/gzip' });
    const archive = syntheticSnapshot({ stateSize: SIZE, seed: 'cut', gzipLevel: 0 });
    // About 8 MiB/s, so "half-way" lasts long enough to be caught.
    archive.on('data', (chunk: Buffer) => {
      served += chunk.length;
      if (!res.write(chunk)) archive.pause();
      archive.pause();
      setTimeout(() => archive.resume(), Math.ceil(chunk.length / (8 * 1024)));
    });
    res.on('drain', () => archive.resume());
    archive.on('end', () => res.end());
    res.on('close', () => archive.destroy());
  });
  await new Promise<void>((r) => vault.listen(0, '127.0.0.1', r));
  const address = vault.address();
  vaultUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60000);

afterAll(async () => {
  vault?.closeAllConnections();
  await new Promise<void>((r) => (vault ? vault.close(() => r()) : r()));
  await Promise.all([moto?.stop(), azurite?.stop(), gcs?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI backup and sends SIGTERM once half of the snapshot has been served. */
async function cancelHalfWay(target: string, extra: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const args = [
    '--import',
    'tsx',
    join(ROOT, 'src/cli/index.ts'),
    'backup',
    '--target',
    target,
    '--vault-address',
    vaultUrl,
    '--vault-auth-method',
    'token',
    '--vault-token',
    'hvs.x',
    '--encryption-key',
    KEY,
    ...extra,
  ];
  served = 0;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setInterval(() => {
    if (served >= SIZE / 2) {
      clearInterval(timer);
      child.kill('SIGTERM');
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(timer);
  return { code, output };
}

it('SIGTERM at 50% of a backup to S3: exit 143, no open multipart upload, no object', async () => {
  const r = await cancelHalfWay('s3://cut/eu', ['--s3-endpoint', moto.endpoint, '--s3-region', 'us-east-1', '--s3-part-size-mib', '5'], moto.env());
  expect({ code: r.code, output: r.output }).toMatchObject({ code: 143 });
  expect(r.output).toMatch(/cleaned up: multipart upload of s3:\/\/cut\/eu\/daily\/.* aborted/);
  const uploads = await moto.s3().send(new ListMultipartUploadsCommand({ Bucket: 'cut' }));
  expect(uploads.Uploads ?? []).toEqual([]);
  const objects = await moto.s3().send(new ListObjectsV2Command({ Bucket: 'cut' }));
  expect(objects.Contents ?? []).toEqual([]);
}, 90000);

it('SIGTERM at 50% of a backup to Azure Blob (Azurite): exit 143, no blob, no uncommitted blocks', async () => {
  const r = await cancelHalfWay(`az://${AZURITE_ACCOUNT}/cut/eu`, ['--azure-block-size-mib', '4'], {
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
  });
  expect({ code: r.code, output: r.output }).toMatchObject({ code: 143 });
  expect(r.output).toMatch(/cleaned up: uncommitted blocks of az:\/\/devstoreaccount1\/cut\/eu\/daily\/.* discarded/);
  const left: string[] = [];
  for await (const b of azurite.service().getContainerClient('cut').listBlobsFlat({ includeUncommitedBlobs: true })) left.push(b.name);
  expect(left).toEqual([]);
}, 90000);

it('SIGTERM at 50% of a backup to Cloud Storage (fake-gcs-server): exit 143, no object', async () => {
  const r = await cancelHalfWay('gs://cut/eu', ['--gcs-endpoint', gcs.endpoint, '--gcs-chunk-size-mib', '4']);
  expect({ code: r.code, output: r.output }).toMatchObject({ code: 143 });
  expect(r.output).toMatch(/cleaned up: upload of gs:\/\/cut\/eu\/daily\/.* stopped/);
  const [files] = await gcs.storage().bucket('cut').getFiles();
  expect(files.map((f) => f.name)).toEqual([]);
}, 90000);

it('SIGTERM at 50% of a backup to a directory: exit 143, no partial file', async () => {
  const target = join(dir, 'store');
  const r = await cancelHalfWay(target, []);
  expect({ code: r.code, output: r.output }).toMatchObject({ code: 143 });
  expect(r.output).toMatch(/cleaned up: partial file .*\.partial-[0-9a-f]+ removed/);
  const files = (readdirSync(target, { recursive: true }) as string[]).filter((f) => !f.endsWith('/') && /\.(enc|json)$|partial/.test(f));
  expect(files).toEqual([]);
}, 90000);

it('a snapshot that drips a byte at a time (never idle long enough to stall) hits vault-snapshot-deadline-seconds; nothing is stored', async () => {
  const drip = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.startsWith('/v1/sys/health')) return void json({ initialized: true, sealed: false, standby: false, version: 'fake', cluster_id: 'c' });
    if (req.url?.startsWith('/v1/sys/seal-status')) return void json({ type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 });
    if (req.url?.startsWith('/v1/sys/leader')) return void json({ is_self: true });
    res.writeHead(200, { 'content-type': 'application/gzip' });
    // A valid archive's first bytes, one every 300 ms: always "alive", never done.
    const head = syntheticSnapshot({ stateSize: 1024 * 1024, seed: 'drip', gzipLevel: 0 });
    let bytes: Buffer = Buffer.alloc(0);
    head.once('data', (chunk: Buffer) => {
      bytes = chunk;
      head.destroy();
    });
    let at = 0;
    const timer = setInterval(() => at < bytes.length && res.write(bytes.subarray(at, ++at)), 300);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => drip.listen(0, '127.0.0.1', r));
  const address = drip.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const target = join(dir, 'drip');
  try {
    const started = Date.now();
    const run = runCommand(
      'backup',
      {
        target,
        'vault-address': url,
        'vault-auth-method': 'token',
        'vault-token': 'hvs.x',
        'encryption-key': KEY,
        'vault-idle-timeout-seconds': '5',
        'vault-snapshot-deadline-seconds': '2',
      },
      { log: new MemoryLogger() },
    );
    await expect(run).rejects.toBeInstanceOf(VaultError);
    await expect(run).rejects.toThrow(/did not finish within 2\.0 s \(vault-snapshot-deadline-seconds\)/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((readdirSync(target, { recursive: true }) as string[]).filter((f) => /\.(enc|json)$|partial/.test(f))).toEqual([]);
  } finally {
    drip.closeAllConnections();
    await new Promise<void>((r) => drip.close(() => r()));
  }
}, 30000);

it('the automatic deadline follows the previous backup: 30 minutes plus its snapshot at 1 MiB/s, 2 hours for a first one', () => {
  expect(autoSnapshotDeadline(undefined)).toBe(2 * 3_600_000);
  expect(autoSnapshotDeadline(0)).toBe(30 * 60_000);
  expect(autoSnapshotDeadline(4 * 1024 ** 3)).toBe(30 * 60_000 + 4096 * 1000);
});
