/**
 * Vault over TLS with a private CA: the snapshot stream and the login (one HTTP stack) both trust
 * exactly what vault-ca-cert says, and an untrusted certificate fails with an error that says so.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { loginToVault } from '../../src/vault/vault-login.js';
import { createTestIssuer } from '../fakes/oidc-issuer.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { makeTestTls, type TestTls } from '../harness/tls.js';

const AUDIENCE = 'https://github.com/acme';
const issuer = createTestIssuer();
let dir: string;
let tls: TestTls;
let bao: VaultServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-tls-'));
  tls = makeTestTls(dir);
  bao = await startVaultServer({ name: 'tls', tls });
  await bao.enableJwtAuth(issuer.publicKeyPem, AUDIENCE);
}, 60000);

afterAll(async () => {
  await bao?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const inputs = (target: string, extra: Record<string, string>) => ({
  target: join(dir, target),
  'vault-address': bao.addr,
  'encryption-key': Buffer.alloc(32, 4).toString('base64'),
  ...extra,
});

it('backs up over TLS with the CA given as PEM text, logging in with JWT', async () => {
  const r = await runCommand(
    'backup',
    inputs('pem', { 'vault-ca-cert': tls.caPem, 'vault-auth-method': 'jwt', 'vault-jwt-role': 'backup', 'vault-jwt': issuer.githubToken(AUDIENCE) }),
    { log: new MemoryLogger() },
  );
  expect(r.command === 'backup' && r.backup.vaultVersion).toMatch(/^\d/);
});

it('backs up over TLS with the CA given as a file path', async () => {
  const r = await runCommand('backup', inputs('file', { 'vault-ca-cert': tls.caFile, 'vault-auth-method': 'token', 'vault-token': bao.rootToken }), {
    log: new MemoryLogger(),
  });
  expect(r.command).toBe('backup');
});

it('refuses a server certificate it was not told to trust, and says what to set', async () => {
  const run = runCommand('backup', inputs('untrusted', { 'vault-auth-method': 'token', 'vault-token': bao.rootToken }), { log: new MemoryLogger() });
  await expect(run).rejects.toBeInstanceOf(VaultError);
  await expect(run).rejects.toThrow(/cannot reach Vault at https:\/\/127\.0\.0\.1:\d+ .*(CERT|SIGNATURE|ISSUER)/);
});

it('the login trusts the CA setting and nothing else', async () => {
  const settings = (caCert?: string) => ({
    address: bao.addr,
    requestTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    tlsSkipVerify: false,
    ...(caCert ? { caCert } : {}),
    auth: { method: 'jwt' as const, role: 'backup', mount: 'jwt', jwt: issuer.githubToken(AUDIENCE) },
  });
  await expect(loginToVault(settings(tls.caPem))).resolves.toMatch(/^(s|hvs)\./); // OpenBao and HashiCorp Vault service tokens
  await expect(loginToVault(settings())).rejects.toBeInstanceOf(VaultError);
  const otherCa = makeTestTls(mkdtempSync(join(dir, 'other-'))).caPem;
  await expect(loginToVault(settings(otherCa))).rejects.toBeInstanceOf(VaultError);
});
