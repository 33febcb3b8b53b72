/**
 * What changed between two reads of a cluster (two backups, or a backup and the live cluster): pure. Each
 * change names its area, path, kind and what differs, by version and state only: a changed value is said to
 * have changed, never shown.
 */
import type { ClusterContent, KvState } from './cluster-content.js';

export type ContentArea = 'mount' | 'auth method' | 'auth role' | 'policy' | 'kv';

export interface ContentChange {
  area: ContentArea;
  path: string;
  change: 'added' | 'removed' | 'changed';
  detail: string;
}

export interface ContentDiff {
  changes: ContentChange[];
  counts: { added: number; removed: number; changed: number };
  /** KV mounts whose listing stopped at its bound on either side: paths beyond it were not compared. */
  truncated: string[];
}

const AREAS: ContentArea[] = ['mount', 'auth method', 'auth role', 'policy', 'kv'];

/** Added, removed and changed keys of two maps, `describe` saying how a changed one differs (undefined: unchanged). */
function compareMaps<V>(
  area: ContentArea,
  from: Record<string, V>,
  to: Record<string, V>,
  describe: (a: V, b: V) => string | undefined,
  describeOne: (v: V) => string,
): ContentChange[] {
  const changes: ContentChange[] = [];
  for (const [path, a] of Object.entries(from)) {
    const b = Object.hasOwn(to, path) ? to[path] : undefined;
    if (b === undefined) changes.push({ area, path, change: 'removed', detail: describeOne(a) });
    else {
      const detail = describe(a, b);
      if (detail) changes.push({ area, path, change: 'changed', detail });
    }
  }
  for (const [path, b] of Object.entries(to)) if (!Object.hasOwn(from, path)) changes.push({ area, path, change: 'added', detail: describeOne(b) });
  return changes;
}

const kvOne = (s: KvState) => (s.kvVersion === '2' ? `version ${s.currentVersion}${s.state === 'present' ? '' : `, ${s.state}`}` : 'KV v1');

/** How one secret differs, by version, state, value (keyed hash) and custom metadata; undefined when it does not. */
export function kvDifference(a: KvState, b: KvState): string | undefined {
  const parts: string[] = [];
  if (a.kvVersion !== b.kvVersion) parts.push(`KV v${a.kvVersion} → v${b.kvVersion}`);
  if (a.currentVersion !== b.currentVersion) parts.push(`version ${a.currentVersion} → ${b.currentVersion}`);
  else if (a.createdTime !== b.createdTime) parts.push(`version ${b.currentVersion} written again (created ${b.createdTime})`);
  if (a.state !== b.state) parts.push(b.state === 'present' ? `${a.state} → present` : b.state);
  if (a.valueHash && b.valueHash) {
    if (a.valueHash !== b.valueHash) parts.push('value changed');
    else if (parts.length) parts.push('value unchanged');
  }
  if (a.metadataHash !== b.metadataHash) parts.push('custom metadata changed');
  return parts.length ? parts.join(', ') : undefined;
}

export function diffContent(from: ClusterContent, to: ClusterContent): ContentDiff {
  const same = <V>(a: V, b: V) => a === b;
  const changed = (what: string) => (a: string, b: string) => (same(a, b) ? undefined : what);
  const changes = [
    ...compareMaps(
      'mount',
      from.mounts,
      to.mounts,
      (a, b) => (a === b ? undefined : `${a} → ${b}`),
      (t) => t,
    ),
    ...compareMaps(
      'auth method',
      from.authMethods,
      to.authMethods,
      (a, b) => (a === b ? undefined : `${a} → ${b}`),
      (t) => t,
    ),
    ...compareMaps('auth role', from.authRoles, to.authRoles, changed('configuration changed'), () => ''),
    ...compareMaps('policy', from.policies, to.policies, changed('policy text changed'), () => ''),
    ...compareMaps('kv', from.kv, to.kv, kvDifference, kvOne),
  ].sort((x, y) => AREAS.indexOf(x.area) - AREAS.indexOf(y.area) || x.path.localeCompare(y.path));
  const count = (c: ContentChange['change']) => changes.filter((x) => x.change === c).length;
  return {
    changes,
    counts: { added: count('added'), removed: count('removed'), changed: count('changed') },
    truncated: [...new Set([...from.truncated, ...to.truncated])].sort(),
  };
}

/** Text lines, one per change: "+ kv secret/app/db (version 1)". */
export function describeChanges(changes: ContentChange[]): string[] {
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  return changes.map((c) => `${mark[c.change]} ${c.area} ${c.path}${c.detail ? ` (${c.detail})` : ''}`);
}
