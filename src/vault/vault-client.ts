/**
 * The Vault operations this tool needs: health, seal status, finding the active node, streaming a raft
 * snapshot out, streaming one in (restore), initialising, unsealing, generating a root token from unseal
 * keys, and reading KV secrets. Credentials go only to the configured origin, or to a leader the
 * operator allowed (allowedLeaders), never from https to http.
 */
import { Readable } from 'node:stream';
import { VaultError } from '../errors.js';
import { VaultHttp, parseJsonText, statusError, vaultErrorsOf } from './vault-http.js';
import type { VaultAuth, VaultSettings } from './vault-settings.js';
import type { Logger } from '../log.js';
import { generateRootToken } from './generate-root.js';
import { loginToVault } from './vault-login.js';

export interface VaultHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version: string;
  clusterId: string | undefined;
  clusterName: string | undefined;
}

export interface SealStatus {
  initialized: boolean;
  sealed: boolean;
  /** Key shares (n) and threshold (t) of a Shamir seal; recovery shares for an auto-unseal seal. */
  shares: number;
  threshold: number;
  progress: number;
  type: string;
  clusterId: string | undefined;
}

/** What sys/leader tells without a token: who the active node is, by the addresses in its own config. */
export interface LeaderInfo {
  isSelf: boolean;
  leaderAddress: string;
  leaderClusterAddress: string;
  activeTime: string;
}

export const originOf = (address: string): string => {
  const url = new URL(address);
  return `${url.protocol}//${url.host}`.toLowerCase();
};

export class VaultClient {
  readonly http: VaultHttp;
  constructor(readonly settings: VaultSettings) {
    this.http = new VaultHttp(settings);
  }

  get address(): string {
    return this.settings.address;
  }

  /** sys/health with every status accepted, so the state can be described instead of thrown. */
  async health(): Promise<VaultHealth> {
    const { data } = await this.http.json<Record<string, unknown>>('GET', 'sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200', {
      ok: [200, 429, 472, 473, 501, 503],
    });
    return {
      initialized: Boolean(data?.initialized),
      sealed: Boolean(data?.sealed),
      standby: Boolean(data?.standby),
      version: String(data?.version ?? 'unknown'),
      clusterId: typeof data?.cluster_id === 'string' ? data.cluster_id : undefined,
      clusterName: typeof data?.cluster_name === 'string' ? data.cluster_name : undefined,
    };
  }

  /** Fails with an actionable error unless the node at `address` is initialised and unsealed. */
  async requireUnsealed(): Promise<VaultHealth> {
    const health = await this.health();
    if (!health.initialized)
      throw new VaultError(`Vault at ${this.address} is not initialised`, { hint: 'initialise the cluster, or point vault-address at the right one' });
    if (health.sealed) throw new VaultError(`Vault at ${this.address} is sealed`, { hint: 'unseal it (or fix its auto-unseal) and run the backup again' });
    return health;
  }

  async leader(): Promise<LeaderInfo> {
    const { data } = await this.http.json<{ is_self?: boolean; leader_address?: string; leader_cluster_address?: string; active_time?: string }>(
      'GET',
      'sys/leader',
    );
    return {
      isSelf: Boolean(data?.is_self),
      leaderAddress: String(data?.leader_address ?? '').replace(/\/+$/, ''),
      leaderClusterAddress: String(data?.leader_cluster_address ?? '').replace(/\/+$/, ''),
      activeTime: String(data?.active_time ?? ''),
    };
  }

  /**
   * Where requests carrying this cluster's credentials go. A standby answers snapshot requests with a
   * redirect and a streamed body cannot be replayed, so they must reach the leader; but sys/leader is
   * unauthenticated, so the leader it names is used only when the operator listed it (allowedLeaders).
   */
  async activeAddress(): Promise<string> {
    if (this.settings.socketPath) return this.address;
    const leader = await this.leader();
    if (leader.isSelf || !leader.leaderAddress) return this.address;
    let named: string;
    try {
      named = originOf(leader.leaderAddress);
    } catch {
      throw new VaultError(`sys/leader at ${this.address} names an active node that is not a URL: ${JSON.stringify(leader.leaderAddress.slice(0, 200))}`);
    }
    const own = originOf(this.address);
    if (named === own) return this.address;
    const allowed = (this.settings.allowedLeaders ?? []).map(originOf);
    if (own.startsWith('https:') && named.startsWith('http:')) {
      throw new VaultError(`${this.address} is a standby and names ${named} as the active node, over plain http: no token is sent there`, {
        hint: 'point vault-address at the active node or at a load balancer that forwards to it; credentials never go from https to http',
      });
    }
    if (!allowed.includes(named)) {
      throw new VaultError(`${this.address} is a standby and names ${named} as the active node; no token is sent to a host the settings do not name`, {
        hint: `point vault-address at the active node (or a load balancer that forwards to it), or add ${named} to vault-allowed-leaders`,
      });
    }
    return named;
  }

  /** Starts the snapshot download from the active node; the body is the gzip'd tar as Vault streams it. */
  async snapshotStream(token: string, signal?: AbortSignal): Promise<{ stream: Readable; from: string }> {
    const from = await this.activeAddress();
    // Each piece is a copy the HTTP parser hands out once, so the reader may free it (VaultHttp.download).
    const stream = await this.http.download('sys/storage/raft/snapshot', { token, baseAddress: from, ...(signal ? { signal } : {}) });
    return { stream, from };
  }

  /**
   * Streams a snapshot into the cluster. `force` skips the seal check (needed for a snapshot from another
   * cluster); Vault still verifies SHA256SUMS. The call returns once Vault has the body; the restore
   * itself continues in the background.
   */
  async restoreSnapshot(token: string, body: Readable, force: boolean): Promise<void> {
    const target = await this.activeAddress();
    const path = force ? 'sys/storage/raft/snapshot-force' : 'sys/storage/raft/snapshot';
    const res = await this.http.send('POST', path, { token, body, baseAddress: target });
    const text = await res.body.text();
    if (res.status !== 200 && res.status !== 204) throw statusError(target, 'POST', path, res.status, parseJsonText(text));
  }

  async sealStatus(): Promise<SealStatus> {
    const { data } = await this.http.json<Record<string, unknown>>('GET', 'sys/seal-status');
    return sealStatusOf(data);
  }

  async submitUnsealKey(key: string): Promise<SealStatus> {
    const { data } = await this.http.json<Record<string, unknown>>('POST', 'sys/unseal', { json: { key } });
    return sealStatusOf(data);
  }

  /**
   * sys/init: with Shamir shares, or for an auto-unseal seal with recovery shares. Returns the unseal keys
   * (the recovery keys under auto-unseal; base64) and the initial root token.
   */
  async initialize(shares: number, threshold: number, recovery = false): Promise<{ keys: string[]; rootToken: string }> {
    const { data } = await this.http.json<{ keys_base64?: string[]; recovery_keys_base64?: string[]; root_token?: string }>('POST', 'sys/init', {
      json: recovery ? { recovery_shares: shares, recovery_threshold: threshold } : { secret_shares: shares, secret_threshold: threshold },
    });
    const keys = recovery ? data?.recovery_keys_base64 : data?.keys_base64;
    if (!data?.root_token || !Array.isArray(keys)) throw new VaultError(`sys/init at ${this.address} answered without keys or a root token`);
    return { keys, rootToken: data.root_token };
  }

  /** True when the token is valid here (auth/token/lookup-self answers 200). */
  async tokenWorks(token: string): Promise<boolean> {
    const { status } = await this.http.json('GET', 'auth/token/lookup-self', { token, ok: [200, 401, 403] });
    return status === 200;
  }

  /**
   * A response-wrapping token that holds nothing of value (sys/wrapping/wrap, which the default policy allows);
   * undefined when this token may not wrap or the server does not offer it. It lives in the token store, so a
   * restore that replaces the store removes it: the one sign of an applied restore that OpenBao and HashiCorp
   * Vault share.
   */
  async wrappingMarker(token: string, ttlSeconds: number): Promise<string | undefined> {
    const res = await this.http.json<{ wrap_info?: { token?: unknown } }>('POST', 'sys/wrapping/wrap', {
      token,
      json: { marker: 'restore-applied-check' },
      wrapTtlSeconds: ttlSeconds,
      // Refused (403) or not offered (a server without response wrapping): the caller falls back to the other signs.
      ok: [200, 400, 403, 404, 405],
    });
    const wrapped = res.status === 200 ? res.data?.wrap_info?.token : undefined;
    return typeof wrapped === 'string' && wrapped ? wrapped : undefined;
  }

  /** Whether a wrapping token exists here (sys/wrapping/lookup): true, false, or undefined when the node cannot tell yet. */
  async wrappingTokenExists(wrappingToken: string): Promise<boolean | undefined> {
    const res = await this.http.json<unknown>('POST', 'sys/wrapping/lookup', { json: { token: wrappingToken }, ok: [200, 400, 500, 503] });
    if (res.status === 200) return true;
    if (res.status === 400 && /not valid or does not exist/i.test(vaultErrorsOf(res.data))) return false;
    return undefined;
  }

  async revokeSelf(token: string): Promise<void> {
    await this.http.json('POST', 'auth/token/revoke-self', { token, ok: [200, 204] });
  }

  /**
   * The KV mount holding `path` and its version, from sys/internal/ui/mounts (which a token that may read the
   * path may ask); without access to it, the first segment and v1.
   */
  async kvMount(token: string, path: string): Promise<{ mount: string; version: string; rest: string }> {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const mounts = await this.http.json<unknown>('GET', 'sys/internal/ui/mounts/' + clean, { token, ok: [200, 403, 404] });
    const info = mounts.data as { data?: { path?: string; options?: { version?: string } | null; type?: string } } | undefined;
    const known = mounts.status === 200 && info?.data?.path ? info.data : undefined;
    const mount = known?.path ? known.path.replace(/\/+$/, '') : (clean.split('/')[0] ?? '');
    return { mount, version: known?.options?.version ?? '1', rest: clean.slice(mount.length).replace(/^\/+/, '') };
  }

  /** Reads a KV secret, detecting KV v1 or v2 from the mount's options. Returns undefined when absent. */
  async readKv(token: string, path: string): Promise<Record<string, unknown> | undefined> {
    const { mount, version, rest } = await this.kvMount(token, path);
    const apiPath = version === '2' ? `${mount}/data/${rest}` : `${mount}/${rest}`;
    const data = await this.read(token, apiPath);
    return version === '2' ? ((data?.data as Record<string, unknown> | null | undefined) ?? undefined) : data;
  }

  /** The `data` of a GET at `path`; undefined when nothing is there (404). */
  async read(token: string, path: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.http.json<{ data?: Record<string, unknown> | null }>('GET', path, { token, ok: [200, 404] });
    return res.status === 200 ? (res.data?.data ?? undefined) : undefined;
  }

  /** A write (POST) at `path`; returns the response's `data`, if any. */
  async write(token: string, path: string, body: unknown): Promise<Record<string, unknown> | undefined> {
    const res = await this.http.json<{ data?: Record<string, unknown> | null }>('POST', path, { token, json: body, ok: [200, 204] });
    return res.status === 200 ? (res.data?.data ?? undefined) : undefined;
  }

  /** A token for `auth` (this cluster's own by default): a token as given; JWT and AppRole by logging in. */
  login(auth: VaultAuth = this.settings.auth): Promise<string> {
    return loginToVault({ ...this.settings, auth }, this.http);
  }

  /** A root token made from unseal keys alone (sys/generate-root); revoke it with revokeSelf when done. */
  generateRootToken(unsealKeys: string[], log: Logger): Promise<string> {
    return generateRootToken(this.http, unsealKeys, log);
  }

  /** Keys under a path (`?list=true`); undefined when there is nothing there. */
  async listKeys(token: string, path: string): Promise<string[] | undefined> {
    // 405: the path offers no listing (an auth method without roles).
    const res = await this.http.json<{ data?: { keys?: unknown } }>('GET', `${path}?list=true`, { token, ok: [200, 404, 405] });
    return res.status === 200 && Array.isArray(res.data.data?.keys) ? res.data.data.keys.map(String) : undefined;
  }

  /** The secrets engines mounted (path, type, KV version); undefined when the token may not read the table. */
  async mounts(token: string): Promise<Array<{ path: string; type: string; version: string }> | undefined> {
    const res = await this.http.json<{ data?: Record<string, { type?: string; options?: { version?: string } | null }> }>('GET', 'sys/mounts', {
      token,
      ok: [200, 403],
    });
    if (res.status === 403) return undefined;
    return Object.entries(res.data.data ?? {}).map(([path, m]) => ({ path, type: String(m.type ?? 'unknown'), version: m.options?.version ?? '1' }));
  }

  /** The auth methods enabled (path, type); undefined when the token may not read them. */
  async authMethods(token: string): Promise<Array<{ path: string; type: string }> | undefined> {
    const res = await this.http.json<{ data?: Record<string, { type?: string }> }>('GET', 'sys/auth', { token, ok: [200, 403] });
    if (res.status === 403) return undefined;
    return Object.entries(res.data.data ?? {}).map(([path, m]) => ({ path, type: String(m.type ?? 'unknown') }));
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** What jobs use of a cluster: the adapter's operations, never its HTTP client. */
export type Vault = Omit<VaultClient, 'http'>;

export function openVault(settings: VaultSettings): Vault {
  return new VaultClient(settings);
}

function sealStatusOf(data: Record<string, unknown> | undefined): SealStatus {
  return {
    initialized: Boolean(data?.initialized ?? true),
    sealed: Boolean(data?.sealed),
    shares: Number(data?.n ?? 0),
    threshold: Number(data?.t ?? 0),
    progress: Number(data?.progress ?? 0),
    type: String(data?.type ?? 'unknown'),
    clusterId: typeof data?.cluster_id === 'string' ? data.cluster_id : undefined,
  };
}
