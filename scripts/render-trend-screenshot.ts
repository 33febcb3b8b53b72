/**
 * Renders the trend charts the list/verify summaries carry, for the README's screenshot
 * (docs/images/trend-charts.png): the charts come from the project's own trendCharts() over a month
 * of sample backups with a data loss on day 24, drawn by Mermaid in headless Chromium.
 * Needs Chromium (Debian: apt-get install chromium); not part of the tests.
 *   npx tsx scripts/render-trend-screenshot.ts [path/to/chromium]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trendCharts, type TrendPoint } from '../src/report/trend.js';

const chromium = process.argv[2] ?? '/usr/bin/chromium';
const points: TrendPoint[] = Array.from({ length: 30 }, (_, i) => {
  const day = new Date(Date.UTC(2026, 10, 1 + i, 2, 0, 0));
  const lost = i >= 23;
  return {
    backupId: `vault-snapshot-${day.toISOString().slice(0, 10).replace(/-/g, '')}-020000`,
    at: day.toISOString(),
    snapshotSize: Math.round((lost ? 131 : 318 + i * 1.7 + (i % 3) * 2.1) * 1024 * 1024),
    raftIndex: 4_180_000 + i * 9_400,
    anomalous: i === 23,
  };
});
const charts = trendCharts(points);
const mermaid = resolve('node_modules/mermaid/dist/mermaid.min.js');
const html = `<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:sans-serif;background:#fff;margin:16px;width:860px}h3{font-size:15px;margin:12px 0 4px}</style></head><body>
${charts.map((c) => `<h3>${c.title}</h3><pre class="mermaid">${c.chart}</pre>`).join('\n')}
<script src="file://${mermaid}"></script><script>mermaid.initialize({ startOnLoad: true, theme: 'default', themeVariables: { xyChart: { plotColorPalette: '#2f6fb5' } } });</script></body></html>`;
const dir = mkdtempSync(join(tmpdir(), 'trend-screenshot-'));
try {
  writeFileSync(join(dir, 'page.html'), html);
  const out = resolve('docs/images/trend-charts.png');
  execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--allow-file-access-from-files',
      '--virtual-time-budget=5000',
      '--window-size=900,1180',
      `--screenshot=${out}`,
      `file://${join(dir, 'page.html')}`,
    ],
    { stdio: 'inherit' },
  );
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
