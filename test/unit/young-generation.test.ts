/**
 * The entry points keep V8's young generation at the size it has when they start (src/util/
 * young-generation.ts): the same workload grows it to many times that without the setting. Measured in processes of their own,
 * since the setting is process-wide.
 */
import { expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../tools/young-generation-size.mts', import.meta.url));
const newSpaceMiB = (...args: string[]): number =>
  (
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })) as {
      newSpaceMiB: number;
    }
  ).newSpaceMiB;

it('stops the young generation growing, where it would otherwise grow to many times its size', () => {
  const grown = newSpaceMiB();
  // Loading the TypeScript loader has grown it once or twice by the time the setting is imported here.
  const kept = newSpaceMiB('--settings');
  expect(kept).toBeLessThanOrEqual(4);
  expect(grown).toBeGreaterThanOrEqual(4 * kept);
}, 60000);

it.each(['src/cli/index.ts', 'action/index.ts'])('%s imports the setting before anything else', (entry) => {
  const source = readFileSync(fileURLToPath(new URL(`../../${entry}`, import.meta.url)), 'utf8');
  const firstImport = /^import\s+[^;]+;/m.exec(source)?.[0];
  expect(firstImport).toMatch(/^import '\.\.\/(src\/)?util\/young-generation\.js';$/);
});
