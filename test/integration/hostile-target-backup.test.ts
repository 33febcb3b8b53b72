/**
 * What is planted in the target, or sent by a broken Vault, never stops or misleads the next backup: a
 * damaged newest manifest, a fake monthly copy, a snapshot body that is tar but not gzip, a token with the
 * newline a file adds. A real raft OpenBao; S3 (moto) and a local directory.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main.js';
import { backupKey, manifestKeyOf } from '../../src/naming/backup-names.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { directoryTarget, s3Target, type WritableTarget } from '../harness/writable-targets.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { collect } from '../unit/crypto-helpers.js';
import { SEED_KEYRING, sealedBackup } from '../harness/sealed-backup.js';

let bao: VaultServer;
let moto: MotoServer;
let dir: string;
const BUCKET = 'hostile-backup';
const savedEnv = { ...process.env };

beforeAll(async () => {
  [bao, moto] = await Promise.all([startVaultServer({ name: 'hostile-source' }), startMoto()]);
  Object.assign(process.env, moto.env());
  await moto.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  await bao.writeSecret('canary', { value: 'alive' });
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-hostile-backup-'));
}, 60000);

afterAll(async () => {
  process.env = savedEnv;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await Promise.all([bao?.stop(), moto?.stop()]);
});

async function cli(argv: string[], clock?: () => Date) {
  let stdout = '';
  let stderr = '';
  const env = { ...moto.env(), VAULT_BACKUP_KEYRING: SEED_KEYRING };
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, ...(clock ? { clock } : {}) });
  return { code, stdout, stderr };
}

type Target = WritableTarget;

let targets = 0;
const kinds: Array<[string, () => Target]> = [
  ['S3', () => s3Target(moto, BUCKET, `t${++targets}`)],
  ['a local directory', () => directoryTarget(join(dir, `t${++targets}`))],
];

const backupArgs = (target: Target, token = bao.rootToken) => [
  'backup',
  ...target.args,
  '--vault-address',
  bao.addr,
  '--vault-auth-method',
  'token',
  '--vault-token',
  token,
  '--encryption-key',
  SEED_KEYRING,
];

describe.each(kinds)('the next backup on %s', (_name, open) => {
  it('is taken when the newest manifest lacks its raft facts, or claims a snapshot of 2^53 bytes (and a token read from a file ends in a newline)', async () => {
    const target = open();
    for (const [daysAgo, damage] of [
      [2, (m: Record<string, unknown>) => ({ ...m, snapshot: { size: 2 ** 53 } })],
      [1, (m: Record<string, unknown>) => ({ ...m, raft: undefined })],
    ] as const) {
      const key = backupKey('daily', new Date(Date.now() - daysAgo * 86_400_000));
      const backup = await sealedBackup(key);
      await target.put(key, backup.object);
      await target.put(manifestKeyOf(key), Buffer.from(JSON.stringify(damage(backup.facts as unknown as Record<string, unknown>))));
    }
    const started = Date.now();
    const r = await cli(backupArgs(target, `${bao.rootToken}\n`));
    expect(r.stderr).not.toMatch(/TimeoutOverflowWarning|TypeError/);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const written = (await target.keys()).filter((k) => k.startsWith('daily/') && k.endsWith('.json'));
    expect(written).toHaveLength(3);
  }, 90000);

  it('makes the monthly copy when the month holds only a fake one, planted before the first backup of the month', async () => {
    const target = open();
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 2, 0, 0));
    const fake = backupKey('monthly', new Date(first.getTime() - 3_600_000)); // the 1st, 01:00
    const like = await sealedBackup(backupKey('daily', new Date(first.getTime() - 86_400_000)));
    await target.put(fake, Buffer.alloc(like.object.length, 0x42));
    const fakeId = fake
      .split('/')
      .at(-1)!
      .replace(/\.enc$/, '');
    await target.put(manifestKeyOf(fake), Buffer.from(JSON.stringify({ ...like.facts, backupId: fakeId, objectKey: fake, tier: 'monthly' })));

    const r = await cli(backupArgs(target), () => first);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holds monthly\/.* but it does not stand for the month/);
    expect(r.stderr).toMatch(/is not compared with: it does not authenticate/);
    expect(await target.keys()).toContain(backupKey('monthly', first));
  }, 90000);

  it('fails in seconds, leaving nothing, when the snapshot body is a tar that is not gzip', async () => {
    const target = open();
    const vault = await tarServingVault();
    try {
      const started = Date.now();
      const r = await cli([
        ...backupArgs(target).slice(0, 1),
        ...target.args,
        '--vault-address',
        vault.url,
        '--vault-auth-method',
        'token',
        '--vault-token',
        't',
        '--encryption-key',
        SEED_KEYRING,
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\[snapshot\] snapshot archive is unreadable: incorrect header check/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await target.keys()).toEqual([]);
      expect(await target.openUploads()).toBe(0);
    } finally {
      await vault.close();
    }
  }, 60000);
});

describe('credentials with a line break inside', () => {
  it('are refused as an input error naming the setting, before any connection', async () => {
    const r = await cli([
      'backup',
      '--target',
      join(dir, 'never'),
      '--vault-address',
      'http://127.0.0.1:9',
      '--vault-auth-method',
      'token',
      '--vault-token',
      'hvs.abc\ndef',
      '--encryption-key',
      SEED_KEYRING,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[input\] vault-token: must be a single word/);
  });
});

/** A Vault that answers like an unsealed active node, and streams a 12 MiB tar archive (not gzip) as its snapshot. */
async function tarServingVault(): Promise<{ url: string; close(): Promise<void> }> {
  const pack = tar.pack();
  pack.entry({ name: 'meta.json' }, '{"Index":1,"Term":1,"Size":12582912,"ID":"x","Version":1}');
  pack.entry({ name: 'state.bin' }, Buffer.alloc(12 * 1024 * 1024, 7));
  pack.finalize();
  const body = await collect(pack as unknown as NodeJS.ReadableStream);
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
    if (path.startsWith('/v1/sys/health')) return json({ initialized: true, sealed: false, standby: false, version: '2.7.2', cluster_id: 'tar' });
    if (path.startsWith('/v1/sys/seal-status')) return json({ type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 });
    if (path.startsWith('/v1/sys/leader')) return json({ is_self: true, leader_address: '', leader_cluster_address: '' });
    if (path.startsWith('/v1/auth/token/lookup-self')) return json({ data: { id: 't' } });
    if (path.includes('raft/snapshot')) return res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
