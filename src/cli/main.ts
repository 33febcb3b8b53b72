/**
 * The CLI: parse arguments, run the command, print the result. Logs go to stderr; with --json the
 * result goes to stdout as JSON (an interface: see the README). Exit codes: 0 ok, 1 failed, 2 bad input.
 */
import { BackupError, InputError, RetentionRefusedError } from '../errors.js';
import type { RetentionPlan } from '../retention/plan-retention.js';
import type { Debris } from '../storage/backup-store.js';
import { formatListTable } from '../jobs/list.js';
import { runCommand, type CommandResult } from '../jobs/run-command.js';
import { ConsoleLogger, formatBytes, formatDuration } from '../log.js';
import { helpText, parseArgs } from './args.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  clock?: () => Date;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const log = new ConsoleLogger((line) => io.stderr(line + '\n'));
  let asJson = false;
  try {
    const { command, inputs } = parseArgs(argv, io.env);
    asJson = ['true', '1', 'yes'].includes((inputs.json ?? '').toLowerCase());
    if (command === 'help') {
      io.stdout(helpText(inputs.command));
      return 0;
    }
    const result = await runCommand(command, inputs, { log, ...(io.clock ? { clock: io.clock } : {}) });
    if (asJson) io.stdout(JSON.stringify(jsonOf(result), null, 2) + '\n');
    else io.stderr(humanSummary(result));
    return 0;
  } catch (error) {
    if (error instanceof RetentionRefusedError && asJson) io.stdout(JSON.stringify(pruneJson(error.plan as RetentionPlan, true, [], []), null, 2) + '\n');
    const typed = error instanceof BackupError ? error : undefined;
    log.error(typed ? typed.describe() : `unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    return error instanceof InputError ? 2 : 1;
  }
}

/** The prune --json document: an interface, documented in the README. */
function pruneJson(plan: RetentionPlan, dryRun: boolean, deleted: string[], retained: Array<{ key: string; because: string }>, debris: Debris[] = []) {
  return { command: 'prune', dryRun, now: plan.now, policy: plan.policy, summary: plan.summary, refusals: plan.refusals, items: plan.items, orphanManifests: plan.orphanManifests, ignored: plan.ignored, deleted, retained, debris };
}

function jsonOf(result: CommandResult): unknown {
  switch (result.command) {
    case 'prune':
      return pruneJson(result.prune.plan, result.prune.dryRun, result.prune.deleted, result.prune.retained, result.prune.debris);
    case 'list':
      return { command: 'list', ...result.list };
    case 'backup':
      return { command: 'backup', ...result.backup };
    default: {
      const { command, ...rest } = result;
      return { command, ...rest };
    }
  }
}

function humanSummary(result: CommandResult): string {
  switch (result.command) {
    case 'backup': {
      const b = result.backup;
      return [
        '',
        `backup     ${b.backupId} (${b.type})`,
        `object     ${b.location}${b.objectKey}`,
        ...(b.monthlyKey ? [`monthly    ${b.location}${b.monthlyKey}`] : []),
        `size       ${formatBytes(b.encryptedSize)} encrypted, ${formatBytes(b.snapshotSize)} snapshot`,
        `sha256     ${b.encryptedSha256}`,
        `raft       index ${b.raftIndex}, term ${b.raftTerm}`,
        `duration   ${formatDuration(b.durationMs)}`,
        '',
      ].join('\n');
    }
    case 'list':
      return `${formatListTable(result.list)}\n`;
    case 'prune': {
      const p = result.prune;
      return `\n${p.dryRun ? 'dry run: nothing deleted' : `deleted ${p.deleted.length} objects`}${p.retained.length ? `, ${p.retained.length} retained by Object Lock` : ''}\n`;
    }
    default:
      return '';
  }
}
