/** Step outputs; each command's presenter says which, and action/output-definitions.ts documents them. */
import { presenterOf } from '../src/commands/commands.js';
import type { CommandResult } from '../src/commands/command.js';

export function outputsOf(result: CommandResult): Record<string, string> {
  return presenterOf(result).outputs(result);
}
