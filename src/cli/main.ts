/**
 * The CLI: parse arguments, run the command, print the result. Logs go to stderr; with --json the
 * result goes to stdout as JSON (an interface: see the README). Exit codes: 0 ok, 1 failed, 2 bad input.
 */
import { BackupError, InputError } from '../errors.js';
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
  try {
    const { command, inputs } = parseArgs(argv, io.env);
    if (command === 'help') {
      io.stdout(helpText(inputs.command));
      return 0;
    }
    const result = await runCommand(command, inputs, { log, ...(io.clock ? { clock: io.clock } : {}) });
    const asJson = ['true', '1', 'yes'].includes((inputs.json ?? '').toLowerCase());
    if (asJson) io.stdout(JSON.stringify(jsonOf(result), null, 2) + '\n');
    else io.stderr(humanSummary(result));
    return 0;
  } catch (error) {
    const typed = error instanceof BackupError ? error : undefined;
    log.error(typed ? typed.describe() : `unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
    return error instanceof InputError ? 2 : 1;
  }
}

function jsonOf(result: CommandResult): unknown {
  const { command, ...rest } = result;
  return { command, ...rest };
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
    default:
      return '';
  }
}
