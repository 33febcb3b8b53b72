/**
 * Pure checks a restore makes before it writes a byte: is the cluster about to be overwritten the source
 * itself (under another name), a clone an earlier restore test made, or another cluster; and will the
 * source's unseal keys work on it after a forced restore.
 */
import type { LeaderInfo, SealStatus } from '../vault/vault-client.js';

/** The source cluster's seal as recorded in the manifest (or given by source-seal). */
export interface SourceSeal {
  type: string;
  shares: number;
  threshold: number;
}

export interface ClusterIdentity {
  clusterId: string | undefined;
  leader: LeaderInfo | undefined;
}

export type StagingVerdict =
  { kind: 'other-cluster' } | { kind: 'clone'; reason: string } | { kind: 'source'; reason: string } | { kind: 'undecided'; reason: string };

const same = (a: string | undefined, b: string | undefined) => Boolean(a && b && a.toLowerCase() === b.toLowerCase());

/**
 * The signal: sys/leader (no token needed) names the active node by the api_addr and cluster_addr in
 * that node's own configuration, and the moment it became active. A node reached under another host
 * name, through a second listener or a load balancer reports the same; a clone restored from the
 * source carries the source's cluster id but its own addresses and activation time.
 */
export function judgeStaging(staging: ClusterIdentity, source: ClusterIdentity | undefined, recordedSourceClusterId: string | undefined): StagingVerdict {
  const s = staging.leader;
  const p = source?.leader;
  if (s && p) {
    if (same(s.leaderClusterAddress, p.leaderClusterAddress))
      return { kind: 'source', reason: `both name ${s.leaderClusterAddress} as their active node's cluster address` };
    if (same(s.leaderAddress, p.leaderAddress)) return { kind: 'source', reason: `both name ${s.leaderAddress} as their active node` };
    if (same(s.activeTime, p.activeTime)) return { kind: 'source', reason: `both report an active node that became active at ${s.activeTime}` };
  }
  const sourceIds = [source?.clusterId, recordedSourceClusterId].filter((id): id is string => Boolean(id));
  if (!staging.clusterId || !sourceIds.some((id) => same(id, staging.clusterId))) return { kind: 'other-cluster' };
  if (s && p)
    return {
      kind: 'clone',
      reason: `it carries the source's cluster id ${staging.clusterId} (from an earlier restore), but its active node is ${s.leaderAddress}, not the source's ${p.leaderAddress}`,
    };
  return {
    kind: 'undecided',
    reason: `it reports the source's cluster id ${staging.clusterId}, and without reaching the source (vault-address) a clone cannot be told from the source itself`,
  };
}

/** Why the source's keys would not unseal this cluster after a forced restore, or undefined when they will. */
export function sealMismatch(cluster: Pick<SealStatus, 'type' | 'shares' | 'threshold'>, source: SourceSeal): string | undefined {
  if (cluster.type !== 'shamir' || source.type !== 'shamir') return undefined; // auto-unseal: the KMS decides, not the shares
  if (cluster.shares === source.shares && cluster.threshold === source.threshold) return undefined;
  return `it was initialised with ${cluster.shares} key share(s) and threshold ${cluster.threshold}, the source with ${source.shares}/${source.threshold}`;
}

/** "5/3" (shares/threshold of a Shamir seal) to a SourceSeal; undefined when malformed. */
export function parseSourceSeal(text: string): SourceSeal | undefined {
  const match = /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(text);
  if (!match) return undefined;
  const shares = Number(match[1]);
  const threshold = Number(match[2]);
  if (threshold < 1 || shares < threshold) return undefined;
  return { type: 'shamir', shares, threshold };
}
