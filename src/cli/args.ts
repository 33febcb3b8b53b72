/**
 * Command-line arguments to the same raw inputs the action reads: `--name value`, `--name=value`,
 * or a bare `--flag` for true/false settings. Flags not given fall back to their environment variable.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { inputsFor, type CommandName, type InputDefinition } from '../config/input-definitions.js';
import type { RawInputs } from '../config/settings.js';
import { COMMANDS, isCommand } from '../commands/commands.js';
import { errorCode, errorMessage } from '../util/error-text.js';

export interface ParsedArgs {
  command: CommandName | 'help';
  inputs: RawInputs;
}

const isBooleanInput = (d: InputDefinition) => d.default === 'false' || d.default === 'true';

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { command: 'help', inputs: {} };
  if (!isCommand(first)) throw new InputError('command', `unknown command ${JSON.stringify(first)}`, `use one of: ${COMMANDS.join(', ')}`);
  const command = first;
  const known = new Map<string, InputDefinition>(inputsFor(command, 'cli').map((d) => [d.name, d]));
  const inputs: RawInputs = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--help' || arg === '-h') return { command: 'help', inputs: { command } };
    if (!arg.startsWith('--')) throw new InputError(arg, `unexpected argument for ${command}`, 'settings are written --name value');
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq === -1 ? undefined : eq);
    // Every secret also reads from a file (--vault-token-file PATH), so it never shows in `ps`.
    const fromFile = name.endsWith('-file') && known.get(name.slice(0, -5))?.secret === true;
    if (fromFile) {
      const path = eq !== -1 ? arg.slice(eq + 1) : rest[++i];
      if (path === undefined) throw new InputError(`--${name}`, 'needs a file path');
      name = name.slice(0, -5);
      inputs[name] = readSecretFile(`--${name}-file`, path);
      continue;
    }
    const def = known.get(name);
    if (!def) {
      throw new InputError(`--${name}`, `is not a setting of ${command}`, `run "vault-backup ${command} --help" for the list`);
    }
    if (eq !== -1) inputs[name] = arg.slice(eq + 1);
    else if (isBooleanInput(def) && (rest[i + 1] === undefined || rest[i + 1]!.startsWith('--'))) inputs[name] = 'true';
    else {
      const value = rest[++i];
      if (value === undefined) throw new InputError(`--${name}`, 'needs a value');
      inputs[name] = value;
    }
  }
  for (const def of known.values()) {
    if (inputs[def.name] === undefined && def.env && env[def.env] !== undefined) inputs[def.name] = env[def.env];
    if (inputs[def.name] === undefined && def.ambientEnv && env[def.ambientEnv] !== undefined) inputs[def.name] = env[def.ambientEnv];
  }
  return { command, inputs };
}

function readSecretFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new InputError(flag, `cannot read ${path}: ${errorCode(error) ?? errorMessage(error)}`);
  }
}

export function helpText(command?: string): string {
  if (command && isCommand(command)) {
    const lines = inputsFor(command, 'cli').map((d) => {
      const extra = [d.default !== undefined ? `default ${d.default}` : '', d.env ? `env ${d.env}` : '', d.secret ? `or --${d.name}-file PATH` : '']
        .filter(Boolean)
        .join('; ');
      return `  --${d.name.padEnd(28)} ${d.description}${extra ? ` (${extra})` : ''}`;
    });
    return `vault-backup ${command} [settings]\n\n${lines.join('\n')}\n`;
  }
  return `vault-backup: encrypted, verified backups of Vault/OpenBao raft snapshots

Usage: vault-backup <command> [--setting value ...]

Commands:
  backup        take a snapshot, encrypt it, upload it, verify it, write its manifest
  verify        check a stored backup offline (checksum, manifest, decryption, archive) and its freshness
  list          show the backups a target holds
  prune         delete backups beyond the retention policy (30 daily + 12 monthly by default)
  restore-test  restore a backup into a throwaway (or staging) cluster and read canary secrets
  restore       restore a backup into a named cluster: the real recovery
  decrypt       decrypt a backup file or s3:// object to a file or stdout
  encrypt       encrypt a file in the backup format (for tests and manual use)

Run "vault-backup <command> --help" for its settings.
`;
}
