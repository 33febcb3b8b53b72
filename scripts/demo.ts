/**
 * The main job end to end on local defaults: a throwaway OpenBao server with raft storage and a few
 * sample secrets, backed up by the bundled CLI into ./.demo/backups, then listed, verified (decrypted
 * and checked as a snapshot archive), decrypted to a pipe to show what is inside, and restored into a throwaway
 * cluster (the weekly restore test) to show the recovery time.
 *   npm ci && npm run demo
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startVaultServer } from '../test/harness/vault-server.js';
import { SERVERS_BIN } from '../test/harness/processes.js';

const root = resolve(import.meta.dirname ?? '.', '..');
const demo = join(root, '.demo');
const cli = join(root, 'dist', 'cli', 'index.js');

/** A step that failed: the CLI already printed its error, so the demo names the step and stops. */
class DemoStepFailed extends Error {}

function step(title: string, args: string[], env: Record<string, string>): void {
  console.log(`\n$ vault-backup ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new DemoStepFailed(`demo stopped: the ${title} step failed (exit ${r.status ?? r.signal}); its error is above`);
}

async function runDemo(): Promise<void> {
  rmSync(demo, { recursive: true, force: true });
  mkdirSync(demo, { recursive: true });
  console.log('Starting a throwaway OpenBao server (raft storage) on 127.0.0.1 ...');
  const bao = await startVaultServer({ name: 'demo' });
  try {
    await bao.writeSecret('canary', { value: 'alive' });
    await bao.writeSecret('apps/billing/db', { username: 'billing', password: randomBytes(12).toString('hex') });
    console.log(`OpenBao ${bao.addr} is up with sample secrets.`);

    const key = `demo-key=${randomBytes(32).toString('base64')}`;
    const env = { VAULT_ADDR: bao.addr, VAULT_TOKEN: bao.rootToken, VAULT_BACKUP_KEY: key, VAULT_BACKUP_KEYRING: key };
    const target = join(demo, 'backups');

    step('backup', ['backup', '--target', target, '--vault-auth-method', 'token'], env);
    step('list', ['list', '--target', target], env);
    step('verify', ['verify', '--target', target, '--backup', 'latest'], env);

    const listed = JSON.parse(execFileSync(process.execPath, [cli, 'list', '--target', target, '--json'], { env: { ...process.env, ...env } }).toString()) as {
      backups: Array<{ key: string }>;
    };
    const newest = join(target, listed.backups[0]!.key);
    console.log(`\n$ vault-backup decrypt --in ${newest} --out - | tar -tzv    # plaintext only in the pipe`);
    const plain = execFileSync(process.execPath, [cli, 'decrypt', '--in', newest, '--out', '-'], { env: { ...process.env, ...env } });
    console.log(execFileSync('tar', ['-tzv'], { input: plain }).toString());

    // The weekly rehearsal: the newest backup restored into a throwaway server the tool starts and removes, its
    // canary read back. In its own network namespace where this machine allows it; on loopback otherwise.
    step('restore-test', ['restore-test', '--target', target, '--canary-paths', 'secret/canary', '--restore-isolation', 'best-effort'], {
      ...env,
      PATH: `${SERVERS_BIN}:${process.env.PATH ?? ''}`,
      VAULT_BACKUP_SOURCE_UNSEAL_KEYS: bao.unsealKeys.join(','),
    });
    console.log(`Demo complete: encrypted backups are in ${target}; the restore test above gives the RTO.`);
  } finally {
    await bao.stop();
  }
}

try {
  await runDemo();
} catch (error) {
  // One line, no stack trace: the step's own output above says what went wrong.
  console.error(error instanceof DemoStepFailed ? error.message : `demo stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
