/**
 * The trend of a target at a glance: snapshot size and raft index of the last backups, anomalies
 * marked. Pure: points come from the manifests the catalog already read; charts are Mermaid
 * `xychart-beta` text (GitHub renders it in Markdown), built from numbers and dates only.
 */
import type { Catalog } from '../catalog/backup-catalog.js';
import { formatBytes } from '../log.js';

export interface TrendPoint {
  backupId: string;
  at: string;
  snapshotSize: number;
  raftIndex: number;
  anomalous: boolean;
}

export const TREND_LENGTH = 30;

/** The last `length` complete daily backups (monthly copies repeat a daily), oldest first. */
export function backupTrend(catalog: Catalog, length = TREND_LENGTH): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const entry of catalog.backups) {
    if (!entry.complete || !entry.manifest || entry.tier !== 'daily') continue;
    const m = entry.manifest;
    points.push({
      backupId: entry.backupId,
      at: entry.at.toISOString(),
      snapshotSize: m.snapshot.size,
      raftIndex: m.raft?.index ?? 0,
      anomalous: Boolean(m.anomalies?.length),
    });
  }
  return points.slice(-length);
}

const MARK = '⚠';

/** Labels as MM-DD (just DD when many, so they stay legible), with the time when two share a day, and the anomaly mark. */
function labels(points: TrendPoint[]): string[] {
  const compact = points.length > 12;
  const days = points.map((p) => (compact ? p.at.slice(8, 10) : p.at.slice(5, 10)));
  return points.map((p, i) => {
    const shared = points.filter((q) => q.at.slice(0, 10) === p.at.slice(0, 10)).length > 1;
    const time = shared ? (compact ? `h${p.at.slice(11, 13)}` : ` ${p.at.slice(11, 16)}`) : '';
    return `${days[i]}${time}${p.anomalous ? (compact ? MARK : ` ${MARK}`) : ''}`;
  });
}

function sizeUnit(max: number): { name: string; divisor: number } {
  if (max >= 1024 ** 3) return { name: 'GiB', divisor: 1024 ** 3 };
  if (max >= 1024 ** 2) return { name: 'MiB', divisor: 1024 ** 2 };
  if (max >= 1024) return { name: 'KiB', divisor: 1024 };
  return { name: 'bytes', divisor: 1 };
}

const round = (n: number) => Number(n.toFixed(2));
const quoted = (text: string) => `"${text.replace(/"/g, "'")}"`;

/** Sizes from zero, so a drop looks like one; a raft index around its own range, so its slope (or a fall) shows. */
function chart(title: string, axis: string, xLabels: string[], values: number[], kind: 'bar' | 'line'): string {
  const top = Math.max(...values, 0);
  const bottom = Math.min(...values, top);
  const span = top - bottom || Math.max(top, 1);
  const [from, to] = kind === 'bar' ? [0, top > 0 ? top * 1.1 : 1] : [Math.max(0, Math.floor(bottom - span * 0.1)), Math.ceil(top + span * 0.1)];
  return [
    'xychart-beta',
    `  title ${quoted(title)}`,
    `  x-axis [${xLabels.map(quoted).join(', ')}]`,
    `  y-axis ${quoted(axis)} ${round(from)} --> ${round(to)}`,
    `  ${kind} [${values.map(round).join(', ')}]`,
  ].join('\n');
}

/** Two charts (one y-axis each): snapshot size as bars, raft index as a line. Empty without points. */
export function trendCharts(points: TrendPoint[]): Array<{ title: string; chart: string }> {
  if (!points.length) return [];
  const xLabels = labels(points);
  const unit = sizeUnit(Math.max(...points.map((p) => p.snapshotSize)));
  const span = `last ${points.length} backup${points.length === 1 ? '' : 's'}, ${points[0]!.at.slice(0, 10)} to ${points.at(-1)!.at.slice(0, 10)}`;
  const marked = points.some((p) => p.anomalous) ? ` (${MARK} data anomaly)` : '';
  return [
    {
      title: 'Snapshot size',
      chart: chart(
        `Snapshot size, ${span}${marked}`,
        unit.name,
        xLabels,
        points.map((p) => p.snapshotSize / unit.divisor),
        'bar',
      ),
    },
    {
      title: 'Raft index',
      chart: chart(
        `Raft index, ${span}${marked}`,
        'index',
        xLabels,
        points.map((p) => p.raftIndex),
        'line',
      ),
    },
  ];
}

/** The same trend as a compact text table for the CLI and the log, sizes in human units. */
export function trendTable(points: TrendPoint[]): string {
  if (!points.length) return 'trend: no complete backup with a manifest yet';
  const width = Math.max(...points.map((p) => p.snapshotSize));
  const rows = points.map((p) => {
    const bar = '#'.repeat(width > 0 ? Math.max(1, Math.round((p.snapshotSize / width) * 20)) : 0);
    return `${p.at.slice(0, 16).replace('T', ' ')}  ${formatBytes(p.snapshotSize).padStart(10)}  ${String(p.raftIndex).padStart(10)}  ${bar.padEnd(20)}${p.anomalous ? `  ${MARK} anomaly` : ''}`;
  });
  return [`trend of the last ${points.length} backups`, `time (UTC)        snapshot    raft index  size`, ...rows].join('\n');
}
