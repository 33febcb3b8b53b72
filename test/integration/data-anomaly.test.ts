/**
 * Backups that notice data loss, against real OpenBao: a source that loses 60% of its data between two
 * backups, and a source rebuilt from scratch, are each backed up (the backup is evidence) but the run
 * fails with a [data] error; prune then keeps the last backup before the loss beyond the windows, until
 * the anomaly is acknowledged (by the setting, or by the file at the target).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataAnomalyError } from '../../src/errors.js';
import { formatListTable } from '../../src/commands/list.js';
import { trendCharts } from '../../src/report/trend.js';
import { parseMermaid } from '../harness/mermaid.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';

const KEY = `k=${Buffer.alloc(32, 6).toString('base64')}`;
const DAY = 86_400_000;
let source: VaultServer;
let dir: string;
const now = Date.now();

beforeAll(async () => {
  source = await startVaultServer({ name: 'shrinking' });
  for (let i = 0; i < 20; i++) await source.writeSecret(`team/s${i}`, { blob: Buffer.alloc(48 * 1024, i).toString('base64') });
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-anomaly-'));
}, 90000);

afterAll(async () => {
  await source?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const backup = (server: VaultServer, target: string, at: number) =>
  runCommand(
    'backup',
    { target, 'vault-address': server.addr, 'vault-auth-method': 'token', 'vault-token': server.rootToken, 'encryption-key': KEY },
    { log: new MemoryLogger(), clock: () => new Date(at) },
  );
const prune = (target: string, extra: Record<string, string> = {}) =>
  runCommand(
    'prune',
    { target, 'keep-daily': '1', 'keep-monthly': '1', 'prune-allow-mass-delete': 'true', 'encryption-keyring': KEY, ...extra },
    { log: new MemoryLogger(), clock: () => new Date(now) },
  );

it('a source that loses 60% of its data: stored, [data] error, and prune keeps the last backup before the loss until acknowledged', async () => {
  const target = join(dir, 'loss');
  const before = await backup(source, target, now - 40 * DAY);
  if (before.command !== 'backup') throw new Error('wrong result');
  // 13 of 20 secrets destroyed (every version, so the data is gone from storage).
  for (let i = 0; i < 13; i++) expect((await source.api('DELETE', `secret/metadata/team/s${i}`)).status).toBe(204);

  const run = backup(source, target, now - 3_600_000);
  await expect(run).rejects.toBeInstanceOf(DataAnomalyError);
  await expect(run).rejects.toThrow(/was stored, but compared with daily\/.*: the data shrank by \d+% .*more than data-shrink-limit-percent 50/);
  const list = await runCommand('list', { target }, { log: new MemoryLogger() });
  if (list.command !== 'list') throw new Error('wrong result');
  const anomalous = list.list.backups.find((b) => b.tier === 'daily' && b.key !== before.backup.objectKey)!;
  expect(anomalous.complete).toBe(true);
  const manifest = JSON.parse(readFileSync(join(target, anomalous.key.replace(/\.enc$/, '.json')), 'utf8')) as {
    anomalies: Array<{ kind: string; previousKey: string }>;
  };
  expect(manifest.anomalies).toEqual([expect.objectContaining({ kind: 'shrunk', previousKey: before.backup.objectKey })]);
  // The trend shows the drop and marks it, in the chart (which Mermaid parses) and in the CLI's table.
  expect(list.list.trend.map((p) => p.anomalous)).toEqual([false, true]);
  expect(list.list.trend[1]!.snapshotSize).toBeLessThan(list.list.trend[0]!.snapshotSize);
  const charts = trendCharts(list.list.trend).map((c) => c.chart);
  expect(charts[0]).toMatch(/x-axis \["\d\d-\d\d", "\d\d-\d\d ⚠"\]/);
  expect(parseMermaid(charts).every((p) => p.ok)).toBe(true);
  expect(formatListTable(list.list)).toMatch(/⚠ anomaly/);

  // 40 days old, outside keep-daily 1: kept while the anomaly stands.
  const kept = await prune(target, { 'dry-run': 'true' });
  if (kept.command !== 'prune') throw new Error('wrong result');
  expect(kept.prune.plan.items.find((i) => i.key === before.backup.objectKey)).toMatchObject({
    action: 'keep',
    reason: expect.stringMatching(/^last good state before the data anomaly in daily\//),
  });

  // A file at the target does not acknowledge it (anyone who can write there could write it): still kept.
  const id = anomalous.key
    .split('/')
    .at(-1)!
    .replace(/\.enc$/, '');
  writeFileSync(join(target, 'acknowledged-anomalies.txt'), `# cleaned up on purpose\n${id}\n`);
  const still = await prune(target, { 'dry-run': 'true' });
  if (still.command !== 'prune') throw new Error('wrong result');
  expect(still.prune.plan.items.find((i) => i.key === before.backup.objectKey)).toMatchObject({ action: 'keep' });

  // Acknowledged by the setting: it goes.
  const pruned = await prune(target, { 'acknowledged-anomalies': id });
  if (pruned.command !== 'prune') throw new Error('wrong result');
  expect(pruned.prune.deleted).toContain(before.backup.objectKey);
}, 90000);

it("a source rebuilt from scratch (raft index lower than the last backup's): stored, [data] error, last good state kept until acknowledged by the setting", async () => {
  const target = join(dir, 'rebuilt');
  const before = await backup(source, target, now - 40 * DAY);
  if (before.command !== 'backup') throw new Error('wrong result');
  const rebuilt = await startVaultServer({ name: 'rebuilt' });
  try {
    const run = backup(rebuilt, target, now - 3_600_000);
    await expect(run).rejects.toBeInstanceOf(DataAnomalyError);
    await expect(run).rejects.toThrow(/raft index went backwards from \d+ to \d+/);
  } finally {
    await rebuilt.stop();
  }
  const kept = await prune(target, { 'dry-run': 'true' });
  if (kept.command !== 'prune') throw new Error('wrong result');
  expect(kept.prune.plan.items.find((i) => i.key === before.backup.objectKey)).toMatchObject({ action: 'keep' });
  const list = await runCommand('list', { target }, { log: new MemoryLogger() });
  if (list.command !== 'list') throw new Error('wrong result');
  const id = list.list.backups
    .find((b) => b.tier === 'daily' && b.key !== before.backup.objectKey)!
    .key.split('/')
    .at(-1)!
    .replace(/\.enc$/, '');
  const pruned = await prune(target, { 'acknowledged-anomalies': id });
  if (pruned.command !== 'prune') throw new Error('wrong result');
  expect(pruned.prune.plan.items.find((i) => i.key === before.backup.objectKey)).toMatchObject({ action: 'delete' });
  expect(pruned.prune.deleted).toContain(before.backup.objectKey);
}, 90000);
