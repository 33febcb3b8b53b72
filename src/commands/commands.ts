/**
 * Every command, keyed by name. Adding one: a module in this folder and a row here (plus its name in
 * CommandName and its result in CommandResult); the compiler then asks for every presenter part.
 */
import { BackupError } from '../errors.js';
import { pingHeartbeat } from '../notify/heartbeat.js';
import type { CommandName } from '../config/input-definitions.js';
import { Inputs, type RawInputs } from '../config/settings.js';
import { backupCommand } from './backup.js';
import { systemClock, systemSleep, type CommandDefinition, type CommandResult, type Presenter, type ResultOf, type RunContext } from './command.js';
import { decryptCommand, encryptCommand } from './file-crypto.js';
import { listCommand } from './list.js';
import { pruneCommand } from './prune.js';
import { restoreCommand } from './restore.js';
import { recoverCommand } from './recover.js';
import { diffCommand } from './diff.js';
import { secureRandom } from '../crypto/data-keys.js';
import { restoreTestCommand } from './restore-test.js';
import { verifyCommand } from './verify.js';
import { recordMetrics } from '../notify/metrics.js';
import { metricsOf } from './metrics-of.js';

export const COMMAND_TABLE: { [C in CommandName]: CommandDefinition<C> } = {
  backup: backupCommand,
  verify: verifyCommand,
  prune: pruneCommand,
  list: listCommand,
  'restore-test': restoreTestCommand,
  restore: restoreCommand,
  recover: recoverCommand,
  diff: diffCommand,
  decrypt: decryptCommand,
  encrypt: encryptCommand,
};

export const COMMANDS = Object.keys(COMMAND_TABLE) as CommandName[];
export const ACTION_COMMANDS = COMMANDS.filter((c) => COMMAND_TABLE[c].inAction);

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_TABLE, name);
}

/** Raw inputs (CLI flags or action inputs) become typed settings, all checked before any network call, then the job runs. */
export async function runCommand<C extends CommandName>(
  command: C,
  raw: RawInputs,
  context: Pick<RunContext, 'log'> & Partial<RunContext>,
): Promise<ResultOf<C>> {
  const definition: CommandDefinition<C> = COMMAND_TABLE[command];
  const inputs = new Inputs(raw);
  const run: RunContext = {
    log: context.log,
    clock: context.clock ?? systemClock,
    sleep: context.sleep ?? systemSleep,
    env: context.env ?? {},
    random: context.random ?? secureRandom,
  };
  // Read before the run, so a malformed URL is an [input] error like any other setting.
  const heartbeat = inputs.url('heartbeat-url', false, true);
  const metrics = { file: inputs.optional('metrics-file'), pushgateway: inputs.url('metrics-pushgateway-url', false, true) };
  const observed = heartbeat || metrics.file || metrics.pushgateway;
  if (!observed) return definition.run(inputs, run);
  const started = run.clock();
  const labels = { command, target: (raw.target ?? '').trim() };
  if (heartbeat) await pingHeartbeat(heartbeat, 'start', `vault-backup ${command} started`, run.log, run.sleep);
  let result: ResultOf<C>;
  try {
    result = await definition.run(inputs, run);
  } catch (error) {
    const text = error instanceof BackupError ? error.describe() : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    if (heartbeat) await pingHeartbeat(heartbeat, 'fail', `vault-backup ${command} failed: ${text}`, run.log, run.sleep);
    await recordMetrics(metrics, metricsOf({ error }, started, run.clock()), labels, false, run.log);
    throw error;
  }
  if (heartbeat) await pingHeartbeat(heartbeat, 'success', `vault-backup ${command}: ${definition.present.report(result).headline}`, run.log, run.sleep);
  await recordMetrics(metrics, metricsOf({ result }, started, run.clock()), labels, true, run.log);
  return result;
}

/** The presenter of a result's own command. */
export function presenterOf<R extends CommandResult>(result: R): Presenter<R> {
  // The table pairs each command with the presenter of its own result; TypeScript cannot follow that pairing through a union.
  return COMMAND_TABLE[result.command].present as unknown as Presenter<R>;
}
