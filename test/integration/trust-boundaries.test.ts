/**
 * Credentials and plaintext go only where the operator pointed them. Small hostile Vault servers on
 * loopback name a recorder on another port as their leader, or redirect a login or a snapshot to it;
 * the recorder must receive nothing, unless vault-allowed-leaders names it (and never from https to http).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { UntrustedKmsKeyError } from '../../src/crypto/errors.js';
import { IntegrityError, VaultError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { backupKey, parseBackupKey } from '../../src/naming/backup-names.js';
import { MemoryLogger } from '../../src/log.js';
import { startRecordingServer, type RecordedRequest, type RecordingServer, type Reply } from '../fakes/recording-server.js';
import { startFaultProxy } from '../fakes/fault-proxy.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { makeTestTls, type TestTls } from '../harness/tls.js';

const KEY = `k1=${Buffer.alloc(32, 9).toString('base64')}`;
const TOKEN = 'hvs.production-token-never-elsewhere';
let recorder: RecordingServer;
let source: VaultServer;
let dir: string;
let tls: TestTls;

beforeAll(async () => {
  recorder = await startRecordingServer(() => ({ status: 500, body: { errors: ['recorder'] } }));
  source = await startVaultServer({ name: 'trust-source' });
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-trust-'));
  tls = makeTestTls(mkdtempSync(join(dir, 'tls-')));
  const r = await runCommand(
    'backup',
    { target: join(dir, 'store'), 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY },
    { log: new MemoryLogger() },
  );
  if (r.command !== 'backup') throw new Error('backup failed');
}, 90000);

afterAll(async () => {
  await recorder?.close();
  await source?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Vault that is a standby naming `leader`, or answers `route` with a redirect to the recorder. */
function hostileVault(behaviour: { leader?: string; redirect?: RegExp }) {
  return (req: RecordedRequest): Reply => {
    if (behaviour.redirect?.test(req.path)) return { status: 307, headers: { location: `${recorder.url}${req.path}` } };
    if (req.path.startsWith('/v1/sys/health'))
      return { status: 200, body: { initialized: true, sealed: false, standby: Boolean(behaviour.leader), version: '2.7.2', cluster_id: 'hostile' } };
    if (req.path.startsWith('/v1/sys/seal-status')) return { status: 200, body: { type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 } };
    if (req.path.startsWith('/v1/sys/leader'))
      return {
        status: 200,
        body: {
          is_self: !behaviour.leader,
          leader_address: behaviour.leader ?? '',
          leader_cluster_address: 'https://10.0.0.9:8201',
          active_time: '2026-01-01T00:00:00Z',
        },
      };
    if (req.path.startsWith('/v1/auth/token/lookup-self')) return { status: 200, body: { data: { id: 'x' } } };
    return { status: 404, body: { errors: [] } };
  };
}

let attempt = 0;
// A target of its own per attempt, so two attempts in one second never meet.
const backupVia = (address: string, extra: Record<string, string> = {}) =>
  runCommand(
    'backup',
    {
      target: join(dir, `attempt-${++attempt}`),
      'vault-address': address,
      'vault-auth-method': 'token',
      'vault-token': TOKEN,
      'encryption-key': KEY,
      ...extra,
    },
    { log: new MemoryLogger() },
  );

describe('the Vault token goes to the configured origin only', () => {
  it.each([['http'], ['https']])('a sys/leader naming another host (%s) receives nothing', async (scheme) => {
    const vault = await startRecordingServer(hostileVault({ leader: recorder.url.replace('http:', `${scheme}:`) }));
    try {
      const before = recorder.requests.length;
      await expect(backupVia(vault.url)).rejects.toThrow(/names http(s)?:\/\/127\.0\.0\.1:\d+ as the active node; no token is sent/);
      expect(recorder.requests.length).toBe(before);
      expect(vault.requests.filter((r) => r.path.includes('raft/snapshot'))).toEqual([]);
    } finally {
      await vault.close();
    }
  });

  it('vault-allowed-leaders lets the token go to a named leader', async () => {
    const vault = await startRecordingServer(hostileVault({ leader: recorder.url }));
    try {
      const before = recorder.requests.length;
      await expect(backupVia(vault.url, { 'vault-allowed-leaders': recorder.url })).rejects.toBeInstanceOf(VaultError);
      const reached = recorder.requests.slice(before);
      expect(reached.map((r) => r.path)).toEqual(['/v1/sys/storage/raft/snapshot']);
      expect(reached[0]!.headers['x-vault-token']).toBe(TOKEN);
    } finally {
      await vault.close();
    }
  });

  it('never from https to plain http, even when allowed', async () => {
    const vault = await startRecordingServer(hostileVault({ leader: recorder.url }), { tls });
    try {
      const before = recorder.requests.length;
      await expect(backupVia(vault.url, { 'vault-allowed-leaders': recorder.url, 'vault-ca-cert': tls.caPem })).rejects.toThrow(
        /over plain http: no token is sent there/,
      );
      expect(recorder.requests.length).toBe(before);
    } finally {
      await vault.close();
    }
  });

  it('a 307 on the snapshot and on a login is not followed', async () => {
    const vault = await startRecordingServer(hostileVault({ redirect: /raft\/snapshot|\/login$/ }));
    try {
      const before = recorder.requests.length;
      await expect(backupVia(vault.url)).rejects.toThrow(/redirect \(307\)/);
      await expect(
        backupVia(vault.url, { 'vault-auth-method': 'approle', 'vault-approle-role-id': 'role', 'vault-approle-secret-id': 'secret-id-never-elsewhere' }),
      ).rejects.toThrow(/AppRole login .*redirect \(307\)/);
      await expect(backupVia(vault.url, { 'vault-auth-method': 'jwt', 'vault-jwt': 'e30.e30.sig-never-elsewhere' })).rejects.toThrow(
        /JWT login .*redirect \(307\)/,
      );
      expect(recorder.requests.length).toBe(before);
    } finally {
      await vault.close();
    }
  });

  it('VAULT_TOKEN in the environment is not sent by a login that has no token', async () => {
    const vault = await startRecordingServer(hostileVault({}));
    const saved = process.env.VAULT_TOKEN;
    process.env.VAULT_TOKEN = 'hvs.from-the-environment';
    try {
      await expect(
        backupVia(vault.url, { 'vault-auth-method': 'approle', 'vault-approle-role-id': 'role', 'vault-approle-secret-id': 's' }),
      ).rejects.toBeInstanceOf(VaultError);
      expect(vault.requests.some((r) => JSON.stringify(r.headers).includes('from-the-environment'))).toBe(false);
    } finally {
      process.env.VAULT_TOKEN = saved;
      await vault.close();
    }
  });

  it('a restore into a staging whose leader names another host sends it neither token nor snapshot', async () => {
    const staging = await startRecordingServer(hostileVault({ leader: recorder.url }));
    try {
      const before = recorder.requests.length;
      const run = runCommand(
        'restore-test',
        {
          target: join(dir, 'store'),
          'encryption-keyring': KEY,
          'staging-vault-address': staging.url,
          'staging-vault-token': 'staging-token',
          'source-unseal-keys': source.unsealKeys.join(','),
          'canary-paths': 'secret/canary',
        },
        { log: new MemoryLogger() },
      );
      await expect(run).rejects.toThrow(/no token is sent to a host the settings do not name/);
      expect(recorder.requests.length).toBe(before);
      expect(staging.requests.filter((r) => r.path.includes('raft/snapshot'))).toEqual([]);
    } finally {
      await staging.close();
    }
  }, 60000);
});

describe('reading pins the KMS key', () => {
  let moto: MotoServer;
  let ours: string;
  let theirs: string;
  let foreignDir: string;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env());
    ours = (await moto.kms().send(new CreateKeyCommand({ Description: 'ours' }))).KeyMetadata!.Arn!;
    theirs = (await moto.kms().send(new CreateKeyCommand({ Description: 'another key the role may use' }))).KeyMetadata!.Arn!;
    foreignDir = join(dir, 'foreign');
    const r = await runCommand(
      'backup',
      {
        target: foreignDir,
        'vault-address': source.addr,
        'vault-auth-method': 'token',
        'vault-token': source.rootToken,
        'kms-key-id': theirs,
        'kms-endpoint': moto.endpoint,
        'kms-region': 'us-east-1',
      },
      { log: new MemoryLogger() },
    );
    if (r.command !== 'backup') throw new Error('backup failed');
  }, 60000);
  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
  });

  it('a backup wrapped under another KMS key is refused by verify, restore-test and decrypt before KMS is called', async () => {
    const kms = await startFaultProxy(moto.endpoint);
    try {
      const read = { target: foreignDir, 'kms-key-id': ours, 'kms-endpoint': kms.url, 'kms-region': 'us-east-1' };
      await expect(runCommand('verify', read, { log: new MemoryLogger() })).rejects.toBeInstanceOf(UntrustedKmsKeyError);
      await expect(
        runCommand(
          'restore-test',
          { ...read, 'source-unseal-keys': source.unsealKeys.join(','), 'canary-paths': 'secret/canary' },
          { log: new MemoryLogger() },
        ),
      ).rejects.toBeInstanceOf(UntrustedKmsKeyError);
      const list = await runCommand('list', { target: foreignDir }, { log: new MemoryLogger() });
      if (list.command !== 'list') throw new Error('wrong result');
      const file = join(foreignDir, list.list.backups[0]!.key);
      await expect(runCommand('decrypt', { ...read, in: file, out: join(dir, 'never.snap') }, { log: new MemoryLogger() })).rejects.toBeInstanceOf(
        UntrustedKmsKeyError,
      );
      expect(kms.seen.filter((r) => r.target === 'TrentService.Decrypt')).toEqual([]);

      // A raw-key reader never calls KMS, whatever the header says.
      await expect(runCommand('verify', { target: foreignDir, 'encryption-keyring': KEY }, { log: new MemoryLogger() })).rejects.toThrow(
        /needs its KMS key named in kms-key-id/,
      );
      expect(kms.seen.filter((r) => r.target === 'TrentService.Decrypt')).toEqual([]);

      // Named, the same backup verifies: the refusal was the pin, not a broken backup.
      await expect(runCommand('verify', { ...read, 'kms-key-id': `${ours}\n${theirs}` }, { log: new MemoryLogger() })).resolves.toMatchObject({
        command: 'verify',
      });
      expect(kms.seen.filter((r) => r.target === 'TrentService.Decrypt').length).toBe(1);
    } finally {
      await kms.close();
    }
  }, 60000);
});

describe('manifests are not trusted more than they deserve', () => {
  it('a 0-byte manifest does not make a backup complete, nor displace the valid older one', async () => {
    const target = join(dir, 'zero-manifest');
    cpSync(join(dir, 'store'), target, { recursive: true });
    const list = await runCommand('list', { target }, { log: new MemoryLogger() });
    if (list.command !== 'list') throw new Error('wrong result');
    const valid = list.list.backups[0]!.key;
    // A newer object beside an empty file at its manifest's name.
    const newer = backupKey('daily', new Date(parseBackupKey(valid)!.at.getTime() + 60_000));
    mkdirSync(join(target, newer, '..'), { recursive: true });
    copyFileSync(join(target, valid), join(target, newer));
    writeFileSync(join(target, newer.replace(/\.enc$/, '.json')), '');
    const after = await runCommand('list', { target }, { log: new MemoryLogger() });
    if (after.command !== 'list') throw new Error('wrong result');
    expect(after.list.backups.find((b) => b.key === newer)).toMatchObject({ complete: false });
    // Named, the valid older backup verifies; as "latest" it is not a pass: the newest backup is not usable.
    const verified = await runCommand('verify', { target, 'encryption-keyring': KEY, backup: valid }, { log: new MemoryLogger() });
    if (verified.command !== 'verify') throw new Error('wrong result');
    expect(verified.verify.key).toBe(valid);
    await expect(runCommand('verify', { target, 'encryption-keyring': KEY }, { log: new MemoryLogger() })).rejects.toThrow(
      new RegExp(`${valid.replace(/\./g, '\\.')} verified, but a newer backup is not usable: ${newer.replace(/\./g, '\\.')} \\(its manifest is not valid`),
    );
    await expect(runCommand('verify', { target, 'encryption-keyring': KEY, backup: newer }, { log: new MemoryLogger() })).rejects.toThrow(
      /is not complete: its manifest is not valid/,
    );
  });

  it('verify cross-checks the manifest against the authenticated header', async () => {
    const target = join(dir, 'edited-manifest');
    cpSync(join(dir, 'store'), target, { recursive: true });
    const list = await runCommand('list', { target }, { log: new MemoryLogger() });
    if (list.command !== 'list') throw new Error('wrong result');
    const manifestPath = join(target, list.list.backups[0]!.key.replace(/\.enc$/, '.json'));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { encryption: { keyId: string; chunkSize: number } };
    manifest.encryption.chunkSize = 4096;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const run = runCommand('verify', { target, 'encryption-keyring': KEY }, { log: new MemoryLogger() });
    await expect(run).rejects.toBeInstanceOf(IntegrityError);
    await expect(run).rejects.toThrow(/authenticated header and its manifest disagree \(chunk size 1048576 vs 4096\)/);
  });
});
