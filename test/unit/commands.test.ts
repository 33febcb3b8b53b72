import { describe, expect, test } from '@jest/globals';
import { ACTION_COMMANDS, COMMAND_TABLE, COMMANDS } from '../../src/commands/commands.js';
import type { Presenter } from '../../src/commands/command.js';
import { INPUTS } from '../../src/config/input-definitions.js';
import { OUTPUTS } from '../../action/output-definitions.js';

const PARTS: Array<keyof Presenter<unknown>> = ['text', 'json', 'report', 'outputs', 'sections', 'logLines'];

describe('command table', () => {
  test('every command has every presenter part (a missing one fails here as well as in the compiler)', () => {
    for (const name of COMMANDS) {
      const present = COMMAND_TABLE[name].present as unknown as Record<string, unknown>;
      for (const part of PARTS) expect([name, part, typeof present[part]]).toEqual([name, part, 'function']);
      expect(typeof COMMAND_TABLE[name].run).toBe('function');
    }
  });

  test('the action offers exactly the commands the command input documents', () => {
    const described = INPUTS.find((d) => d.name === 'command')!.description;
    for (const name of ACTION_COMMANDS) expect(described).toContain(name);
    expect(ACTION_COMMANDS).not.toContain('decrypt');
    expect(ACTION_COMMANDS).not.toContain('encrypt');
  });

  test('every output a presenter can set is documented', () => {
    const documented = new Set(OUTPUTS.map((o) => o.name));
    const source = COMMANDS.map((c) => COMMAND_TABLE[c].present.outputs.toString()).join('\n');
    const named = [...source.matchAll(/'([a-z][a-z0-9-]+)':|\b([a-z]+): /g)].map((m) => m[1] ?? m[2]!);
    for (const name of named.filter((n) => n.includes('-') || ['type', 'location', 'sha256', 'checksum', 'count'].includes(n)))
      expect([name, documented.has(name)]).toEqual([name, true]);
  });
});
