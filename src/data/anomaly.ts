/**
 * Data-loss detection, pure: a new snapshot compared with the newest complete backup of the same target.
 * A raft index or term that goes backwards means the cluster was rebuilt or restored from something old;
 * a snapshot that shrinks by more than the limit means data disappeared. Either way the backup is kept
 * as evidence, the run fails, and retention keeps the last good state until the operator acknowledges it.
 */

export interface SnapshotFacts {
  index: number;
  term: number;
  /** Bytes of state.bin: the data itself, without the archive's framing. */
  stateSize: number;
}

export interface DataAnomaly {
  kind: 'raft-index-backwards' | 'raft-term-backwards' | 'shrunk';
  /** What changed, in words an operator can act on. */
  detail: string;
  /** The backup compared with. */
  previousKey: string;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function detectAnomalies(
  previous: { objectKey: string; raft: SnapshotFacts } | undefined,
  current: SnapshotFacts,
  shrinkLimitPercent: number,
): DataAnomaly[] {
  if (!previous) return [];
  const before = previous.raft;
  const found = raftWentBack(previous, current);
  if (before.stateSize > 0) {
    const shrunkPercent = ((before.stateSize - current.stateSize) / before.stateSize) * 100;
    if (shrunkPercent > shrinkLimitPercent) {
      found.push({
        kind: 'shrunk',
        previousKey: previous.objectKey,
        detail: `the data shrank by ${shrunkPercent.toFixed(0)}% (from ${mib(before.stateSize)} to ${mib(current.stateSize)}), more than data-shrink-limit-percent ${shrinkLimitPercent}`,
      });
    }
  }
  return found;
}

/**
 * The raft index or term going backwards, alone: what no legitimate history does without a restore. (A shrink
 * is left to the backup run that compares with the backup just before; state.bin shrinks legitimately over months.)
 */
export function raftWentBack(
  previous: { objectKey: string; raft: Pick<SnapshotFacts, 'index' | 'term'> },
  current: Pick<SnapshotFacts, 'index' | 'term'>,
): DataAnomaly[] {
  const before = previous.raft;
  const found: DataAnomaly[] = [];
  if (current.index < before.index) {
    found.push({
      kind: 'raft-index-backwards',
      previousKey: previous.objectKey,
      detail: `raft index went backwards from ${before.index} to ${current.index}: the cluster was rebuilt or restored from an older state`,
    });
  }
  if (current.term < before.term) {
    found.push({
      kind: 'raft-term-backwards',
      previousKey: previous.objectKey,
      detail: `raft term went backwards from ${before.term} to ${current.term}: this is not the cluster the previous backup came from`,
    });
  }
  return found;
}
