/** Turns a command's result (or failure) into the RunReport every alert channel renders. */
import { BackupError } from '../errors.js';
import { presenterOf } from './commands.js';
import type { CommandResult } from './command.js';
import { errorMessage } from '../util/error-text.js';
import type { RunReport } from '../notify/run-report.js';

export function successReport(result: CommandResult, target: string, runUrl?: string): RunReport {
  return { command: result.command, ok: true, target, ...(runUrl ? { runUrl } : {}), ...presenterOf(result).report(result) };
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
      message: typed?.message ?? errorMessage(error),
      ...(typed?.hint ? { hint: typed.hint } : {}),
    },
    ...(lastGood ? { lastGoodBackup: lastGood } : {}),
  };
}
