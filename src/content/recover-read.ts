/**
 * Reading what recover was asked for, values included, from a restored cluster: a KV v2 secret with every
 * version still held and its metadata, a KV v1 secret, a policy's text, an auth role's configuration. A
 * prefix expands to the secrets under it, up to recover-max-paths (more is refused, not cut short).
 */
import { RestoreError } from '../errors.js';
import { mapConcurrently } from '../util/concurrently.js';
import type { Vault } from '../vault/vault-client.js';
import { listKvSecrets } from './kv-walk.js';
import type { Selection } from './selection.js';

export interface KvVersion {
  version: number;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
  /** Null when the version was deleted or destroyed before the backup. */
  data: Record<string, unknown> | null;
}

export type Recovered =
  | { kind: 'kv'; path: string; kvVersion: 2; currentVersion: number; metadata: Record<string, unknown>; versions: KvVersion[] }
  | { kind: 'kv'; path: string; kvVersion: 1; data: Record<string, unknown> }
  | { kind: 'policy'; name: string; policy: string }
  | { kind: 'auth-role'; path: string; data: Record<string, unknown> };

/** One line per item for logs and summaries: paths and versions, never values. */
export function describeRecovered(item: Recovered): string {
  if (item.kind === 'policy') return `policy ${item.name}`;
  if (item.kind === 'auth-role') return `auth role ${item.path}`;
  if (item.kvVersion === 1) return `secret ${item.path} (KV v1)`;
  const held = item.versions.filter((v) => v.data).map((v) => v.version);
  return `secret ${item.path} (current version ${item.currentVersion}; versions with data: ${held.join(', ') || 'none'})`;
}

const missing = (what: string) =>
  new RestoreError(`${what} is not in the backup`, {
    hint: 'check the path (recover-paths names API paths: mount/path, sys/policies/acl/NAME, auth/MOUNT/role/NAME) or choose an older backup',
  });

/** Reads every selection; all must be present. */
export async function readRecovered(cluster: Vault, token: string, selections: Selection[], maxPaths: number): Promise<Recovered[]> {
  const kvPaths: string[] = [];
  const items: Recovered[] = [];
  for (const s of selections) {
    if (s.kind === 'kv') kvPaths.push(s.path);
    else if (s.kind === 'kv-prefix') kvPaths.push(...(await expandPrefix(cluster, token, s.prefix, maxPaths)));
    else if (s.kind === 'policy') {
      const data = await cluster.read(token, `sys/policies/acl/${s.name}`);
      if (!data) throw missing(`policy ${s.name}`);
      items.push({ kind: 'policy', name: s.name, policy: String(data.policy ?? '') });
    } else {
      const data = await cluster.read(token, s.path);
      if (!data) throw missing(`auth role ${s.path}`);
      items.push({ kind: 'auth-role', path: s.path, data });
    }
  }
  const unique = [...new Set(kvPaths)];
  if (unique.length > maxPaths)
    throw new RestoreError(`recover-paths select ${unique.length} secrets, more than recover-max-paths ${maxPaths}`, {
      hint: 'narrow the prefix, or raise recover-max-paths',
    });
  return [...(await mapConcurrently(unique, 8, (p) => readKvItem(cluster, token, p))), ...items];
}

async function expandPrefix(cluster: Vault, token: string, prefix: string, maxPaths: number): Promise<string[]> {
  const { mount, version, rest } = await cluster.kvMount(token, prefix);
  const under = rest ? `${rest}/` : '';
  const { paths, truncated } = await listKvSecrets(cluster, token, `${mount}/`, version, under, maxPaths);
  if (truncated)
    throw new RestoreError(`${prefix} holds more than recover-max-paths ${maxPaths} secrets`, { hint: 'narrow the prefix, or raise recover-max-paths' });
  if (!paths.length) throw missing(`anything under ${prefix}`);
  return paths.map((p) => `${mount}/${p}`);
}

async function readKvItem(cluster: Vault, token: string, path: string): Promise<Recovered> {
  const { mount, version, rest } = await cluster.kvMount(token, path);
  if (version !== '2') {
    const data = await cluster.read(token, `${mount}/${rest}`);
    if (!data) throw missing(`secret ${path}`);
    return { kind: 'kv', path, kvVersion: 1, data };
  }
  const metadata = await cluster.read(token, `${mount}/metadata/${rest}`);
  if (!metadata) throw missing(`secret ${path}`);
  const held = (metadata.versions ?? {}) as Record<string, { created_time?: string; deletion_time?: string; destroyed?: boolean }>;
  const versions = await mapConcurrently(
    Object.keys(held)
      .map(Number)
      .sort((a, b) => a - b),
    4,
    async (n): Promise<KvVersion> => {
      const v = held[String(n)]!;
      const read = v.destroyed ? undefined : await cluster.read(token, `${mount}/data/${rest}?version=${n}`);
      return {
        version: n,
        createdTime: v.created_time ?? '',
        deletionTime: v.deletion_time ?? '',
        destroyed: Boolean(v.destroyed),
        data: (read?.data as Record<string, unknown> | null | undefined) ?? null,
      };
    },
  );
  return { kind: 'kv', path, kvVersion: 2, currentVersion: Number(metadata.current_version ?? 0), metadata, versions };
}
