/**
 * Every CLI command the docs show (`vault-backup CMD --flag ...` or `node dist/cli/index.js CMD --flag ...`) names a
 * command that exists and only settings that command takes, so a renamed setting cannot leave a page that fails
 * when an operator copies it. The runbook's blocks are also executed (runbook.test.ts); this covers every page.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCommand } from '../../src/commands/commands.js';
import { inputsFor } from '../../src/config/input-definitions.js';
import { ROOT } from '../harness/processes.js';

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));

/** Each invocation on a page: the command and the --flags after it, up to the end of the (continued) line or a shell operator. */
function invocations(text: string): Array<{ command: string; flags: string[]; line: string }> {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const found: Array<{ command: string; flags: string[]; line: string }> = [];
  for (const m of joined.matchAll(/(?:\bvault-backup|dist\/cli\/index\.js) ([a-z][a-z-]*)([^\n`|&>;]*)/g)) {
    const flags = [...m[2]!.matchAll(/(?:^|\s)--([a-z0-9-]+)/g)].map((f) => f[1]!);
    found.push({ command: m[1]!, flags, line: m[0] });
  }
  return found;
}

describe('the CLI commands in the docs', () => {
  it('are found on the pages that show them', () => {
    const all = PAGES.flatMap((p) => invocations(readFileSync(join(ROOT, p), 'utf8')));
    expect(all.filter((i) => i.command === 'recover').length).toBeGreaterThanOrEqual(2);
    expect(all.filter((i) => i.command === 'diff').length).toBeGreaterThanOrEqual(2);
  });

  it.each(PAGES)('%s names only commands and settings that exist', (page) => {
    for (const { command, flags, line } of invocations(readFileSync(join(ROOT, page), 'utf8'))) {
      // Prose such as "vault-backup-action" or "the vault-backup role" is not an invocation.
      if (!isCommand(command)) continue;
      const known = new Set<string>(inputsFor(command, 'cli').map((d) => d.name));
      for (const flag of flags) {
        const name = flag.endsWith('-file') && !known.has(flag) ? flag.slice(0, -5) : flag;
        expect([line, name, known.has(name) || name === 'help']).toEqual([line, name, true]);
      }
    }
  });
});
