/** Turns a command's result (or failure) into the RunReport every alert channel renders. */
import { BackupError } from '../errors.js';
import type { CommandResult } from '../jobs/run-command.js';
import { formatBytes, formatDuration } from '../log.js';
import type { RunReport } from './run-report.js';
import { describeChecksum } from '../storage/backup-store.js';
import { describeInventory } from '../restore/inventory.js';

export function successReport(result: CommandResult, target: string, runUrl?: string): RunReport {
  const base = { command: result.command, ok: true, target, ...(runUrl ? { runUrl } : {}) };
  switch (result.command) {
    case 'backup': {
      const b = result.backup;
      return {
        ...base,
        headline: `backup ${b.backupId} stored and verified (${b.type})`,
        facts: [
          ['Object', b.objectKey],
          ...(b.monthlyKey ? ([['Monthly copy', b.monthlyKey]] as Array<[string, string]>) : []),
          ['Encrypted size', formatBytes(b.encryptedSize)],
          ['Snapshot size', formatBytes(b.snapshotSize)],
          ['SHA-256 (encrypted)', b.encryptedSha256],
          ['Stored checksum', describeChecksum(b.storedChecksum)],
          ['Raft index / term', `${b.raftIndex} / ${b.raftTerm}`],
          ['Key', b.keyId],
          ['Vault version', b.vaultVersion],
          ['Duration', formatDuration(b.durationMs)],
        ],
      };
    }
    case 'verify': {
      const v = result.verify;
      return {
        ...base,
        headline: `backup ${v.key} verified: decrypts to a valid snapshot`,
        facts: [
          ['Backup', v.key],
          ['Age', `${v.ageHours.toFixed(1)} h`],
          ['Newest complete backup', `${v.newestKey} (${v.newestAgeHours.toFixed(1)} h old)`],
          ['Size', formatBytes(v.encryptedSize)],
          ['Raft index / term', `${v.snapshot.meta.Index} / ${v.snapshot.meta.Term}`],
          ['Download + check', formatDuration(v.downloadMs)],
        ],
      };
    }
    case 'prune': {
      const p = result.prune;
      return {
        ...base,
        headline: p.dryRun ? `prune dry run: would delete ${p.plan.summary.delete} backups` : `prune kept ${p.plan.summary.keep} backups and deleted ${p.plan.summary.delete}`,
        facts: [
          ['Policy', `${p.plan.policy.keepDaily} daily + ${p.plan.policy.keepMonthly} monthly`],
          ['Kept', String(p.plan.summary.keep)],
          ['Deleted', String(p.deleted.length)],
          ['Retained by Object Lock', String(p.retained.length)],
          ['Incomplete', String(p.plan.summary.incomplete)],
          ['Other objects (untouched)', String(p.plan.summary.ignored)],
        ],
      };
    }
    case 'list': {
      const newest = result.list.backups.find((b) => b.complete);
      return {
        ...base,
        headline: `${result.list.backups.length} backups in ${result.list.location}`,
        facts: [
          ['Backups', String(result.list.backups.length)],
          ['Newest complete', newest ? `${newest.key} (${newest.ageHours} h old)` : 'none'],
        ],
      };
    }
    case 'restore-test': {
      const r = result.restoreTest;
      return {
        ...base,
        headline: `restore test passed: RTO ${formatDuration(r.timings.totalMs)}, RPO ${r.rpoHours.toFixed(1)} h`,
        facts: [
          ['Backup', r.backupKey],
          ['Restored into', r.cluster === 'throwaway' ? `a throwaway cluster${r.networkIsolated ? ' in its own network namespace' : ' on loopback (not network-isolated)'}` : `staging ${r.stagingAddress}`],
          ['RPO (data age)', `${r.rpoHours.toFixed(1)} h`],
          ['RTO (total)', formatDuration(r.timings.totalMs)],
          ['Download + verify', formatDuration(r.timings.downloadAndVerifyMs)],
          ...(r.cluster === 'throwaway' ? ([['Start cluster', formatDuration(r.timings.startMs)]] as Array<[string, string]>) : []),
          ['Restore', formatDuration(r.timings.restoreMs)],
          ['Restart + unseal', formatDuration(r.timings.unsealMs)],
          ['Login + first read', formatDuration(r.timings.loginAndFirstReadMs)],
          ['Canaries', r.canaries.map((c) => `${c.path}${c.hashChecked ? ' (hash)' : ''}`).join(', ')],
          ['Inventory', r.inventory ? describeInventory(r.inventory) : 'not taken (the token may not list mounts)'],
        ],
      };
    }
    case 'restore': {
      const r = result.restore;
      return {
        ...base,
        headline: `restored ${r.backupKey} into ${r.targetAddress}`,
        facts: [
          ['Backup', r.backupKey],
          ['Restored into', r.targetAddress],
          ['Restart needed for the seal', r.restartedForSeal ? 'yes' : 'no'],
          ['RTO (total)', formatDuration(r.timings.totalMs)],
          ['Canaries', r.canaries.map((c) => c.path).join(', ')],
        ],
      };
    }
    default:
      return { ...base, headline: `${result.command} done`, facts: [] };
  }
}

export function failureReport(command: string, target: string, error: unknown, runUrl?: string, lastGood?: { key: string; ageHours: number }): RunReport {
  const typed = error instanceof BackupError ? error : undefined;
  return {
    command,
    ok: false,
    target,
    ...(runUrl ? { runUrl } : {}),
    headline: `${command} failed`,
    facts: [],
    error: {
      component: typed?.component ?? 'unknown',
      message: typed?.message ?? (error instanceof Error ? error.message : String(error)),
      ...(typed?.hint ? { hint: typed.hint } : {}),
    },
    ...(lastGood ? { lastGoodBackup: lastGood } : {}),
  };
}
