/**
 * recover and diff against real servers, as operators use them: a source initialised 3/2 with KV v2 and v1
 * secrets, policies and an AppRole role; a backup, known changes (a secret deleted, one overwritten, one
 * soft-deleted, one added, a policy changed and one added, a role changed, a KV v1 mount added), a second
 * backup. Every backup is opened in a throwaway cluster; values never reach the log or the result.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/commands/commands.js';
import { presenterOf } from '../../src/commands/commands.js';
import { InputError, RestoreError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/log.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { SERVER_PATH, waitFor } from '../harness/processes.js';

const KEY = `prod-2026=${Buffer.alloc(32, 9).toString('base64')}`;
/** Every value written carries this, so a leak anywhere is found by one search. */
const MARK = 'SECRETVALUE';
const POLICY_BEFORE = 'path "secret/data/app/*" { capabilities = ["read"] }\n';
const POLICY_AFTER = 'path "secret/data/*" { capabilities = ["read", "update"] }\n';

let source: VaultServer;
let dir: string;
let work: string;
let backupA: string;
let backupB: string;
const env = { ...process.env, PATH: `${SERVER_PATH}:${process.env.PATH}` };

async function ok(r: Promise<{ status: number; text: string }>, what: string): Promise<void> {
  const res = await r;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
}

async function backup(extra: Record<string, string> = {}, log = new MemoryLogger()) {
  const r = await runCommand(
    'backup',
    { target: dir, 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY, ...extra },
    { log, env },
  );
  if (r.command !== 'backup') throw new Error('backup failed');
  // Backup names have one-second resolution: the next one must not share this one's.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  return r;
}

/** Only what a disaster leaves, plus the source's unseal keys: the throwaway cluster needs nothing else. */
const opened = (extra: Record<string, string>) => ({
  target: dir,
  'encryption-keyring': KEY,
  'source-unseal-keys': source.unsealKeys.slice(0, 2).join('\n'),
  'restore-timeout-seconds': '60',
  ...extra,
});
/** The live cluster, for recover-into and diff-to live. */
const liveLogin = () => ({ 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken });

beforeAll(async () => {
  source = await startVaultServer({ name: 'recover', shares: 3, threshold: 2 });
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-recover-target-'));
  work = mkdtempSync(join(tmpdir(), 'vault-backup-recover-out-'));
  await source.writeSecret('app/db', { password: `db-1-${MARK}` });
  await source.writeSecret('app/db', { password: `db-2-${MARK}` });
  await source.writeSecret('app/api', { key: `api-1-${MARK}` });
  await source.writeSecret('app/cache', { token: `cache-1-${MARK}` });
  await source.writeSecret('team/x', { v: `x-${MARK}` });
  await ok(source.api('PUT', 'sys/policies/acl/ci-deployer', { policy: POLICY_BEFORE }), 'policy');
  await ok(source.api('POST', 'sys/auth/approle', { type: 'approle' }), 'approle');
  await ok(source.api('POST', 'auth/approle/role/ci', { token_ttl: '1h', token_policies: ['ci-deployer'] }), 'role');
  backupA = (await backup()).backup.objectKey;

  await ok(source.api('DELETE', 'secret/metadata/app/api'), 'delete api');
  await source.writeSecret('app/db', { password: `db-3-${MARK}` });
  await ok(source.api('DELETE', 'secret/data/app/cache'), 'soft-delete cache');
  await source.writeSecret('app/new', { x: `new-${MARK}` });
  await ok(source.api('PUT', 'sys/policies/acl/ci-deployer', { policy: POLICY_AFTER }), 'policy change');
  await ok(source.api('PUT', 'sys/policies/acl/auditor', { policy: POLICY_BEFORE }), 'policy add');
  await ok(source.api('POST', 'auth/approle/role/ci', { token_ttl: '2h' }), 'role change');
  await ok(source.api('POST', 'sys/mounts/legacy', { type: 'kv', options: { version: '1' } }), 'kv v1 mount');
  await waitFor('legacy/a', async () => ((await source.api('POST', 'legacy/a', { v: `legacy-${MARK}` })).status < 300 ? true : undefined));
  backupB = (await backup()).backup.objectKey;
}, 120000);

afterAll(async () => {
  await source?.stop();
  for (const d of [dir, work]) if (d) rmSync(d, { recursive: true, force: true });
});

/** Everything a run showed: its log, and the CLI's text and JSON of its result. */
function everythingShown(log: MemoryLogger, result: Parameters<typeof presenterOf>[0]): string {
  const p = presenterOf(result);
  return [log.lines.join('\n'), p.text(result), JSON.stringify(p.json(result)), JSON.stringify(p.report(result)), JSON.stringify(p.sections(result))].join(
    '\n',
  );
}

const THE_CHANGES = [
  { area: 'mount', path: 'legacy/', change: 'added', detail: 'kv v1' },
  { area: 'auth role', path: 'auth/approle/role/ci', change: 'changed', detail: 'configuration changed' },
  { area: 'policy', path: 'auditor', change: 'added', detail: '' },
  { area: 'policy', path: 'ci-deployer', change: 'changed', detail: 'policy text changed' },
  { area: 'kv', path: 'legacy/a', change: 'added', detail: 'KV v1' },
  { area: 'kv', path: 'secret/app/api', change: 'removed', detail: 'version 1' },
  { area: 'kv', path: 'secret/app/cache', change: 'changed', detail: 'deleted' },
  { area: 'kv', path: 'secret/app/db', change: 'changed', detail: 'version 2 → 3, value changed' },
  { area: 'kv', path: 'secret/app/new', change: 'added', detail: 'version 1' },
];

describe('diff', () => {
  it('between two backups reports exactly the changes made between them, and no value', async () => {
    const log = new MemoryLogger();
    const r = await runCommand('diff', opened({ 'diff-from': backupA, 'diff-to': backupB }), { log, env });
    if (r.command !== 'diff') throw new Error('wrong result');
    expect(r.diff.diff.changes).toEqual(THE_CHANGES);
    expect(r.diff.diff.counts).toEqual({ added: 4, removed: 1, changed: 4 });
    expect(r.diff.from.backupKey).toBe(backupA);
    expect(everythingShown(log, r)).not.toContain(MARK);
    expect(log.lines.join('\n')).toMatch(/the throwaway restore cluster was stopped/);
  }, 180000);

  it('between a backup and the live cluster: the same changes from the first, none from the second', async () => {
    const fromA = await runCommand('diff', opened({ 'diff-from': backupA, 'diff-to': 'live', ...liveLogin() }), { log: new MemoryLogger(), env });
    if (fromA.command !== 'diff') throw new Error('wrong result');
    expect(fromA.diff.diff.changes).toEqual(THE_CHANGES);
    expect(fromA.diff.to.label).toBe(`live ${source.addr}`);
    const fromB = await runCommand('diff', opened({ 'diff-from': backupB, ...liveLogin() }), { log: new MemoryLogger(), env });
    if (fromB.command !== 'diff') throw new Error('wrong result');
    expect(fromB.diff.diff.changes).toEqual([]);
  }, 180000);

  it('a value changed without a new version number (a secret deleted and written again) is reported as changed, not shown', async () => {
    await ok(source.api('DELETE', 'secret/metadata/team/x'), 'delete x');
    await source.writeSecret('team/x', { v: `x-other-${MARK}` });
    const log = new MemoryLogger();
    const r = await runCommand('diff', opened({ 'diff-from': backupB, ...liveLogin() }), { log, env });
    if (r.command !== 'diff') throw new Error('wrong result');
    expect(r.diff.diff.changes).toEqual([
      { area: 'kv', path: 'secret/team/x', change: 'changed', detail: expect.stringMatching(/^version 1 written again \(created .*\), value changed$/) },
    ]);
    expect(everythingShown(log, r)).not.toContain(MARK);
  }, 120000);
});

describe('recover', () => {
  it('a secret deleted after the backup, a policy and an auth role, into a file of mode 0600 and never into the log', async () => {
    const output = join(work, 'recovered.json');
    const log = new MemoryLogger();
    const r = await runCommand(
      'recover',
      opened({ backup: backupA, 'recover-paths': 'secret/app/api\nsys/policies/acl/ci-deployer\nauth/approle/role/ci', 'recover-output': output }),
      { log, env },
    );
    if (r.command !== 'recover') throw new Error('wrong result');
    expect(statSync(output).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(output, 'utf8'));
    expect(doc.recoveredFrom).toBe(backupA);
    const [api, policy, role] = doc.items;
    expect(api).toMatchObject({ kind: 'kv', path: 'secret/app/api', kvVersion: 2, currentVersion: 1 });
    expect(api.versions).toEqual([expect.objectContaining({ version: 1, destroyed: false, data: { key: `api-1-${MARK}` } })]);
    expect(policy).toEqual({ kind: 'policy', name: 'ci-deployer', policy: POLICY_BEFORE });
    expect(role).toMatchObject({ kind: 'auth-role', path: 'auth/approle/role/ci', data: expect.objectContaining({ token_ttl: 3600 }) });
    expect(r.recover.items).toEqual([
      'secret secret/app/api (current version 1; versions with data: 1)',
      'policy ci-deployer',
      'auth role auth/approle/role/ci',
    ]);
    expect(everythingShown(log, r)).not.toContain(MARK);
  }, 120000);

  it('a prefix with several versions each', async () => {
    const output = join(work, 'prefix.json');
    const r = await runCommand('recover', opened({ backup: backupB, 'recover-paths': 'secret/app/', 'recover-output': output }), {
      log: new MemoryLogger(),
      env,
    });
    if (r.command !== 'recover') throw new Error('wrong result');
    const items = JSON.parse(readFileSync(output, 'utf8')).items as Array<{ path: string; versions: Array<{ version: number; data?: unknown }> }>;
    expect(items.map((i) => i.path).sort()).toEqual(['secret/app/cache', 'secret/app/db', 'secret/app/new']);
    const db = items.find((i) => i.path === 'secret/app/db')!;
    expect(db.versions.map((v) => [v.version, v.data])).toEqual([
      [1, { password: `db-1-${MARK}` }],
      [2, { password: `db-2-${MARK}` }],
      [3, { password: `db-3-${MARK}` }],
    ]);
    // Soft-deleted before the backup: its version is listed, its data is gone.
    const cache = items.find((i) => i.path === 'secret/app/cache')!;
    expect(cache.versions).toEqual([expect.objectContaining({ version: 1, data: null })]);
  }, 120000);

  it('into the live cluster: a deleted secret comes back as a new version; a version written after the backup is not replaced without recover-force', async () => {
    const into = { ...liveLogin(), 'recover-into': source.addr, 'confirm-recover-into': source.addr };
    const back = await runCommand('recover', opened({ backup: backupA, 'recover-paths': 'secret/app/api', ...into }), { log: new MemoryLogger(), env });
    if (back.command !== 'recover') throw new Error('wrong result');
    expect(back.recover.into!.outcomes).toEqual([
      { item: 'secret secret/app/api', action: 'written', detail: "written as version 1 from the backup's version 1 (it was missing)" },
    ]);
    expect(await source.readSecret('app/api')).toEqual({ key: `api-1-${MARK}` });

    // secret/app/db is at version 3 now, written after backup A: refused, nothing written.
    const refused = runCommand('recover', opened({ backup: backupA, 'recover-paths': 'secret/app/db\nsecret/app/api', ...into }), {
      log: new MemoryLogger(),
      env,
    });
    await expect(refused).rejects.toThrow(RestoreError);
    await expect(refused).rejects.toThrow(
      /nothing was written .*secret secret\/app\/db: live version 3 \(written at .*\) is newer than the backup's version 2 \(backup taken /,
    );
    expect(await source.readSecret('app/db')).toEqual({ password: `db-3-${MARK}` });

    const log = new MemoryLogger();
    const forced = await runCommand(
      'recover',
      opened({
        backup: backupA,
        'recover-paths': 'secret/app/db\nsecret/app/api\nsys/policies/acl/ci-deployer\nauth/approle/role/ci',
        'recover-force': 'true',
        ...into,
      }),
      { log, env },
    );
    if (forced.command !== 'recover') throw new Error('wrong result');
    expect(forced.recover.into!.outcomes.map((o) => [o.item, o.action])).toEqual([
      ['secret secret/app/db', 'written'],
      ['secret secret/app/api', 'unchanged'],
      ['policy ci-deployer', 'written'],
      ['auth role auth/approle/role/ci', 'written'],
    ]);
    expect(forced.recover.into!.outcomes[0]!.detail).toBe("written as version 4 from the backup's version 2 (live was at version 3)");
    expect(await source.readSecret('app/db')).toEqual({ password: `db-2-${MARK}` });
    // The overwritten version stays in the history.
    expect((await source.api('GET', 'secret/data/app/db?version=3')).json.data.data).toEqual({ password: `db-3-${MARK}` });
    expect((await source.api('GET', 'sys/policies/acl/ci-deployer')).json.data.policy).toBe(POLICY_BEFORE);
    expect((await source.api('GET', 'auth/approle/role/ci')).json.data.token_ttl).toBe(3600);
    expect(everythingShown(log, forced)).not.toContain(MARK);
  }, 240000);

  it('refuses before any restore: an unconfirmed live address, an existing output file, a path that is not one', async () => {
    const into = { ...liveLogin(), 'recover-into': source.addr };
    await expect(
      runCommand('recover', opened({ 'recover-paths': 'secret/app/db', ...into, 'confirm-recover-into': 'http://127.0.0.1:1' }), {
        log: new MemoryLogger(),
        env,
      }),
    ).rejects.toThrow(/confirm-recover-into: must repeat recover-into/);
    const existing = join(work, 'exists.json');
    writeFileSync(existing, 'keep me');
    await expect(
      runCommand('recover', opened({ 'recover-paths': 'secret/app/db', 'recover-output': existing }), { log: new MemoryLogger(), env }),
    ).rejects.toThrow(/recover-output .* already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    await expect(
      runCommand('recover', opened({ 'recover-paths': 'secret', 'recover-output': join(work, 'x.json') }), { log: new MemoryLogger(), env }),
    ).rejects.toThrow(InputError);
    await expect(runCommand('recover', opened({ 'recover-paths': 'secret/app/db' }), { log: new MemoryLogger(), env })).rejects.toThrow(
      /recover-output: or recover-into is required/,
    );
    expect(existsSync(join(work, 'x.json'))).toBe(false);
  });

  it('removes what a killed run left before it starts, as the restore test does', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vault-backup-recover-tmp-'));
    // A private directory marked with the PID of a run that is gone (a process that has exited).
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const leftover = join(tmp, 'vault-backup-restore-work-killed');
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'owner.pid'), `${gone}\n`);
    writeFileSync(join(leftover, 'backup.enc'), 'ciphertext a killed run spooled');
    const existing = join(work, 'exists-too.json');
    writeFileSync(existing, 'keep me');
    const log = new MemoryLogger();
    await expect(
      runCommand('recover', opened({ 'recover-paths': 'secret/app/db', 'recover-output': existing }), { log, env: { ...env, TMPDIR: tmp } }),
    ).rejects.toThrow(/already exists/);
    expect(existsSync(leftover)).toBe(false);
    expect(log.lines.join('\n')).toContain(`removed what a killed restore (pid ${gone}) left: ${leftover}`);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a path missing from the backup fails and leaves no file behind', async () => {
    const output = join(work, 'missing.json');
    await expect(
      runCommand('recover', opened({ backup: backupA, 'recover-paths': 'secret/app/never', 'recover-output': output }), { log: new MemoryLogger(), env }),
    ).rejects.toThrow(/secret secret\/app\/never is not in the backup/);
    expect(existsSync(output)).toBe(false);
  }, 120000);
});

describe('backup with diff-with-previous', () => {
  it('reports what changed since the previous backup in its result and summary section', async () => {
    await source.writeSecret('app/fresh', { v: `fresh-${MARK}` });
    const log = new MemoryLogger();
    const r = await backup({ 'diff-with-previous': 'true', 'source-unseal-keys': source.unsealKeys.slice(0, 2).join('\n') }, log);
    expect(r.changes?.from.backupKey).toBe(backupB);
    expect(r.changes?.diff.changes).toContainEqual({ area: 'kv', path: 'secret/app/fresh', change: 'added', detail: 'version 1' });
    const sections = presenterOf(r).sections(r);
    expect(sections[0]).toMatchObject({ kind: 'table', header: ['Change', 'Area', 'Path', 'Detail'] });
    expect(presenterOf(r).outputs(r)['added-count']).toBe(String(r.changes!.diff.counts.added));
    expect(everythingShown(log, r)).not.toContain(MARK);
  }, 180000);
});
