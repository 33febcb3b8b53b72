/**
 * docs/RESTORE.md, executed: every ```sh runbook block, in order, in one shell under `set -euo pipefail`,
 * with the bundled CLI and the server's own CLI (`vault` or `bao`), restoring a backup of one server (initialised
 * 5/3) into a brand-new, uninitialised one, with no credential of the lost cluster but its unseal keys, for each
 * set-up the page documents: S3, a directory, Azure, Cloud Storage; keyring and KMS; Shamir and transit
 * auto-unseal; a public and a private CA.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { AZURITE_ACCOUNT, startAzurite } from '../harness/azurite.js';
import { startFakeGcs } from '../harness/fake-gcs.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { makeTestTls } from '../harness/tls.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { ROOT, SERVER_CLI_NAME, SERVER_PATH } from '../harness/processes.js';

const KEYRING = `prod-2025=${Buffer.alloc(32, 5).toString('base64')}`;
let source: VaultServer;
let fresh: VaultServer;
let moto: MotoServer;
let work: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [source, fresh, moto] = await Promise.all([
    startVaultServer({ name: 'lost', shares: 5, threshold: 3 }),
    startVaultServer({ name: 'new', initialise: false, openGenerateRoot: true }), // as the runbook says: generate-root opened on its listener
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

/** Runs every runbook block of docs/RESTORE.md with `env`; returns the exit code and the output. */
function runRunbook(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', runbookScript()], { cwd: ROOT, env, timeout: 120000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** The new server holds the lost cluster's data, readable with the lost cluster's token. */
async function expectCanary(server: VaultServer, token: string): Promise<void> {
  const read = await fetch(`${server.addr}/v1/secret/data/canary`, { headers: { 'X-Vault-Token': token } });
  expect(read.status).toBe(200);
  expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual({ survived: 'yes' });
}

/** The page's variables for restoring `lost` (its keys, shares and threshold) into `into`; `extra` names the store and keys. */
function pageEnv(lost: VaultServer, seal: { shares: number; threshold: number; auto: boolean }, into: VaultServer, extra: Record<string, string>) {
  return {
    PATH: `${SERVER_PATH}:${process.env.PATH}`,
    HOME: work,
    VAULT_ADDR: into.addr,
    BAO_ADDR: into.addr,
    SERVER_CLI: SERVER_CLI_NAME,
    VAULT_BACKUP_SOURCE_UNSEAL_KEYS: lost.unsealKeys.slice(0, seal.threshold).join(' '),
    SOURCE_SHARES: String(seal.shares),
    SOURCE_THRESHOLD: String(seal.threshold),
    SOURCE_AUTO_UNSEAL: String(seal.auto),
    RESTORE_DIR: join(work, `restore-${into.addr.replace(/\W/g, '')}`),
    ...extra,
  };
}

/** The run went through, said it restored the canary, and showed none of the lost cluster's secrets. */
function expectRestored({ code, output }: { code: number; output: string }, lost: VaultServer): void {
  expect(code === 0 ? 'exit 0' : `exit ${code}: ${output.slice(-3000)}`).toBe('exit 0');
  expect(output).toMatch(/canary secret\/canary: present/);
  for (const secret of [lost.rootToken, ...lost.unsealKeys]) expect(output).not.toContain(secret);
}

it('restores a backup into a new server following docs/RESTORE.md to the letter (S3, keyring, Shamir 5/3)', async () => {
  const run = await runRunbook(
    pageEnv(source, { shares: 5, threshold: 3, auto: false }, fresh, {
      ...moto.env(),
      TARGET: 's3://dr-backups/prod-eu',
      VAULT_BACKUP_KEYRING: KEYRING,
      AWS_REGION: 'us-east-1',
    }),
  );
  expectRestored(run, source);
  expect(run.output).toMatch(/restoring daily\/\d{4}-\d{2}-\d{2}\/vault-snapshot-\d{8}-\d{6}\.enc/);
  await expectCanary(fresh, source.rootToken);
}, 150000);

it('restores a KMS-wrapped backup of a transit auto-unsealed cluster from a directory, following the same page', async () => {
  // The unsealer outlives the lost cluster; the new server is configured with the same seal stanza.
  const unsealer = await startVaultServer({ name: 'unsealer' });
  const dir = mkdtempSync(join(tmpdir(), 'vault-backup-runbook-dir-'));
  let lost: VaultServer | undefined;
  let replacement: VaultServer | undefined;
  try {
    await unsealer.api('POST', 'sys/mounts/transit', { type: 'transit' });
    await unsealer.api('POST', 'transit/keys/autounseal', {});
    const seal = `seal "transit" {\n  address = "${unsealer.addr}"\n  token = "${unsealer.rootToken}"\n  key_name = "autounseal"\n  mount_path = "transit/"\n}`;
    lost = await startVaultServer({ name: 'lost-transit', seal, shares: 3, threshold: 2 });
    await lost.writeSecret('canary', { survived: 'yes' });
    const key = await moto.kms().send(new CreateKeyCommand({ Description: 'vault backups' }));
    const kmsKeyId = key.KeyMetadata!.KeyId!;
    await runCommand(
      'backup',
      {
        target: dir,
        'vault-address': lost.addr,
        'vault-auth-method': 'token',
        'vault-token': lost.rootToken,
        'kms-key-id': kmsKeyId,
        'kms-region': 'us-east-1',
      },
      { log: new MemoryLogger() },
    );
    await lost.stop();
    replacement = await startVaultServer({ name: 'new-transit', seal, initialise: false, openGenerateRoot: true });
    const run = await runRunbook(
      pageEnv(lost, { shares: 3, threshold: 2, auto: true }, replacement, {
        ...moto.env(),
        TARGET: dir,
        VAULT_BACKUP_KMS_KEY_ID: kmsKeyId,
        AWS_REGION: 'us-east-1',
      }),
    );
    expectRestored(run, lost);
    await expectCanary(replacement, lost.rootToken);
  } finally {
    await Promise.all([lost?.stop(), replacement?.stop(), unsealer.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}, 180000);

/** Backs the lost cluster up to `target` with `settings`, then runs the runbook into a new server. */
async function runbookFrom(target: string, settings: Record<string, string>, env: Record<string, string>, fresh: VaultServer) {
  await runCommand(
    'backup',
    { target, 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEYRING, ...settings },
    { log: new MemoryLogger() },
  );
  return runRunbook(pageEnv(source, { shares: 5, threshold: 3, auto: false }, fresh, { TARGET: target, VAULT_BACKUP_KEYRING: KEYRING, ...env }));
}

it('restores from Azure Blob Storage into a new server behind a private CA, following the same page', async () => {
  const tlsDir = mkdtempSync(join(tmpdir(), 'vault-backup-runbook-tls-'));
  const tls = makeTestTls(tlsDir);
  const [azurite, fresh] = await Promise.all([startAzurite(), startVaultServer({ name: 'new-tls', tls, initialise: false, openGenerateRoot: true })]);
  try {
    await azurite.service().getContainerClient('dr-backups').create();
    const { code, output } = await runbookFrom(
      `az://${AZURITE_ACCOUNT}/dr-backups/prod`,
      { 'azure-connection-string': azurite.connectionString },
      { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, VAULT_CACERT: tls.caFile, BAO_CACERT: tls.caFile, VAULT_BACKUP_RESTORE_CA_CERT: tls.caFile },
      fresh,
    );
    expectRestored({ code, output }, source);
    expect(output).not.toContain(azurite.connectionString);
  } finally {
    await Promise.all([azurite.stop(), fresh.stop()]);
    rmSync(tlsDir, { recursive: true, force: true });
  }
}, 150000);

it('restores from Cloud Storage, following the same page', async () => {
  const [gcs, fresh] = await Promise.all([startFakeGcs(), startVaultServer({ name: 'new-gcs', initialise: false, openGenerateRoot: true })]);
  try {
    await gcs.storage().bucket('dr-backups').create();
    const { code, output } = await runbookFrom('gs://dr-backups/prod', { 'gcs-endpoint': gcs.endpoint }, { VAULT_BACKUP_GCS_ENDPOINT: gcs.endpoint }, fresh);
    expectRestored({ code, output }, source);
  } finally {
    await Promise.all([gcs.stop(), fresh.stop()]);
  }
}, 150000);
