/** Step outputs; each command's presenter says which, and action/output-definitions.ts documents them. */
import * as core from '@actions/core';
import { presenterOf } from '../src/commands/commands.js';
import type { CommandResult } from '../src/commands/command.js';

export function outputsOf(result: CommandResult): Record<string, string> {
  return presenterOf(result).outputs(result);
}

export function setOutputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
}
