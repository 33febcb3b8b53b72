import { describe, expect, test } from '@jest/globals';
import { buildCatalog } from '../../src/catalog/backup-catalog.js';
import { backupTrend, trendCharts, trendTable, type TrendPoint } from '../../src/report/trend.js';
import { seededManifest } from '../harness/seed-manifest.js';
import { parseMermaid } from '../harness/mermaid.js';

const point = (day: number, size: number, index: number, anomalous = false, hour = 2): TrendPoint => ({
  backupId: `vault-snapshot-202511${String(day).padStart(2, '0')}-${String(hour).padStart(2, '0')}0000`,
  at: `2025-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`,
  snapshotSize: size,
  raftIndex: index,
  anomalous,
});

describe('trend', () => {
  test('takes the last 30 complete daily backups from their manifests, oldest first, monthly copies and incomplete ones left out', () => {
    const objects = [];
    const entries = [];
    for (let day = 1; day <= 33; day++) {
      const id = `vault-snapshot-2025${day > 30 ? '12' : '11'}${String(day > 30 ? day - 30 : day).padStart(2, '0')}-020000`;
      const key = `daily/${id.slice(15, 19)}-${id.slice(19, 21)}-${id.slice(21, 23)}/${id}.enc`;
      objects.push({ key, size: 100 }, ...(day === 5 ? [] : [{ key: key.replace(/\.enc$/, '.json'), size: 10 }]));
      entries.push({ key, id, day });
    }
    objects.push(
      { key: 'monthly/2025-12/vault-snapshot-20251201-020000.enc', size: 100 },
      { key: 'monthly/2025-12/vault-snapshot-20251201-020000.json', size: 10 },
    );
    const catalog = buildCatalog(objects);
    for (const entry of catalog.backups)
      if (entry.complete)
        entry.manifest = seededManifest(entry.objectKey, { snapshotSize: 1000 + entry.at.getUTCDate(), raftIndex: entry.at.getTime() / 1000 });
    const trend = backupTrend(catalog);
    expect(trend).toHaveLength(30);
    expect(trend[0]!.at).toBe('2025-11-03T02:00:00.000Z'); // 32 complete dailies (the 5th has no manifest): the first two drop out
    expect(trend.map((p) => p.at)).not.toContain('2025-11-05T02:00:00.000Z');
    expect(trend.at(-1)!.at).toBe('2025-12-03T02:00:00.000Z');
    expect(trend.filter((p) => p.at === '2025-12-01T02:00:00.000Z')).toHaveLength(1);
  });

  test('charts: one bar chart of sizes in a fitting unit and one line of raft indexes, anomalies marked on their label', () => {
    const charts = trendCharts([point(1, 300 * 1024 * 1024, 1000), point(2, 310 * 1024 * 1024, 1100), point(3, 120 * 1024 * 1024, 1200, true)]);
    expect(charts.map((c) => c.title)).toEqual(['Snapshot size', 'Raft index']);
    expect(charts[0]!.chart).toContain('y-axis "MiB" 0 --> 341');
    expect(charts[0]!.chart).toContain('bar [300, 310, 120]');
    expect(charts[0]!.chart).toContain('"11-03 ⚠"');
    expect(charts[1]!.chart).toContain('line [1000, 1100, 1200]');
    expect(trendCharts([])).toEqual([]);
  });

  test('two backups on one day get their time in the label', () => {
    const [size] = trendCharts([point(1, 10, 1, false, 2), point(1, 10, 2, false, 14)]);
    expect(size!.chart).toContain('x-axis ["11-01 02:00", "11-01 14:00"]');
  });

  test("Mermaid's own parser accepts the charts, for empty, tiny, large and anomalous trends", () => {
    const trends = [
      [point(1, 0, 0)],
      [point(1, 512, 7)],
      Array.from({ length: 30 }, (_, i) => point((i % 28) + 1, (4 + i / 10) * 1024 ** 3, 10_000_000 + i * 1000, i === 17, i < 28 ? 2 : 14)),
    ];
    const charts = trends.flatMap((t) => trendCharts(t).map((c) => c.chart));
    const parsed = parseMermaid(charts);
    expect(parsed).toEqual(charts.map(() => ({ ok: true, type: 'xychart' })));
    // The parser does reject a broken chart, so the check above means something.
    expect(parseMermaid([charts[0]!.replace(']', '')])[0]!.ok).toBe(false);
  });

  test('text table: human sizes, raft index, a bar and the anomaly mark', () => {
    const text = trendTable([point(1, 300 * 1024 * 1024, 1000), point(2, 120 * 1024 * 1024, 1200, true)]);
    expect(text).toContain('2025-11-01 02:00   300.0 MiB        1000  ####################');
    expect(text).toMatch(/2025-11-02 02:00 {3}120\.0 MiB {8}1200 {2}#{8} {12} {2}⚠ anomaly/);
    expect(trendTable([])).toMatch(/no complete backup/);
  });
});
