/**
 * What a cluster holds, as diff compares it: mounts, auth methods and their roles, ACL policies, and every KV
 * secret's version state. Values (secret data, policy text, role configuration) are kept only as a keyed
 * hash (HMAC-SHA-256 under a key made for this run and never stored), so two reads can be compared without
 * either value being kept, shown or recoverable from what is kept.
 */
import { createHmac } from 'node:crypto';
import { VaultError } from '../errors.js';
import type { Logger } from '../log.js';
import { canonicalJson } from '../util/canonical-json.js';
import { mapConcurrently } from '../util/concurrently.js';
import type { Vault } from '../vault/vault-client.js';
import { isKvMount, listKvSecrets, MAX_SECRETS_PER_MOUNT } from './kv-walk.js';

/** One KV secret's state: for v2 its current version and that version's state; the value only as a keyed hash. */
export interface KvState {
  kvVersion: string;
  /** 0 for KV v1. */
  currentVersion: number;
  createdTime: string;
  state: 'present' | 'deleted' | 'destroyed';
  /** Keyed hash of the current value; undefined when it is deleted or destroyed. */
  valueHash: string | undefined;
  /** Keyed hash of the custom metadata (KV v2). */
  metadataHash: string | undefined;
}

export interface ClusterContent {
  /** Mount path → type (KV with its version, e.g. "kv v2"). */
  mounts: Record<string, string>;
  /** Auth mount path → type. */
  authMethods: Record<string, string>;
  /** Role path (auth/approle/role/ci) → keyed hash of its configuration. */
  authRoles: Record<string, string>;
  /** Policy name → keyed hash of its text. */
  policies: Record<string, string>;
  /** Secret path (mount and path, e.g. secret/app/db) → its state. */
  kv: Record<string, KvState>;
  /** KV mounts whose listing stopped at its bound: paths beyond it are not compared. */
  truncated: string[];
}

/** Where each auth method type keeps what it calls roles (LIST paths under the mount); others: role/. */
const ROLE_LISTS: Record<string, string[]> = {
  token: ['roles/'],
  userpass: ['users/'],
  cert: ['certs/'],
  ldap: ['groups/', 'users/'],
  okta: ['groups/', 'users/'],
  radius: ['users/'],
  github: ['map/teams/', 'map/users/'],
};
const CONCURRENCY = 8;

export type KeyedHash = (value: unknown) => string;

/** A keyed hash under `key` (at least 32 random bytes made for this run). */
export function keyedHash(key: Buffer): KeyedHash {
  return (value) => createHmac('sha256', key).update(canonicalJson(value)).digest('base64url');
}

/** Reads everything diff compares, with a token that may list and read it all (the restored data's root token, or a reviewer's). */
export async function readContent(cluster: Vault, token: string, hash: KeyedHash, log: Logger): Promise<ClusterContent> {
  const mounts = await cluster.mounts(token);
  const auths = await cluster.authMethods(token);
  if (!mounts || !auths)
    throw new VaultError(`the token may not read sys/mounts and sys/auth on ${cluster.address}`, {
      hint: 'diff needs a token that may list mounts, auth methods, policies and KV metadata, and read them (see docs/RESTORE.md, "What changed")',
    });
  const content: ClusterContent = { mounts: {}, authMethods: {}, authRoles: {}, policies: {}, kv: {}, truncated: [] };
  for (const m of mounts) content.mounts[m.path] = isKvMount(m.type) ? `kv v${m.version}` : m.type;
  for (const a of auths) content.authMethods[a.path] = a.type;
  for (const a of auths) Object.assign(content.authRoles, await readRoles(cluster, token, a, hash));
  // root is built in, has no text and cannot change.
  const policies = ((await cluster.listKeys(token, 'sys/policies/acl')) ?? []).filter((p) => p !== 'root');
  await mapConcurrently(policies, CONCURRENCY, async (name) => {
    const policy = await cluster.read(token, `sys/policies/acl/${name}`);
    if (policy) content.policies[name] = hash(policy.policy ?? '');
  });
  for (const m of mounts.filter((x) => isKvMount(x.type))) {
    const { paths, truncated } = await listKvSecrets(cluster, token, m.path, m.version, '', MAX_SECRETS_PER_MOUNT);
    if (truncated) content.truncated.push(m.path);
    const states = await mapConcurrently(paths, CONCURRENCY, (p) => readKvState(cluster, token, m.path, m.version, p, hash));
    paths.forEach((p, i) => {
      const state = states[i];
      if (state) content.kv[`${m.path}${p}`] = state;
    });
  }
  log.info(
    `read ${cluster.address}: ${mounts.length} mounts, ${auths.length} auth methods, ${Object.keys(content.authRoles).length} roles, ${policies.length} policies, ${Object.keys(content.kv).length} KV secrets${content.truncated.length ? ` (listing stopped at ${MAX_SECRETS_PER_MOUNT} in ${content.truncated.join(', ')})` : ''}`,
  );
  return content;
}

async function readRoles(cluster: Vault, token: string, auth: { path: string; type: string }, hash: KeyedHash): Promise<Record<string, string>> {
  const roles: Record<string, string> = {};
  for (const list of ROLE_LISTS[auth.type] ?? ['role/']) {
    const names = (await cluster.listKeys(token, `auth/${auth.path}${list}`)) ?? [];
    await mapConcurrently(
      names.filter((n) => !n.endsWith('/')),
      CONCURRENCY,
      async (name) => {
        const path = `auth/${auth.path}${list}${name}`;
        const data = await cluster.read(token, path);
        if (data) roles[path] = hash(data);
      },
    );
  }
  return roles;
}

/** One secret's state; undefined when it vanished between the listing and the read. */
async function readKvState(cluster: Vault, token: string, mount: string, version: string, path: string, hash: KeyedHash): Promise<KvState | undefined> {
  if (version !== '2') {
    const data = await cluster.read(token, `${mount}${path}`);
    return data && { kvVersion: '1', currentVersion: 0, createdTime: '', state: 'present', valueHash: hash(data), metadataHash: undefined };
  }
  const meta = await cluster.read(token, `${mount}metadata/${path}`);
  if (!meta) return undefined;
  const current = Number(meta.current_version ?? 0);
  const v = (meta.versions as Record<string, { created_time?: string; deletion_time?: string; destroyed?: boolean }> | undefined)?.[String(current)];
  // A deletion time may lie in the future (delete_version_after): whether the data still reads is what counts.
  const data = v?.destroyed ? undefined : await cluster.read(token, `${mount}data/${path}`);
  const state = v?.destroyed ? 'destroyed' : data ? 'present' : 'deleted';
  return {
    kvVersion: '2',
    currentVersion: current,
    createdTime: v?.created_time ?? '',
    state,
    valueHash: data ? hash(data.data ?? null) : undefined,
    metadataHash: hash(meta.custom_metadata ?? null),
  };
}
