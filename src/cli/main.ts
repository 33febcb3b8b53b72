/**
 * The CLI: parse arguments, run the command, print the result. Logs go to stderr; with --json the
 * result goes to stdout as JSON (an interface: see the README). Exit codes: 0 ok, 1 failed, 2 bad input.
 */
import { BackupError, InputError, RetentionRefusedError, UntrustedBackupsError } from '../errors.js';
import type { PruneResult } from '../jobs/prune.js';
import { presenterOf, runCommand } from '../commands/commands.js';
import { pruneJson } from '../commands/prune.js';
import type { RetentionPlan } from '../retention/plan-retention.js';
import { ConsoleLogger } from '../log.js';
import { describeUnexpected } from '../util/error-text.js';
import { helpText, parseArgs } from './args.js';
import { definitionOf } from '../config/input-definitions.js';
import { Inputs } from '../config/settings.js';
import { tellSlack, type SlackPost } from './slack.js';
import { systemClock } from '../util/system-time.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  clock?: () => Date;
  /** Where Slack messages go (tests pass a recording one). */
  postToSlack?: SlackPost;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const log = new ConsoleLogger((line) => io.stderr(line + '\n'));
  let asJson = false;
  let parsed: ReturnType<typeof parseArgs> | undefined;
  const now = () => (io.clock ?? systemClock)();
  try {
    parsed = parseArgs(argv, io.env);
    const { command, inputs } = parsed;
    asJson = command !== 'help' && definitionOf('json')!.commands!.includes(command) && new Inputs(inputs).boolean('json');
    if (command === 'help') {
      io.stdout(helpText(inputs.command));
      return 0;
    }
    const result = await runCommand(command, inputs, { log, env: io.env, ...(io.clock ? { clock: io.clock } : {}) });
    await tellSlack(command, inputs, { result }, log, now(), io.postToSlack);
    const presenter = presenterOf(result);
    if (asJson) io.stdout(JSON.stringify(presenter.json(result), null, 2) + '\n');
    else io.stderr(presenter.text(result));
    return 0;
  } catch (error) {
    if (error instanceof RetentionRefusedError && asJson) io.stdout(JSON.stringify(pruneJson(error.plan as RetentionPlan), null, 2) + '\n');
    // A prune that did its work but found suspects: the document says what it did and what it found.
    if (error instanceof UntrustedBackupsError && asJson) {
      const p = error.result as PruneResult;
      io.stdout(JSON.stringify(pruneJson(p.plan, p), null, 2) + '\n');
    }
    log.error(error instanceof BackupError ? error.describe() : describeUnexpected(error));
    if (parsed && parsed.command !== 'help') await tellSlack(parsed.command, parsed.inputs, { error }, log, now(), io.postToSlack);
    return error instanceof InputError ? 2 : 1;
  }
}
