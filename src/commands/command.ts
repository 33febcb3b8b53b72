/**
 * A command is one module: how its settings become a job run, and how its result is presented
 * everywhere (CLI text and JSON, log lines, action outputs, job summary, alerts). The table in
 * commands.ts is keyed by CommandName, so the compiler finds a command that lacks any of these.
 */
import type { CommandName } from '../config/input-definitions.js';
import type { Inputs } from '../config/settings.js';
import type { Logger } from '../log.js';
import type { BackupResult } from '../jobs/backup.js';
import type { ListResult } from '../jobs/list.js';
import type { PruneResult } from '../jobs/prune.js';
import type { RestoreResult } from '../jobs/restore.js';
import type { RestoreTestResult } from '../jobs/restore-test.js';
import type { VerifyResult } from '../jobs/verify.js';
import type { RecoverResult } from '../jobs/recover.js';
import type { DiffResult } from '../jobs/diff.js';

export type CommandResult =
  /** `changes`: what changed since the previous backup (diff-with-previous). */
  | { command: 'backup'; backup: BackupResult; changes?: DiffResult }
  | { command: 'prune'; prune: PruneResult }
  | { command: 'list'; list: ListResult }
  | { command: 'verify'; verify: VerifyResult }
  | { command: 'restore-test'; restoreTest: RestoreTestResult }
  | { command: 'restore'; restore: RestoreResult }
  | { command: 'recover'; recover: RecoverResult }
  | { command: 'diff'; diff: DiffResult }
  | { command: 'decrypt'; backupId: string | undefined; keyId: string | undefined }
  | { command: 'encrypt'; backupId: string };

export type ResultOf<C extends CommandName> = Extract<CommandResult, { command: C }>;

/** What a run is given by its front: where it logs, and the clock and sleep (tests pass their own; the fronts the system's). */
export interface RunContext {
  log: Logger;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The front's environment (the CLI's, the runner's): the engine reads none of its own. The throwaway cluster takes PATH from it. */
  env: Readonly<Record<string, string | undefined>>;
  /** Random bytes (the diff's hash key). */
  random: (size: number) => Buffer;
}

export { systemClock, systemSleep } from '../util/system-time.js';

/** A part of the job summary after the facts table; the action renders it (escaped). */
export type SummarySection =
  | { kind: 'table'; title?: string; note?: string; header: string[]; rows: string[][] }
  /** A Mermaid chart built from numbers and dates only, never from stored or remote text. */
  | { kind: 'mermaid'; title: string; chart: string };

export interface Presenter<R> {
  /** What the CLI prints on stderr after the logs, without --json. */
  text(result: R): string;
  /** The CLI's --json document (an interface: see the README). */
  json(result: R): unknown;
  /** Headline and label/value facts for the job summary, Slack and incident issues. */
  report(result: R): { headline: string; facts: Array<[string, string]> };
  /** Step outputs; each name is documented in action/output-definitions.ts. */
  outputs(result: R): Record<string, string>;
  /** Summary sections after the facts. */
  sections(result: R): SummarySection[];
  /** Lines the action logs after the run (the CLI prints text() instead). */
  logLines(result: R): string[];
}

export interface CommandDefinition<C extends CommandName> {
  /** Offered as the action's `command` input (decrypt and encrypt are CLI-only). */
  inAction: boolean;
  run(inputs: Inputs, context: RunContext): Promise<ResultOf<C>>;
  present: Presenter<ResultOf<C>>;
}

/** Presenter parts most commands share. */
export const quiet = { text: () => '', sections: () => [], logLines: () => [] };
