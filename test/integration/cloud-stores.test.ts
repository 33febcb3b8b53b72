/**
 * Backup → verify → restore-test → prune, end to end, on Azure Blob Storage (Microsoft's Azurite) and on
 * Cloud Storage (fake-gcs-server), from a real OpenBao: the first backup of a month and its server-side
 * monthly copy, a same-name backup refused, a tampered object caught by verify, a restore into a
 * throwaway cluster reading the canary, and prune by retention.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupError, ObjectExistsError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from '../harness/azurite.js';
import { startFakeGcs, type FakeGcsServer } from '../harness/fake-gcs.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { SERVER_PATH } from '../harness/processes.js';

const KEY = `cloud-2026=${Buffer.alloc(32, 5).toString('base64')}`;
const DAY1 = new Date('2026-11-01T02:00:00Z');
const DAY2 = new Date('2026-11-02T02:00:00Z');
let bao: VaultServer;
let azurite: AzuriteServer;
let gcs: FakeGcsServer;
let scratch: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  [bao, azurite, gcs] = await Promise.all([startVaultServer({ name: 'cloud' }), startAzurite(), startFakeGcs()]);
  await bao.writeSecret('canary', { owner: 'platform' });
  await azurite.service().getContainerClient('backups').create();
  await gcs.storage().bucket('backups').create();
  process.env.PATH = `${SERVER_PATH}:${savedPath}`;
  scratch = mkdtempSync(join(tmpdir(), 'vault-backup-cloud-'));
}, 90000);

afterAll(async () => {
  process.env.PATH = savedPath;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await Promise.all([bao?.stop(), azurite?.stop(), gcs?.stop()]);
});

interface Cloud {
  name: string;
  target: () => string;
  settings: () => Record<string, string>;
  /** Replaces an object's bytes behind the tool's back, as damage or an attacker would. */
  tamper: (key: string) => Promise<void>;
}

const clouds: Cloud[] = [
  {
    name: 'Azure Blob (Azurite)',
    target: () => `az://${AZURITE_ACCOUNT}/backups/prod`,
    settings: () => ({ 'azure-connection-string': azurite.connectionString, 'azure-block-size-mib': '1' }),
    tamper: async (key) => {
      const blob = azurite.service().getContainerClient('backups').getBlockBlobClient(`prod/${key}`);
      const data = await blob.downloadToBuffer();
      data[data.length - 100] = data[data.length - 100]! ^ 1;
      const props = await blob.getProperties();
      // Same size and the old Content-MD5 kept (a block list's Content-MD5 is not checked), so only the bytes tell.
      const id = Buffer.from('tampered').toString('base64');
      await blob.stageBlock(id, data, data.length);
      await blob.commitBlockList([id], { blobHTTPHeaders: { blobContentMD5: props.contentMD5 } });
    },
  },
  {
    name: 'Cloud Storage (fake-gcs-server)',
    target: () => 'gs://backups/prod',
    settings: () => ({ 'gcs-endpoint': gcs.endpoint, 'gcs-chunk-size-mib': '1' }),
    tamper: async (key) => {
      const file = gcs.storage().bucket('backups').file(`prod/${key}`);
      const [data] = await file.download();
      data[data.length - 100] = data[data.length - 100]! ^ 1;
      await file.save(data, { resumable: false });
    },
  },
];

describe.each(clouds)('$name', (cloud) => {
  const inputs = (extra: Record<string, string> = {}) => ({ target: cloud.target(), ...cloud.settings(), ...extra });
  const backupAt = (at: Date) =>
    runCommand('backup', inputs({ 'vault-address': bao.addr, 'vault-auth-method': 'token', 'vault-token': bao.rootToken, 'encryption-key': KEY }), {
      log: new MemoryLogger(),
      clock: () => at,
    });

  it('backs up (with the monthly copy on the 1st), refuses a same-name backup, verifies, restores into a throwaway cluster, prunes', async () => {
    const first = await backupAt(DAY1);
    if (first.command !== 'backup') throw new Error('wrong result');
    expect(first.backup).toMatchObject({
      type: 'daily+monthly',
      objectKey: 'daily/2026-11-01/vault-snapshot-20261101-020000.enc',
      monthlyKey: 'monthly/2026-11/vault-snapshot-20261101-020000.enc',
    });
    expect(first.backup.storedChecksum.algorithm).toBe('MD5');
    expect(first.backup.location).toBe(`${cloud.target()}/`);

    // The same second again: refused, and the first backup is untouched.
    await expect(backupAt(DAY1)).rejects.toBeInstanceOf(ObjectExistsError);

    const second = await backupAt(DAY2);
    if (second.command !== 'backup') throw new Error('wrong result');
    expect(second.backup.type).toBe('daily');

    const now = new Date(DAY2.getTime() + 3_600_000).toISOString();
    const verified = await runCommand('verify', inputs({ 'encryption-keyring': KEY, now }), { log: new MemoryLogger() });
    expect(verified.command === 'verify' && verified.verify.key).toBe(second.backup.objectKey);
    const monthly = await runCommand('verify', inputs({ 'encryption-keyring': KEY, backup: 'latest-monthly', now }), { log: new MemoryLogger() });
    expect(monthly.command === 'verify' && monthly.verify.key).toBe(first.backup.monthlyKey);

    const restored = await runCommand(
      'restore-test',
      inputs({ 'encryption-keyring': KEY, 'source-unseal-keys': bao.unsealKeys.join('\n'), 'canary-paths': 'secret/canary', 'restore-timeout-seconds': '60' }),
      { log: new MemoryLogger(), env: process.env },
    );
    expect(restored.command === 'restore-test' && restored.restoreTest.canaries.map((c) => c.path)).toEqual(['secret/canary']);

    // decrypt reads an object of this store by its URL, with the same settings as the target.
    const out = join(scratch, `${cloud.name.split(' ')[0]}-decrypted.tar.gz`);
    const decrypted = await runCommand(
      'decrypt',
      { in: `${cloud.target()}/${second.backup.objectKey}`, out, 'encryption-keyring': KEY, ...cloud.settings() },
      { log: new MemoryLogger() },
    );
    expect(decrypted).toMatchObject({ command: 'decrypt', backupId: second.backup.backupId });
    expect(readFileSync(out).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await expect(
      runCommand(
        'decrypt',
        { in: cloud.target().replace(/\/prod$/, ''), out: `${out}.2`, 'encryption-keyring': KEY, ...cloud.settings() },
        { log: new MemoryLogger() },
      ),
    ).rejects.toThrow(/in: names a container or bucket but no object key/);

    const pruned = await runCommand('prune', inputs({ 'keep-daily': '1', now, 'encryption-keyring': KEY }), { log: new MemoryLogger() });
    if (pruned.command !== 'prune') throw new Error('wrong result');
    expect(pruned.prune.deleted.sort()).toEqual([first.backup.objectKey, first.backup.manifestKey]);
    const listed = await runCommand('list', inputs({ now }), { log: new MemoryLogger() });
    expect(listed.command === 'list' && listed.list.backups.map((b) => b.key).sort()).toEqual([second.backup.objectKey, first.backup.monthlyKey].sort());
  }, 180000);

  it('verify catches an object whose bytes were changed in storage', async () => {
    await cloud.tamper('daily/2026-11-02/vault-snapshot-20261102-020000.enc');
    const now = new Date(DAY2.getTime() + 3_600_000).toISOString();
    const run = runCommand('verify', inputs({ 'encryption-keyring': KEY, now }), { log: new MemoryLogger() });
    await expect(run).rejects.toBeInstanceOf(BackupError);
    await expect(run).rejects.toThrow(/vault-snapshot-20261102-020000\.enc/);
  }, 60000);
});
