/**
 * The Vault operations this tool needs: health, finding the active node, streaming a raft snapshot
 * out, streaming one in (restore), unsealing, and reading KV secrets.
 */
import { Readable } from 'node:stream';
import { VaultError } from '../errors.js';
import { VaultHttp, parseJsonText, statusError } from './vault-http.js';
import type { VaultSettings } from './vault-settings.js';

export interface VaultHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version: string;
  clusterId: string | undefined;
  clusterName: string | undefined;
}

export interface SealStatus {
  sealed: boolean;
  threshold: number;
  progress: number;
  type: string;
  clusterId: string | undefined;
}

export class VaultClient {
  readonly http: VaultHttp;
  constructor(readonly settings: VaultSettings) {
    this.http = new VaultHttp(settings);
  }

  get address(): string {
    return this.settings.address;
  }

  /** sys/health with every status accepted, so the state can be described instead of thrown. */
  async health(baseAddress?: string): Promise<VaultHealth> {
    const { data } = await this.http.json<Record<string, unknown>>('GET', 'sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200', {
      ok: [200, 429, 472, 473, 501, 503],
      ...(baseAddress ? { baseAddress } : {}),
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
    if (!health.initialized) throw new VaultError(`Vault at ${this.address} is not initialised`, { hint: 'initialise the cluster, or point vault-address at the right one' });
    if (health.sealed) throw new VaultError(`Vault at ${this.address} is sealed`, { hint: 'unseal it (or fix its auto-unseal) and run the backup again' });
    return health;
  }

  /**
   * The API address of the active node. A standby answers snapshot requests with a redirect, and a
   * streamed request body cannot be replayed, so requests go straight to the leader.
   */
  async activeAddress(): Promise<string> {
    const { data } = await this.http.json<{ is_self?: boolean; leader_address?: string; ha_enabled?: boolean }>('GET', 'sys/leader');
    if (data?.is_self || !data?.leader_address) return this.address;
    return data.leader_address.replace(/\/+$/, '');
  }

  /** Starts the snapshot download from the active node; the body is the gzip'd tar as Vault streams it. */
  async snapshotStream(token: string, signal?: AbortSignal): Promise<{ stream: Readable; from: string }> {
    const from = await this.activeAddress();
    const res = await this.http.send('GET', 'sys/storage/raft/snapshot', { token, baseAddress: from, ...(signal ? { signal } : {}) });
    if (res.status !== 200) {
      const text = await res.body.text().catch(() => '');
      throw statusError(from, 'GET', 'sys/storage/raft/snapshot', res.status, parseJsonText(text));
    }
    return { stream: res.body as unknown as Readable, from };
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
    return {
      sealed: Boolean(data?.sealed),
      threshold: Number(data?.t ?? 0),
      progress: Number(data?.progress ?? 0),
      type: String(data?.type ?? 'unknown'),
      clusterId: typeof data?.cluster_id === 'string' ? data.cluster_id : undefined,
    };
  }

  async submitUnsealKey(key: string): Promise<SealStatus> {
    const { data } = await this.http.json<Record<string, unknown>>('POST', 'sys/unseal', { json: { key } });
    return { sealed: Boolean(data?.sealed), threshold: Number(data?.t ?? 0), progress: Number(data?.progress ?? 0), type: String(data?.type ?? ''), clusterId: undefined };
  }

  /** Reads a KV secret, detecting KV v1 or v2 from the mount's options. Returns undefined when absent. */
  async readKv(token: string, path: string): Promise<Record<string, unknown> | undefined> {
    const clean = path.replace(/^\/+|\/+$/g, '');
    const mounts = await this.http.json<unknown>('GET', 'sys/internal/ui/mounts/' + clean, { token, ok: [200, 403, 404] });
    // sys/internal/ui/mounts tells the mount and its KV version; without access to it, assume the first segment and v1.
    const info = mounts.data as unknown as { data?: { path?: string; options?: { version?: string } | null; type?: string } } | undefined;
    const known = mounts.status === 200 && info?.data?.path ? info.data : undefined;
    const mountPath = known?.path ? known.path.replace(/\/+$/, '') : (clean.split('/')[0] ?? '');
    const version = known?.options?.version ?? '1';
    const rest = clean.slice(mountPath.length).replace(/^\/+/, '');
    const apiPath = version === '2' ? `${mountPath}/data/${rest}` : clean;
    const res = await this.http.json<{ data?: Record<string, unknown> & { data?: Record<string, unknown> } }>('GET', apiPath, { token, ok: [200, 404] });
    if (res.status === 404) return undefined;
    return version === '2' ? (res.data.data?.data ?? undefined) : res.data.data;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
