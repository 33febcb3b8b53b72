/** Step outputs for each command; every value is a plain string, documented in action.yml. */
import * as core from '@actions/core';
import type { CommandResult } from '../src/jobs/run-command.js';

export function outputsOf(result: CommandResult): Record<string, string> {
  switch (result.command) {
    case 'backup': {
      const b = result.backup;
      return {
        'backup-id': b.backupId,
        'object-key': b.objectKey,
        'manifest-key': b.manifestKey,
        'monthly-key': b.monthlyKey ?? '',
        type: b.type,
        location: b.location,
        'encrypted-size': String(b.encryptedSize),
        'snapshot-size': String(b.snapshotSize),
        sha256: b.encryptedSha256,
        'snapshot-sha256': b.snapshotSha256,
        checksum: `${b.storedChecksum.algorithm}:${b.storedChecksum.value}`,
        'raft-index': String(b.raftIndex),
        'duration-ms': String(b.durationMs),
      };
    }
    case 'verify':
      return { 'backup-key': result.verify.key, 'age-hours': result.verify.ageHours.toFixed(2), 'newest-key': result.verify.newestKey, 'encrypted-size': String(result.verify.encryptedSize), 'raft-index': String(result.verify.snapshot.meta.Index) };
    case 'prune':
      return { 'kept-count': String(result.prune.plan.summary.keep), 'deleted-count': String(result.prune.deleted.length), 'retained-count': String(result.prune.retained.length), 'dry-run': String(result.prune.dryRun) };
    case 'list': {
      const newest = result.list.backups.find((b) => b.complete);
      return { count: String(result.list.backups.length), 'newest-key': newest?.key ?? '', 'age-hours': newest ? String(newest.ageHours) : '' };
    }
    case 'restore-test': {
      const r = result.restoreTest;
      return { 'backup-key': r.backupKey, 'rpo-hours': r.rpoHours.toFixed(2), 'rto-seconds': (r.timings.totalMs / 1000).toFixed(1), 'canaries-checked': String(r.canaries.length) };
    }
    case 'restore': {
      const r = result.restore;
      return { 'backup-key': r.backupKey, 'rto-seconds': (r.timings.totalMs / 1000).toFixed(1), 'canaries-checked': String(r.canaries.length) };
    }
    default:
      return {};
  }
}

export function setOutputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
}
