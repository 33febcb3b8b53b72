/** docs/ARCHITECTURE.md stays a map of the code: every folder under src/ has its place in it. */
import { expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../harness/processes.js';

function folders(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    found.push(relative(ROOT, path), ...folders(path));
  }
  return found;
}

it('names every folder under src/', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const all = folders(join(ROOT, 'src'));
  expect(all.length).toBeGreaterThan(15);
  expect(all.filter((folder) => !doc.includes(`\`${folder}/\``))).toEqual([]);
});

it('names only files that exist', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const named = [...doc.matchAll(/`((?:src|action)\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!);
  expect(named.length).toBeGreaterThan(10);
  const missing = named.filter((file) => {
    try {
      readFileSync(join(ROOT, file));
      return false;
    } catch {
      return true;
    }
  });
  expect(missing).toEqual([]);
});
