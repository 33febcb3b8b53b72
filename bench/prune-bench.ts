/**
 * What prune reads to authenticate what it keeps: a full catalog (31 days of daily backups and 12 monthly
 * copies, 8 MiB each) in moto behind a recording proxy, pruned by the CLI to 30 daily + 12 monthly. Counts the
 * S3 requests by kind, the data keys unwrapped and the bytes read, beside the bytes the kept backups hold.
 * Writes the "Prune" section of docs/BENCHMARKS.md. Run at the end of npm run bench (BENCH_PRUNE=0 skips it), or
 * alone: bash scripts/on-node24.sh npx tsx bench/prune-bench.ts (BENCH_PRUNE_MIB sets the backup size).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { backupKey, manifestKeyOf } from '../src/naming/backup-names.js';
import { startFaultProxy } from '../test/fakes/fault-proxy.js';
import { SEED_KEYRING, sealedBackup } from '../test/harness/sealed-backup.js';
import { startMoto } from '../test/harness/moto.js';

const ROOT = resolve(import.meta.dirname ?? '.', '..');
const CLI = join(ROOT, 'dist', 'cli', 'index.js');
const STATE_BYTES = Number(process.env.BENCH_PRUNE_MIB ?? 8) * 1024 * 1024;
const NOW = new Date('2025-11-26T03:00:00Z');
const DAY = 86_400_000;

const moto = await startMoto();
const proxy = await startFaultProxy(moto.endpoint);
try {
  const s3 = moto.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-prune' }));
  // 31 days of dailies (one too many: the plan deletes the oldest) and the first backup of each of 12 months.
  const keys: string[] = [];
  for (let d = 30; d >= 0; d--) keys.push(backupKey('daily', new Date(NOW.getTime() - d * DAY - 3_600_000)));
  for (let m = 0; m < 12; m++) keys.push(backupKey('monthly', new Date(Date.UTC(2025, 10 - m, 1, 2, 0, 0))));
  let stored = 0;
  console.log(`seeding ${keys.length} backups of ${STATE_BYTES / 1024 / 1024} MiB into moto ...`);
  for (const key of keys) {
    // Chunks of the tool's default size (1 MiB), as a backup run writes them.
    const backup = await sealedBackup(key, { stateSize: STATE_BYTES, chunkSize: 1024 * 1024 });
    if (process.env.BENCH_DEBUG) console.log('sealed', key);
    stored += backup.object.length;
    await s3.send(new PutObjectCommand({ Bucket: 'bench-prune', Key: `c/${key}`, Body: backup.object }));
    await s3.send(new PutObjectCommand({ Bucket: 'bench-prune', Key: `c/${manifestKeyOf(key)}`, Body: backup.manifest }));
  }
  proxy.seen.length = 0;
  const started = process.hrtime.bigint();
  // Not execFileSync: the recording proxy runs in this process and must go on answering.
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [CLI, 'prune', '--target', 's3://bench-prune/c', '--s3-endpoint', proxy.url, '--s3-region', 'us-east-1', '--now', NOW.toISOString(), '--json'],
    {
      env: { ...process.env, ...moto.env(), VAULT_BACKUP_KEYRING: SEED_KEYRING, NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const report = JSON.parse(out) as {
    summary: { keep: number; delete: number };
    authentication: { authenticated: number; unwraps: number; rangeReads: number; bytesRead: number };
  };
  const kinds = new Map<string, number>();
  for (const r of proxy.seen) {
    const kind =
      r.method === 'GET' && /[?&]list-type=2/.test(r.path)
        ? 'ListObjectsV2'
        : r.method === 'GET' && /\.json(\?|$)/.test(r.path)
          ? 'GetObject (manifest)'
          : r.method === 'GET' && /[?&]uploads/.test(r.path)
            ? 'ListMultipartUploads'
            : r.method === 'GET'
              ? 'GetObject (range of a backup)'
              : r.method === 'POST' && /[?&]delete/.test(r.path)
                ? 'DeleteObjects'
                : `${r.method}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const a = report.authentication;
  const keptBytes = (stored / keys.length) * report.summary.keep;
  const rows = [
    `| backups kept / deleted | ${report.summary.keep} / ${report.summary.delete} |`,
    `| backups authenticated | ${a.authenticated} |`,
    `| data keys unwrapped | ${a.unwraps} (goal: at most one per kept backup) |`,
    `| range reads | ${a.rangeReads} |`,
    `| bytes read to authenticate | ${(a.bytesRead / 1024).toFixed(0)} KiB, ${((a.bytesRead / keptBytes) * 100).toFixed(2)}% of the ${(keptBytes / 1024 ** 3).toFixed(2)} GiB the kept backups hold (goal: no whole object) |`,
    ...[...kinds].sort().map(([kind, n]) => `| S3 requests: ${kind} | ${n} |`),
    `| wall time of the prune run | ${(wallMs / 1000).toFixed(1)} s |`,
  ];
  const section = `<!-- bench-prune:start -->\nMeasured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}, with \`tsx bench/prune-bench.ts\` (part of \`npm run bench\`): a catalog of ${keys.length} backups of ${STATE_BYTES / 1024 / 1024} MiB in moto, pruned to 30 daily + 12 monthly through a recording proxy.\n\n| what | measured |\n|---|---|\n${rows.join('\n')}\n<!-- bench-prune:end -->`;
  const path = join(ROOT, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  if (!doc.includes('<!-- bench-prune:start -->')) throw new Error('docs/BENCHMARKS.md has no bench-prune section');
  writeFileSync(path, doc.replace(/<!-- bench-prune:start -->[\s\S]*<!-- bench-prune:end -->/, section));
  console.log(section);
  if (a.unwraps > report.summary.keep) throw new Error(`prune unwrapped ${a.unwraps} data keys for ${report.summary.keep} kept backups`);
  if (a.bytesRead / a.authenticated >= stored / keys.length)
    throw new Error(`prune read ${a.bytesRead / a.authenticated} bytes per backup, as much as a whole one`);
} finally {
  await proxy.close();
  await moto.stop();
}
