/**
 * The secret paths of a KV mount, listed breadth first and bounded: a cluster with millions of secrets must
 * not make a restore test, a diff or a recover run without end. Shared by the inventory, diff and recover.
 */
import type { Vault } from '../vault/vault-client.js';

const MAX_DEPTH = 16;
/** Secrets listed per KV mount by the inventory and diff. */
export const MAX_SECRETS_PER_MOUNT = 20_000;

/**
 * Secret paths under `prefix` (relative to the mount, '' for all) of the KV mount `mount` (with its trailing
 * slash), at most `limit`; `truncated` when the listing stopped there.
 */
export async function listKvSecrets(
  cluster: Vault,
  token: string,
  mount: string,
  version: string,
  prefix: string,
  limit: number,
): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  const queue: Array<{ prefix: string; depth: number }> = [{ prefix, depth: 0 }];
  while (queue.length) {
    const { prefix: at, depth } = queue.shift()!;
    const keys = (await cluster.listKeys(token, version === '2' ? `${mount}metadata/${at}` : `${mount}${at}`)) ?? [];
    for (const key of keys) {
      if (key.endsWith('/')) {
        if (depth + 1 < MAX_DEPTH) queue.push({ prefix: `${at}${key}`, depth: depth + 1 });
      } else {
        if (paths.length >= limit) return { paths, truncated: true };
        paths.push(`${at}${key}`);
      }
    }
  }
  return { paths, truncated: false };
}

/** Whether a mount holds KV secrets (kv, and the generic type older servers name it). */
export const isKvMount = (type: string): boolean => type === 'kv' || type === 'generic';
