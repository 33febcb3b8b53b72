/** The engine's entry point for the CLI and the action; the commands themselves live in src/commands/. */
export { runCommand } from '../commands/commands.js';
export type { CommandResult, RunContext } from '../commands/command.js';
