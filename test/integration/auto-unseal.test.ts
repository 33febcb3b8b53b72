/**
 * Auto-unseal sources restored into the throwaway cluster: a source sealed by transit (a second server as the
 * unsealer) and, on HashiCorp Vault, one sealed by awskms (moto's KMS). The cluster starts with the source's seal stanza
 * (restore-seal-config), reaches the seal's endpoint through the egress gate and nothing else, and a token in
 * the restored data comes from the source's recovery keys.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { RestoreError } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { EgressGate } from '../../src/restore/egress-gate.js';
import { startMoto, TEST_CREDENTIALS, TEST_REGION, type MotoServer } from '../harness/moto.js';
import { SERVER_KIND, SERVER_PATH } from '../harness/processes.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';

const KEY = `prod-2026=${Buffer.alloc(32, 9).toString('base64')}`;
const CANARY = { owner: 'platform', sealed: 'by transit' };
const savedPath = process.env.PATH;
const asRoot = process.getuid?.() === 0;
let unsealer: VaultServer;
let moto: MotoServer;
const portOf = (addr: string) => Number(new URL(addr).port);

/** A source server sealed by `stanza`, with a canary and one backup in a directory of its own. */
async function sealedSource(name: string, stanza: string): Promise<{ source: VaultServer; dir: string }> {
  const source = await startVaultServer({ name, seal: stanza, shares: 3, threshold: 2 });
  await source.writeSecret('canary', CANARY);
  const dir = mkdtempSync(join(tmpdir(), `vault-backup-${name}-`));
  const r = await runCommand(
    'backup',
    { target: dir, 'vault-address': source.addr, 'vault-auth-method': 'token', 'vault-token': source.rootToken, 'encryption-key': KEY },
    { log: new MemoryLogger() },
  );
  if (r.command !== 'backup') throw new Error('backup failed');
  return { source, dir };
}

const restoreInputs = (dir: string, source: VaultServer, extra: Record<string, string> = {}) => ({
  target: dir,
  'encryption-keyring': KEY,
  'source-unseal-keys': source.unsealKeys.slice(0, 2).join('\n'),
  'canary-paths': 'secret/canary',
  'restore-timeout-seconds': '60',
  ...extra,
});

/** Probes the throwaway cluster's network namespace from inside once it has started (as root: nsenter). */
class ProbingLogger extends MemoryLogger {
  reach: Record<string, boolean> = {};
  constructor(private readonly ports: Record<string, number>) {
    super();
  }
  override info(message: string): void {
    super.info(message);
    const m = /restore cluster started: .* \(pid (\d+)\)/.exec(message);
    if (!m || !asRoot) return;
    for (const [name, port] of Object.entries(this.ports)) {
      const script = `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
      try {
        execFileSync('nsenter', [`--net=/proc/${m[1]}/ns/net`, '--', process.execPath, '-e', script], { timeout: 10_000, stdio: 'ignore' });
        this.reach[name] = true;
      } catch {
        this.reach[name] = false;
      }
    }
  }
}

beforeAll(async () => {
  process.env.PATH = `${SERVER_PATH}:${savedPath}`;
  [unsealer, moto] = await Promise.all([startVaultServer({ name: 'unsealer' }), startMoto()]);
  let r = await unsealer.api('POST', 'sys/mounts/transit', { type: 'transit' });
  if (r.status !== 204) throw new Error(`transit mount: ${r.status} ${r.text}`);
  r = await unsealer.api('POST', 'transit/keys/autounseal', {});
  if (r.status !== 200 && r.status !== 204) throw new Error(`transit key: ${r.status} ${r.text}`);
}, 90000);

afterAll(async () => {
  process.env.PATH = savedPath;
  await Promise.all([unsealer?.stop(), moto?.stop()]);
});

describe('a transit-sealed source', () => {
  let source: VaultServer;
  let dir: string;
  let stanza: string;

  beforeAll(async () => {
    const policy = await unsealer.api('PUT', 'sys/policies/acl/autounseal', {
      policy: 'path "transit/encrypt/autounseal" { capabilities = ["update"] }\npath "transit/decrypt/autounseal" { capabilities = ["update"] }',
    });
    if (policy.status !== 204) throw new Error(`policy: ${policy.status} ${policy.text}`);
    const token = await unsealer.api('POST', 'auth/token/create-orphan', { policies: ['autounseal'], period: '24h' });
    stanza = `seal "transit" {
  address    = "${unsealer.addr}"
  token      = "${token.json.auth.client_token}"
  key_name   = "autounseal"
  mount_path = "transit/"
}`;
    ({ source, dir } = await sealedSource('transit-sealed', stanza));
  }, 90000);

  afterAll(async () => {
    await source?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes a throwaway restore test that reaches the unsealer and nothing else', async () => {
    const log = new ProbingLogger({ unsealer: portOf(unsealer.addr), source: portOf(source.addr) });
    const r = await runCommand('restore-test', restoreInputs(dir, source, { 'restore-seal-config': stanza }), { log, env: process.env });
    if (r.command !== 'restore-test') throw new Error('wrong result');
    expect(r.restoreTest).toMatchObject({ cluster: 'throwaway', networkIsolated: true, canaries: [{ path: 'secret/canary', found: true }] });
    const text = log.lines.join('\n');
    expect(text).toContain(`egress allowlist: 127.0.0.1:${portOf(unsealer.addr)} (the source's seal), nothing else`);
    expect(text).toMatch(/transit seal, 3 recovery shares, threshold 2\) and unsealed through its seal/);
    // The transit token in the stanza is a credential: never in the log.
    expect(text).not.toContain(stanza.match(/token\s+= "([^"]+)"/)![1]);
    if (asRoot) expect(log.reach).toEqual({ unsealer: true, source: false });
  }, 180000);

  it('recovers a secret and diffs against the live cluster through the same throwaway cluster, its seal and recovery keys', async () => {
    await source.writeSecret('canary', { ...CANARY, sealed: 'changed since' });
    const output = join(dir, 'recovered.json');
    const log = new MemoryLogger();
    const r = await runCommand(
      'recover',
      restoreInputs(dir, source, { 'restore-seal-config': stanza, 'recover-paths': 'secret/canary', 'recover-output': output }),
      { log, env: process.env },
    );
    if (r.command !== 'recover') throw new Error('wrong result');
    const doc = JSON.parse(readFileSync(output, 'utf8'));
    expect(doc.items[0].versions.map((v: { data: unknown }) => v.data)).toEqual([CANARY]);
    expect(log.lines.join('\n')).toMatch(/transit seal, 3 recovery shares, threshold 2\) and unsealed through its seal/);
    const d = await runCommand(
      'diff',
      restoreInputs(dir, source, {
        'restore-seal-config': stanza,
        'vault-address': source.addr,
        'vault-auth-method': 'token',
        'vault-token': source.rootToken,
      }),
      { log: new MemoryLogger(), env: process.env },
    );
    if (d.command !== 'diff') throw new Error('wrong result');
    expect(d.diff.diff.changes).toEqual([{ area: 'kv', path: 'secret/canary', change: 'changed', detail: 'version 1 → 2, value changed' }]);
  }, 180000);

  it('without restore-seal-config, is refused before the download with what to set', async () => {
    const log = new MemoryLogger();
    const run = runCommand('restore-test', restoreInputs(dir, source), { log, env: process.env });
    await expect(run).rejects.toBeInstanceOf(RestoreError);
    await expect(run).rejects.toThrow(/uses a transit seal: a throwaway restore cluster needs that seal/);
    await expect(run).rejects.toMatchObject({ hint: expect.stringMatching(/restore-seal-config/) });
    expect(log.lines.join('\n')).not.toMatch(/Download and verify/);
  });
});

// OpenBao ships its KMS seals as external plugins since 2.5 ("unknown wrapper: awskms" without one): the awskms
// source runs on HashiCorp Vault, which builds the wrapper in.
if (SERVER_KIND === 'vault')
  describe('an awskms-sealed source (moto)', () => {
    let source: VaultServer;
    let dir: string;
    let stanza: string;

    beforeAll(async () => {
      const key = await moto.kms().send(new CreateKeyCommand({ Description: 'vault auto-unseal' }));
      stanza = `seal "awskms" {
  region     = "${TEST_REGION}"
  access_key = "${TEST_CREDENTIALS.accessKeyId}"
  secret_key = "${TEST_CREDENTIALS.secretAccessKey}"
  kms_key_id = "${key.KeyMetadata!.KeyId}"
  endpoint   = "${moto.endpoint}"
}`;
      ({ source, dir } = await sealedSource('awskms-sealed', stanza));
    }, 90000);

    afterAll(async () => {
      await source?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('passes a throwaway restore test through the KMS endpoint alone', async () => {
      const log = new ProbingLogger({ kms: portOf(moto.endpoint), source: portOf(source.addr) });
      const r = await runCommand('restore-test', restoreInputs(dir, source, { 'restore-seal-config': stanza }), { log, env: process.env });
      if (r.command !== 'restore-test') throw new Error('wrong result');
      expect(r.restoreTest).toMatchObject({ cluster: 'throwaway', networkIsolated: true, canaries: [{ path: 'secret/canary', found: true }] });
      expect(log.lines.join('\n')).toMatch(/awskms seal, 3 recovery shares, threshold 2\) and unsealed through its seal/);
      if (asRoot) expect(log.reach).toEqual({ kms: true, source: false });
    }, 180000);
  });

describe('the egress gate', () => {
  /** Sends `request` to the gate's proxy socket; resolves with the status line. */
  const ask = (socket: string, request: string) =>
    new Promise<string>((resolve, reject) => {
      const c = connect(socket, () => c.write(request));
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\r\n')) {
          resolve(got.split('\r\n')[0]!);
          c.destroy();
        }
      });
      c.on('error', reject);
    });

  it('refuses every host:port but the seal endpoints, over CONNECT and plain http', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-backup-gate-'));
    const log = new MemoryLogger();
    const gate = await EgressGate.open(dir, [{ host: 'kms.eu-west-1.amazonaws.com', port: 443 }], log);
    try {
      const proxy = gate.relays.find((r) => r.listen.port === 3128)!.socket;
      expect(await ask(proxy, 'CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com:443\r\n\r\n')).toBe('HTTP/1.1 403 Forbidden');
      expect(await ask(proxy, 'CONNECT kms.eu-west-1.amazonaws.com:8443 HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 403 Forbidden');
      expect(await ask(proxy, 'GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n')).toMatch(/^HTTP\/1.1 403/);
      expect(gate.refused).toEqual(['CONNECT sts.amazonaws.com:443', 'CONNECT kms.eu-west-1.amazonaws.com:8443', 'GET http://169.254.169.254:80']);
      expect(log.lines.join('\n')).toMatch(/refused CONNECT sts\.amazonaws\.com:443/);
    } finally {
      await gate.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
