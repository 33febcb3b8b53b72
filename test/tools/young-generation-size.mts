// Prints the young generation's size (MiB) after a workload whose objects survive a while, as a run's
// stream state does; with `--settings`, after importing the entry points' heap settings first.
//   node --import tsx test/tools/young-generation-size.mts [--settings]  →  {"newSpaceMiB": 2}
import { getHeapSpaceStatistics } from 'node:v8';

if (process.argv.includes('--settings')) await import('../../src/util/young-generation.js');

const kept: object[] = [];
for (let i = 0; i < 2_000_000; i++) {
  const piece = { at: i, label: `piece ${i}`, bytes: new Uint8Array(32) };
  if (i % 50 === 0) kept.push(piece);
  if (kept.length > 20_000) kept.splice(0, 10_000);
}
const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!;
process.stdout.write(JSON.stringify({ newSpaceMiB: newSpace.space_size / 1024 / 1024, kept: kept.length }));
