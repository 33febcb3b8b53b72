// Profiling aid: time the snapshot validator alone on a generated archive (npx tsx bench/prof-validate.mts FILE).
import { createReadStream } from 'node:fs';
import { validateSnapshotStream } from '../test/harness/snapshot-check.js';

const file = process.argv[2] ?? 'bench/out/snapshot-1024.tar.gz';
const started = Date.now();
const result = await validateSnapshotStream(createReadStream(file, { highWaterMark: 1 << 20 }));
console.log(`validated ${result.archiveSize} bytes in ${Date.now() - started} ms`);
