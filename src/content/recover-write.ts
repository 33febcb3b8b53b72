/**
 * Writing recovered items into a live cluster. Everything is checked before anything is written: a KV v2
 * secret whose live current version was written after the backup, or a policy, role or KV v1 secret whose live
 * value differs from the backup's (they keep no versions to tell which is newer), is a conflict, and any
 * conflict refuses the whole write unless recover-force is set. KV v2 is written as a new version (with
 * check-and-set on the version seen), so no history is lost; an item already equal to the backup is left alone.
 */
import { RestoreError } from '../errors.js';
import type { Logger } from '../log.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { Vault } from '../vault/vault-client.js';
import type { Recovered } from './recover-read.js';

export interface WriteOutcome {
  /** Paths and versions only, never values. */
  item: string;
  action: 'written' | 'unchanged';
  detail: string;
}

interface Planned {
  item: string;
  conflict: string | undefined;
  unchanged: boolean;
  write: () => Promise<string>;
}

const equal = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** Checks every item against the live cluster, then writes them (or refuses all when one conflicts and `force` is not set). */
export async function writeRecovered(
  live: Vault,
  token: string,
  items: Recovered[],
  options: { backupTime: Date; force: boolean },
  log: Logger,
): Promise<WriteOutcome[]> {
  const plans: Planned[] = [];
  for (const item of items) plans.push(await plan(live, token, item, options.backupTime));
  const conflicts = plans.filter((p) => p.conflict);
  if (conflicts.length && !options.force)
    throw new RestoreError(`nothing was written to ${live.address}: ${conflicts.map((c) => `${c.item}: ${c.conflict}`).join('; ')}`, {
      hint: "recover into a file first and compare, or set recover-force to write the backup's value over it (KV v2 keeps the live version in its history)",
    });
  const outcomes: WriteOutcome[] = [];
  for (const p of plans) {
    if (p.unchanged) {
      log.info(`${p.item}: the live value already equals the backup's; left alone`);
      outcomes.push({ item: p.item, action: 'unchanged', detail: 'equal to the backup' });
      continue;
    }
    if (p.conflict) log.warn(`${p.item}: ${p.conflict}; writing over it (recover-force)`);
    const detail = await p.write();
    log.info(`${p.item}: ${detail}`);
    outcomes.push({ item: p.item, action: 'written', detail });
  }
  return outcomes;
}

function plan(live: Vault, token: string, item: Recovered, backupTime: Date): Promise<Planned> {
  if (item.kind === 'policy')
    return planPlain(live, token, `policy ${item.name}`, `sys/policies/acl/${item.name}`, { policy: item.policy }, (d) => ({ policy: d.policy }));
  if (item.kind === 'auth-role') return planPlain(live, token, `auth role ${item.path}`, item.path, item.data, (d) => d, changedFields);
  return planKv(live, token, item, backupTime);
}

/** A policy, an auth role, a KV v1 secret: no versions, so a live value that differs is a conflict. */
async function planPlain(
  live: Vault,
  token: string,
  item: string,
  path: string,
  value: Record<string, unknown>,
  comparable: (live: Record<string, unknown>) => unknown,
  update: (live: Record<string, unknown>, value: Record<string, unknown>) => Record<string, unknown> = (_, v) => v,
): Promise<Planned> {
  const current = await live.read(token, path);
  const write = async () => {
    await live.write(token, path, current ? update(current, value) : value);
    return current ? 'written over the live value' : 'written (it was missing)';
  };
  if (!current) return { item, conflict: undefined, unchanged: false, write };
  const unchanged = equal(comparable(current), comparable(value));
  return { item, conflict: unchanged ? undefined : "the live value differs from the backup's (no versions tell which is newer)", unchanged, write };
}

async function planKv(live: Vault, token: string, item: Extract<Recovered, { kind: 'kv' }>, backupTime: Date): Promise<Planned> {
  const label = `secret ${item.path}`;
  const fromVersion = item.kvVersion === 2 ? newestHeld(item) : undefined;
  const value = item.kvVersion === 2 ? fromVersion?.data : item.data;
  if (!value)
    throw new RestoreError(`${label}: no version in the backup still holds data (all were deleted or destroyed before it)`, { hint: 'choose an older backup' });
  const { mount, version, rest } = await live.kvMount(token, item.path);
  if (version !== '2') return planPlain(live, token, label, `${mount}/${rest}`, value, (d) => d);
  const metadata = await live.read(token, `${mount}/metadata/${rest}`);
  const current = Number(metadata?.current_version ?? 0);
  const liveData = current ? ((await live.read(token, `${mount}/data/${rest}`))?.data ?? undefined) : undefined;
  const created = (metadata?.versions as Record<string, { created_time?: string }> | undefined)?.[String(current)]?.created_time ?? '';
  // Newer by its number (a version the backup never had) or by its time (a secret deleted and written again since,
  // whose numbers start over); either alone would miss one of those, or trust the runner's and Vault's clocks to agree.
  const backupVersion = item.kvVersion === 2 ? item.currentVersion : 0;
  const newer = liveData !== undefined && (current > backupVersion || Date.parse(created) > backupTime.getTime());
  const write = async () => {
    const written = await live.write(token, `${mount}/data/${rest}`, { data: value, options: { cas: current } });
    const from = fromVersion ? ` from the backup's version ${fromVersion.version}` : '';
    return `written as version ${String(written?.version ?? '?')}${from}${current ? ` (live was at version ${current}${liveData ? '' : ', deleted'})` : ' (it was missing)'}`;
  };
  const unchanged = liveData !== undefined && equal(liveData, value);
  return {
    item: label,
    conflict:
      newer && !unchanged
        ? `live version ${current} (written at ${created}) is newer than the backup's version ${backupVersion} (backup taken ${backupTime.toISOString()})`
        : undefined,
    unchanged,
    write,
  };
}

/**
 * An existing role is updated with the fields that differ only: some can be set only when a role is created
 * (AppRole's local_secret_ids), and sending them again with the same value is refused.
 */
function changedFields(current: Record<string, unknown>, value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !equal(current[k], v)));
}

/** The current version when it holds data, else the newest that does. */
function newestHeld(item: Extract<Recovered, { kvVersion: 2 }>) {
  const held = item.versions.filter((v) => v.data);
  return held.find((v) => v.version === item.currentVersion) ?? held.at(-1);
}
