/**
 * A real single-node Vault server with raft storage on 127.0.0.1 (OpenBao, or HashiCorp Vault in the jest
 * project that runs the Vault-facing suites on it), initialised, unsealed, with a KV v2 mount, a snapshot
 * policy, and JWT auth that trusts a local test issuer. The configuration is what an operator writes: the
 * server's defaults, nothing test-only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort, SERVER_KIND, serverCli, startProcess, waitFor, type RunningProcess, type ServerKind } from './processes.js';
import type { TestTls } from './tls.js';

export interface VaultServer {
  addr: string;
  rootToken: string;
  unsealKeys: string[];
  dataDir: string;
  process: RunningProcess;
  /** Raw API call with the root token. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any; text: string }>;
  writeSecret(path: string, data: Record<string, string>): Promise<void>;
  readSecret(path: string): Promise<Record<string, string> | undefined>;
  /** Enables JWT auth trusting `publicKeyPem`, with role `backup` bound to the audience and repository. */
  enableJwtAuth(publicKeyPem: string, audience: string, repository?: string): Promise<void>;
  restart(): Promise<void>;
  unseal(keys?: string[]): Promise<void>;
  stop(): Promise<void>;
}

export const SNAPSHOT_POLICY = `
path "sys/storage/raft/snapshot" { capabilities = ["read"] }
path "sys/leader" { capabilities = ["read"] }
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }
`;

export interface VaultServerOptions {
  name?: string;
  tls?: TestTls;
  /** Shamir key shares and threshold at init (default 1/1). */
  shares?: number;
  threshold?: number;
  /** A second plain-http TCP listener on another port (production reached under another address). */
  secondListener?: boolean;
  /** false: leave the server uninitialised (a runbook initialises it itself). */
  initialise?: boolean;
  /**
   * Open the unauthenticated generate-root endpoints on the listener (disable_unauthed_generate_root_endpoints =
   * false), as an operator of OpenBao must for a restore to generate a root token. Unset, the server keeps
   * OpenBao's default (closed since 2.5.3), as most are installed. HashiCorp Vault has no such setting: its
   * generate-root endpoints are always open.
   */
  openGenerateRoot?: boolean;
  /** Which server (default: the one this jest project runs, VAULT_BACKUP_TEST_SERVER). */
  server?: ServerKind;
  /** An auto-unseal `seal "TYPE" { ... }` stanza: the server is initialised with recovery shares and unseals itself. */
  seal?: string;
}

export async function startVaultServer(options: VaultServerOptions = {}): Promise<VaultServer & { secondAddr: string | undefined }> {
  const kind = options.server ?? SERVER_KIND;
  const bao = serverCli(kind);
  const port = await freePort(true);
  const secondPort = options.secondListener ? await freePort() : undefined;
  const dir = mkdtempSync(join(tmpdir(), `openbao-${options.name ?? 'test'}-`));
  const dataDir = join(dir, 'raft');
  const tls = options.tls;
  const addr = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  // The harness's own requests trust the test CA; the tool under test gets it only through its settings.
  const dispatcher = tls ? new Agent({ connect: { ca: tls.caPem } }) : undefined;
  const fetch = (url: string, init: Parameters<typeof undiciFetch>[1] = {}) => undiciFetch(url, { ...init, ...(dispatcher ? { dispatcher } : {}) });
  writeFileSync(
    join(dir, 'config.hcl'),
    `storage "raft" {
  path    = "${dataDir}"
  node_id = "${options.name ?? 'node1'}"
}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  ${tls ? `tls_cert_file = "${tls.certFile}"\n  tls_key_file  = "${tls.keyFile}"` : 'tls_disable = true'}
${options.openGenerateRoot && kind === 'openbao' ? "  # Opened by the operator: a restore may generate a root token from the source's unseal keys.\n  disable_unauthed_generate_root_endpoints = false\n" : ''}}
${secondPort ? `listener "tcp" {\n  address = "127.0.0.1:${secondPort}"\n  tls_disable = true\n}` : ''}
api_addr      = "${addr}"
cluster_addr  = "http://127.0.0.1:${port + 1}"
disable_mlock = true
ui            = false
log_level     = "warn"
${options.seal ?? ''}
`,
  );
  mkdirSync(dataDir, { recursive: true });

  const env = { BAO_ADDR: addr, VAULT_ADDR: addr, ...(tls ? { BAO_CACERT: tls.caFile, VAULT_CACERT: tls.caFile } : {}) };
  let proc = startProcess(bao, ['server', `-config=${join(dir, 'config.hcl')}`], join(dir, 'server.log'), env);
  let rootToken = '';

  const api: VaultServer['api'] = async (method, path, body, token) => {
    const res = await fetch(`${addr}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token ?? rootToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'manual',
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };

  const healthStatus = async () => (await fetch(`${addr}/v1/sys/health`)).status;
  const waitActive = () =>
    waitFor(
      `${kind} to become active`,
      async () => ((await healthStatus()) === 200 ? true : undefined),
      30000,
      () => proc.log(),
    );

  await waitFor(
    `${kind} to listen`,
    async () => ((await healthStatus()) === 501 ? true : undefined),
    30000,
    () => proc.log(),
  );
  const threshold = options.threshold ?? 1;
  const initialise = options.initialise ?? true;
  const shares = { shares: options.shares ?? 1, threshold };
  const init = initialise
    ? await api(
        'POST',
        'sys/init',
        options.seal ? { recovery_shares: shares.shares, recovery_threshold: threshold } : { secret_shares: shares.shares, secret_threshold: threshold },
      )
    : undefined;
  if (init && init.status !== 200) throw new Error(`init failed: ${init.status} ${init.text}`);
  rootToken = init?.json.root_token ?? '';
  // Under auto-unseal, the recovery keys (they generate root tokens as unseal keys do under Shamir).
  const unsealKeys: string[] = (options.seal ? init?.json.recovery_keys_base64 : init?.json.keys_base64) ?? [];

  const unseal = async (keys = options.seal ? [] : unsealKeys.slice(0, threshold)) => {
    for (const key of keys) {
      const r = await api('POST', 'sys/unseal', { key });
      if (r.status !== 200) throw new Error(`unseal failed: ${r.status} ${r.text}`);
    }
    await waitActive();
  };
  if (initialise) {
    await unseal();
    const mount = await api('POST', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    if (mount.status !== 204) throw new Error(`mounting kv failed: ${mount.status} ${mount.text}`);
    const policy = await api('PUT', 'sys/policies/acl/vault-backup', { policy: SNAPSHOT_POLICY });
    if (policy.status !== 204) throw new Error(`writing policy failed: ${policy.status} ${policy.text}`);
  }

  const server: VaultServer & { secondAddr: string | undefined } = {
    addr,
    secondAddr: secondPort ? `http://127.0.0.1:${secondPort}` : undefined,
    get rootToken() {
      return rootToken;
    },
    set rootToken(value: string) {
      rootToken = value;
    },
    unsealKeys,
    dataDir,
    get process() {
      return proc;
    },
    api,
    unseal,
    async writeSecret(path, data) {
      // A fresh KV v2 mount answers 400 "Upgrading from non-versioned to versioned data" for a moment.
      await waitFor(`write of secret/${path}`, async () => {
        const r = await api('POST', `secret/data/${path}`, { data });
        if (r.status === 200 || r.status === 204) return true;
        if (r.status === 400 && /upgrad/i.test(r.text)) return undefined;
        throw new Error(`write secret/${path} failed: ${r.status} ${r.text}`);
      });
    },
    async readSecret(path) {
      const r = await api('GET', `secret/data/${path}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`read secret/${path} failed: ${r.status} ${r.text}`);
      return r.json.data.data;
    },
    async enableJwtAuth(publicKeyPem, audience, repository = 'acme/platform') {
      let r = await api('POST', 'sys/auth/jwt', { type: 'jwt' });
      if (r.status !== 204 && !/path is already in use/.test(r.text)) throw new Error(`enable jwt failed: ${r.status} ${r.text}`);
      r = await api('POST', 'auth/jwt/config', { jwt_validation_pubkeys: [publicKeyPem], bound_issuer: 'https://token.actions.githubusercontent.com' });
      if (r.status !== 204) throw new Error(`jwt config failed: ${r.status} ${r.text}`);
      r = await api('POST', 'auth/jwt/role/backup', {
        role_type: 'jwt',
        user_claim: 'repository',
        bound_audiences: [audience],
        bound_claims: { repository, ref: 'refs/heads/main' },
        token_policies: ['vault-backup'],
        token_ttl: '10m',
      });
      if (r.status !== 204) throw new Error(`jwt role failed: ${r.status} ${r.text}`);
    },
    async restart() {
      await proc.stop();
      proc = startProcess(bao, ['server', `-config=${join(dir, 'config.hcl')}`], join(dir, `server-${Date.now()}.log`), env);
      await waitFor(
        `${kind} to listen after restart`,
        // Any answer means it listens: whoever asked for the restart may unseal it before this probe looks.
        async () => ((await healthStatus()) > 0 ? true : undefined),
        30000,
        () => proc.log(),
      );
    },
    async stop() {
      await proc.stop();
      await dispatcher?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
