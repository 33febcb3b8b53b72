/**
 * docs/RESTORE.md, executed: every ```sh runbook block, in order, in one shell under `set -euo pipefail`,
 * with the bundled CLI and the real `bao` binary, restoring a backup of one OpenBao server (initialised 5/3)
 * into a brand-new, uninitialised one, with no credential of the lost cluster but its unseal keys.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCommand } from '../../src/jobs/run-command.js';
import { MemoryLogger } from '../../src/log.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startOpenBao, type OpenBaoServer } from '../harness/openbao.js';
import { ROOT, SERVERS_BIN } from '../harness/processes.js';

const KEYRING = `prod-2025=${Buffer.alloc(32, 5).toString('base64')}`;
let source: OpenBaoServer;
let fresh: OpenBaoServer;
let moto: MotoServer;
let work: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [source, fresh, moto] = await Promise.all([
    startOpenBao({ name: 'lost', shares: 5, threshold: 3 }),
    startOpenBao({ name: 'new', initialise: false, openGenerateRoot: true }), // as the runbook says: generate-root opened on its listener
    startMoto(),
  ]);
  Object.assign(process.env, moto.env());
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'dr-backups' }));
  await source.writeSecret('canary', { survived: 'yes' });
  await runCommand(
    'backup',
    {
      target: 's3://dr-backups/prod-eu',
      'vault-address': source.addr,
      'vault-auth-method': 'token',
      'vault-token': source.rootToken,
      'encryption-key': KEYRING,
    },
    { log: new MemoryLogger() },
  );
  work = mkdtempSync(join(tmpdir(), 'vault-backup-runbook-'));
}, 90000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([source?.stop(), fresh?.stop(), moto?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function runbookScript(): string {
  const text = readFileSync(join(ROOT, 'docs', 'RESTORE.md'), 'utf8');
  const blocks = [...text.matchAll(/```sh runbook\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(4);
  expect(blocks[0]).toMatch(/^set -euo pipefail/);
  return blocks.join('\n');
}

it('restores a backup into a new server following docs/RESTORE.md to the letter', async () => {
  const env = {
    PATH: `${SERVERS_BIN}:${process.env.PATH}`,
    HOME: work,
    ...moto.env(),
    TARGET: 's3://dr-backups/prod-eu',
    VAULT_BACKUP_KEYRING: KEYRING,
    AWS_REGION: 'us-east-1',
    VAULT_ADDR: fresh.addr,
    BAO_ADDR: fresh.addr,
    VAULT_BACKUP_SOURCE_UNSEAL_KEYS: source.unsealKeys.slice(0, 3).join(' '),
    SOURCE_SHARES: '5',
    SOURCE_THRESHOLD: '3',
    RESTORE_DIR: join(work, 'restore'),
  };
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', runbookScript()], { cwd: ROOT, env, timeout: 120000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  expect(code === 0 ? 'exit 0' : `exit ${code}: ${output.slice(-3000)}`).toBe('exit 0');
  expect(output).toMatch(/restoring daily\/\d{4}-\d{2}-\d{2}\/vault-snapshot-\d{8}-\d{6}\.enc/);
  expect(output).toMatch(/canary secret\/canary: present/);
  for (const secret of [source.rootToken, ...source.unsealKeys]) expect(output).not.toContain(secret);
  // The new server now holds the lost cluster's data, readable with the lost cluster's token.
  const read = await fetch(`${fresh.addr}/v1/secret/data/canary`, { headers: { 'X-Vault-Token': source.rootToken } });
  expect(read.status).toBe(200);
  expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual({ survived: 'yes' });
}, 150000);
