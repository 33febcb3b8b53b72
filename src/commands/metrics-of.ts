/** The Prometheus metrics of a command's run: the same for every command, then what its result measures. */
import { BackupError } from '../errors.js';
import type { Metric } from '../notify/metrics.js';
import { LAST_SUCCESS } from '../notify/metrics.js';
import type { CommandResult } from './command.js';

const seconds = (ms: number) => ms / 1000;

/** What the result measures, by command. */
function resultMetrics(result: CommandResult): Metric[] {
  switch (result.command) {
    case 'backup':
      return [
        { name: 'vault_backup_bytes', help: 'Size of the stored (encrypted) backup, in bytes.', value: result.backup.encryptedSize },
        { name: 'vault_backup_snapshot_bytes', help: "Size of Vault's raft snapshot, in bytes.", value: result.backup.snapshotSize },
        { name: 'vault_backup_raft_index', help: 'Raft index of the snapshot backed up.', value: result.backup.raftIndex },
      ];
    case 'verify':
      return [
        { name: 'vault_backup_verified_age_hours', help: 'Age of the backup verified, in hours.', value: result.verify.ageHours },
        { name: 'vault_backup_bytes', help: 'Size of the stored (encrypted) backup, in bytes.', value: result.verify.encryptedSize },
      ];
    case 'restore-test':
      return [
        {
          name: 'vault_backup_restore_rto_seconds',
          help: 'Recovery time of the restore test: download, verify, restore, unseal, first read.',
          value: seconds(result.restoreTest.timings.totalMs),
        },
        { name: 'vault_backup_restore_rpo_hours', help: 'Age of the restored data when the restore test ran, in hours.', value: result.restoreTest.rpoHours },
      ];
    case 'prune':
      return [
        { name: 'vault_backup_prune_kept', help: 'Backups the retention plan keeps.', value: result.prune.plan.summary.keep },
        { name: 'vault_backup_prune_deleted', help: 'Backups deleted by this prune (0 in a dry run).', value: result.prune.deleted.length },
      ];
    case 'list':
      return [{ name: 'vault_backup_complete_backups', help: 'Complete backups at the target.', value: result.list.backups.filter((b) => b.complete).length }];
    default:
      return [];
  }
}

/** The run's metrics: its end, duration and outcome (with the failing component), and, after a success, what it measured. */
export function metricsOf(outcome: { result: CommandResult } | { error: unknown }, startedAt: Date, finishedAt: Date): Metric[] {
  const end = finishedAt.getTime() / 1000;
  const common: Metric[] = [
    { name: 'vault_backup_last_run_timestamp_seconds', help: 'When the command last ran to an end (success or failure), Unix time.', value: end },
    { name: 'vault_backup_duration_seconds', help: 'How long the last run took.', value: seconds(finishedAt.getTime() - startedAt.getTime()) },
    { name: 'vault_backup_success', help: '1 when the last run succeeded, 0 when it failed.', value: 'result' in outcome ? 1 : 0 },
  ];
  if ('result' in outcome)
    return [...common, { name: LAST_SUCCESS, help: 'When the command last succeeded, Unix time.', value: end }, ...resultMetrics(outcome.result)];
  const component = outcome.error instanceof BackupError ? outcome.error.component : 'unknown';
  return [...common, { name: 'vault_backup_failure', help: 'The component that failed the last run (1).', value: 1, labels: { component } }];
}
