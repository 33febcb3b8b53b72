/**
 * prune and list end to end: 400 days of backups seeded in a real S3 server (moto) and in a local
 * directory, pruned through the CLI, and what remains checked.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main.js';
import { backupKey, manifestKeyOf } from '../../src/naming/backup-names.js';
import { LocalDirectoryStore } from '../../src/storage/local/local-store.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { SEED_KEYRING, sealedBackup } from '../harness/sealed-backup.js';
import { Readable } from 'node:stream';

let moto: MotoServer;
let dir: string;
const savedEnv = { ...process.env };
const NOW = '2025-11-26T03:00:00Z';
const DAY = 86_400_000;

/** 400 days of daily backups at 02:00 (the last one today), plus the monthly copy of each month's first. */
function seedKeys(): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (let i = 399; i >= 0; i--) {
    const at = new Date(new Date('2025-11-26T02:00:00Z').getTime() - i * DAY);
    keys.push(backupKey('daily', at));
    const month = at.toISOString().slice(0, 7);
    if (!seen.has(month)) {
      seen.add(month);
      keys.push(backupKey('monthly', at));
    }
  }
  return keys.flatMap((k) => [k, manifestKeyOf(k)]);
}

/** The bytes seeded under `key`: a genuine small backup, or its manifest (prune authenticates what it keeps). */
const seedBody = async (key: string) => {
  const backup = await sealedBackup(key.replace(/\.json$/, '.enc'));
  return key.endsWith('.json') ? backup.manifest : backup.object;
};

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...moto.env(), VAULT_BACKUP_KEYRING: SEED_KEYRING } });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env());
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-prune-'));
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'prune' }));
  const keys = seedKeys();
  const s3 = moto.s3();
  for (let i = 0; i < keys.length; i += 25) {
    await Promise.all(keys.slice(i, i + 25).map(async (k) => s3.send(new PutObjectCommand({ Bucket: 'prune', Key: `c1/${k}`, Body: await seedBody(k) }))));
  }
  await s3.send(new PutObjectCommand({ Bucket: 'prune', Key: 'c1/README.txt', Body: 'not a backup' }));
  const local = new LocalDirectoryStore(join(dir, 'c1'));
  for (const k of keys) await local.putNew(k, Readable.from([await seedBody(k)]));
  await local.putSmallNew('notes/keep-me.txt', Buffer.from('not a backup'));
}, 120000);

afterAll(async () => {
  process.env = savedEnv;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await moto?.stop();
});

const s3Args = () => ['--s3-endpoint', moto.endpoint, '--s3-region', 'us-east-1'];

describe.each([
  ['S3', () => ['--target', 's3://prune/c1', ...s3Args()]],
  ['a local directory', () => ['--target', join(dir, 'c1')]],
])('prune on %s', (_name, target) => {
  it('refuses the first big clean-up by default and shows the plan', async () => {
    const r = await cli('prune', ...target(), '--now', NOW, '--dry-run', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/prune refused, nothing was deleted: the plan deletes 372 backups, more than the limit of 10/);
    const plan = JSON.parse(r.stdout);
    expect(plan.summary).toMatchObject({ keep: 42, delete: 372 });
  });

  it('dry run changes nothing', async () => {
    const before = await cli('list', ...target(), '--now', NOW, '--json');
    const r = await cli('prune', ...target(), '--now', NOW, '--dry-run', '--json', '--prune-allow-mass-delete');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, deleted: [] });
    const after = await cli('list', ...target(), '--now', NOW, '--json');
    expect(JSON.parse(after.stdout).backups).toEqual(JSON.parse(before.stdout).backups);
  });

  it('keeps 30 daily and 12 monthly backups, their manifests, and every foreign object', async () => {
    const r = await cli('prune', ...target(), '--now', NOW, '--prune-allow-mass-delete', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.deleted).toHaveLength(372 * 2);
    // Every backup kept was authenticated, each with one unwrap and one range read (these backups are smaller
    // than the first read, which takes the header and the first chunk).
    expect(report.authentication).toEqual({ authenticated: 42, unwraps: 42, rangeReads: 42, bytesRead: expect.any(Number) });
    const list = JSON.parse((await cli('list', ...target(), '--now', NOW, '--json')).stdout);
    const daily = list.backups.filter((b: { tier: string }) => b.tier === 'daily').map((b: { time: string }) => b.time.slice(0, 10));
    const monthly = list.backups.filter((b: { tier: string }) => b.tier === 'monthly').map((b: { time: string }) => b.time.slice(0, 7));
    expect(daily).toHaveLength(30);
    expect(daily[0]).toBe('2025-11-26');
    expect(daily.at(-1)).toBe('2025-10-28');
    expect(monthly).toEqual([
      '2025-11',
      '2025-10',
      '2025-09',
      '2025-08',
      '2025-07',
      '2025-06',
      '2025-05',
      '2025-04',
      '2025-03',
      '2025-02',
      '2025-01',
      '2024-12',
    ]);
    expect(list.backups.every((b: { complete: boolean }) => b.complete)).toBe(true);
    expect(list.ignored.length).toBe(1);

    // Idempotent: a second run deletes nothing.
    const again = await cli('prune', ...target(), '--now', NOW, '--json');
    expect(JSON.parse(again.stdout).deleted).toEqual([]);
  });

  it('refuses to prune when backups have stopped (newest is 3 days old)', async () => {
    const r = await cli('prune', ...target(), '--now', '2025-11-29T03:00:00Z', '--keep-daily', '5', '--prune-allow-mass-delete');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is 73\.0 h old, more than 48 h: backups are failing/);
  });
});

describe('prune removes the debris of interrupted writes once it is more than a day old', () => {
  const now = Date.now();
  const history = [2, 1, 0].map((d) => backupKey('daily', new Date(now - d * DAY - 3_600_000)));

  it('in S3: an incomplete multipart upload is listed in the plan and aborted after a day, left alone before', async () => {
    const s3 = moto.s3();
    for (const k of history) {
      const backup = await sealedBackup(k);
      await s3.send(new PutObjectCommand({ Bucket: 'prune', Key: `c2/${k}`, Body: backup.object }));
      await s3.send(new PutObjectCommand({ Bucket: 'prune', Key: `c2/${manifestKeyOf(k)}`, Body: backup.manifest }));
    }
    const left = backupKey('daily', new Date(now - 60_000));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: 'prune', Key: `c2/${left}` }));
    const uploads = async () => (await s3.send(new ListMultipartUploadsCommand({ Bucket: 'prune', Prefix: 'c2/' }))).Uploads ?? [];

    const young = await cli('prune', '--target', 's3://prune/c2', ...s3Args(), '--now', new Date(now + 3_600_000).toISOString(), '--json');
    expect(young.code).toBe(0);
    expect(JSON.parse(young.stdout).debris).toEqual([]);
    expect(await uploads()).toHaveLength(1);

    const old = await cli('prune', '--target', 's3://prune/c2', ...s3Args(), '--now', new Date(now + 25 * 3_600_000).toISOString(), '--json');
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout).debris).toEqual([expect.objectContaining({ key: left, kind: 'multipart-upload' })]);
    expect(old.stderr).toMatch(/debris +multipart-upload .* removed\)/);
    expect(await uploads()).toEqual([]);
  });

  it('in a directory: a .partial-* file a day old is removed and listed; one an hour old is left', async () => {
    const target = join(dir, 'c2');
    const local = new LocalDirectoryStore(target);
    for (const k of history) {
      const backup = await sealedBackup(k);
      await local.putNew(k, Readable.from([backup.object]));
      await local.putSmallNew(manifestKeyOf(k), backup.manifest);
    }
    const folder = join(target, 'daily', new Date(now).toISOString().slice(0, 10));
    mkdirSync(folder, { recursive: true });
    const oldFile = join(folder, '.vault-snapshot-20000101-000000.enc.partial-aaaaaaaaaaaa');
    const youngFile = join(folder, '.vault-snapshot-20000101-000001.enc.partial-bbbbbbbbbbbb');
    for (const [file, ageHours] of [
      [oldFile, 25],
      [youngFile, 1],
    ] as const) {
      writeFileSync(file, 'half a backup');
      const at = new Date(now - ageHours * 3_600_000);
      utimesSync(file, at, at);
    }
    const r = await cli('prune', '--target', target, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).debris).toEqual([expect.objectContaining({ kind: 'partial-file', key: expect.stringContaining('partial-aaaaaaaaaaaa') })]);
    expect(existsSync(oldFile)).toBe(false);
    expect(existsSync(youngFile)).toBe(true);
  });
});
