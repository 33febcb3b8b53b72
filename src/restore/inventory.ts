/**
 * What a restored cluster holds, counted, never read: mounts and their types, auth methods, the number of
 * ACL policies, and the number of secrets per KV mount (a bounded listing). Each restore test stores one
 * beside the backups and compares it with the previous one, so a mount that vanished, or a KV mount that
 * lost most of its secrets, fails the test even when every canary is still there.
 */
import type { Vault } from '../vault/vault-client.js';
import { isKvMount, listKvSecrets, MAX_SECRETS_PER_MOUNT } from '../content/kv-walk.js';

export interface Inventory {
  takenAt: string;
  backupKey: string;
  mounts: Array<{ path: string; type: string }>;
  authMethods: Array<{ path: string; type: string }>;
  policyCount: number;
  /** Secrets per KV mount; `truncated` when the listing stopped at its bound. */
  kvSecrets: Array<{ mount: string; count: number; truncated: boolean }>;
}

async function countKv(cluster: Vault, token: string, mount: string, version: string): Promise<{ count: number; truncated: boolean }> {
  const { paths, truncated } = await listKvSecrets(cluster, token, mount, version, '', MAX_SECRETS_PER_MOUNT);
  return { count: paths.length, truncated };
}

/** The inventory, or undefined when the token may not read the mount table (a narrow source-auth role). */
export async function takeInventory(cluster: Vault, token: string, backupKey: string, now: Date): Promise<Inventory | undefined> {
  const mounts = await cluster.mounts(token);
  const auths = await cluster.authMethods(token);
  if (!mounts || !auths) return undefined;
  const policies = (await cluster.listKeys(token, 'sys/policies/acl')) ?? [];
  const kvSecrets: Inventory['kvSecrets'] = [];
  for (const m of mounts.filter((x) => isKvMount(x.type))) kvSecrets.push({ mount: m.path, ...(await countKv(cluster, token, m.path, m.version)) });
  const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
  return {
    takenAt: now.toISOString(),
    backupKey,
    mounts: mounts.map(({ path, type }) => ({ path, type })).sort(byPath),
    authMethods: auths.sort(byPath),
    policyCount: policies.length,
    kvSecrets: kvSecrets.sort((a, b) => a.mount.localeCompare(b.mount)),
  };
}

/** Pure: what the new inventory lost against the previous one (lost mounts, auth methods, KV secrets beyond the limit). */
export function inventoryLosses(previous: Inventory | undefined, current: Inventory, shrinkLimitPercent: number): string[] {
  if (!previous) return [];
  const losses: string[] = [];
  const now = new Set(current.mounts.map((m) => m.path));
  for (const m of previous.mounts) if (!now.has(m.path)) losses.push(`mount ${m.path} (${m.type}) is gone`);
  const auths = new Set(current.authMethods.map((a) => a.path));
  for (const a of previous.authMethods) if (!auths.has(a.path)) losses.push(`auth method ${a.path} (${a.type}) is gone`);
  for (const before of previous.kvSecrets) {
    const after = current.kvSecrets.find((k) => k.mount === before.mount);
    if (!after || before.count === 0 || before.truncated) continue;
    const lost = ((before.count - after.count) / before.count) * 100;
    if (lost > shrinkLimitPercent)
      losses.push(
        `KV mount ${before.mount} lost ${lost.toFixed(0)}% of its secrets (${before.count} → ${after.count}), more than data-shrink-limit-percent ${shrinkLimitPercent}`,
      );
  }
  return losses;
}

/** One line for logs and summaries. */
export function describeInventory(inventory: Inventory): string {
  const kv = inventory.kvSecrets.map((k) => `${k.mount} ${k.truncated ? '≥' : ''}${k.count}`).join(', ');
  return `${inventory.mounts.length} mounts, ${inventory.authMethods.length} auth methods, ${inventory.policyCount} policies; secrets: ${kv || 'no KV mounts'}`;
}
