/**
 * Prometheus metrics of a run, in the text exposition format (version 0.0.4): written to a file for
 * node_exporter's textfile collector (metrics-file) and pushed to a Pushgateway (metrics-pushgateway-url). Like the
 * heartbeat, a failure to record them is logged and never changes the run's result.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { request } from 'undici';
import type { Logger } from '../log.js';
import { errorCode, errorMessage } from '../util/error-text.js';

export interface Metric {
  name: string;
  help: string;
  value: number;
  /** Labels beyond the run's own (command, target). */
  labels?: Record<string, string>;
}

/** The metric that must survive a failed run: a failure does not erase when the command last succeeded. */
export const LAST_SUCCESS = 'vault_backup_last_success_timestamp_seconds';

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

/** The text exposition of `metrics`, every sample labelled with `common` too; all gauges. */
export function exposition(metrics: Metric[], common: Record<string, string>): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const m of metrics) {
    if (!seen.has(m.name)) {
      seen.add(m.name);
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} gauge`);
    }
    lines.push(`${m.name}${labelText({ ...common, ...m.labels })} ${Number.isFinite(m.value) ? m.value : 'NaN'}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the file atomically (a temporary file renamed over it, so the collector never reads half of it). When this
 * run failed, the last-success sample of the previous file is carried over.
 */
export async function writeMetricsFile(path: string, metrics: Metric[], common: Record<string, string>, succeeded: boolean): Promise<void> {
  let text = exposition(metrics, common);
  if (!succeeded) {
    const previous = await readFile(path, 'utf8').catch(() => '');
    const kept = previous
      .split('\n')
      .filter((line) => line.startsWith(`${LAST_SUCCESS}{`) || line.startsWith(`# HELP ${LAST_SUCCESS} `) || line.startsWith(`# TYPE ${LAST_SUCCESS} `));
    if (kept.some((line) => line.startsWith(`${LAST_SUCCESS}{`))) text += `${kept.join('\n')}\n`;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, path);
}

/** The Pushgateway URL of this run's group: job vault_backup, then command and target (base64url, as targets hold slashes). */
export function pushgatewayGroupUrl(base: string, common: Record<string, string>): string {
  const parts = Object.entries(common).map(([k, v]) => `/${k}@base64/${Buffer.from(v, 'utf8').toString('base64url') || '='}`);
  return `${base.replace(/\/+$/, '')}/metrics/job/vault_backup${parts.join('')}`;
}

/**
 * Pushes the run's metrics: PUT after a success (the group is replaced: a failure's metrics go), POST after a
 * failure (only the metrics pushed are replaced: the last success stays).
 */
export async function pushMetrics(base: string, metrics: Metric[], common: Record<string, string>, succeeded: boolean): Promise<void> {
  const url = pushgatewayGroupUrl(base, common);
  const res = await request(url, {
    method: succeeded ? 'PUT' : 'POST',
    headers: { 'content-type': 'text/plain; version=0.0.4' },
    body: exposition(metrics, {}),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const answer = (await res.body.text()).slice(0, 200);
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode} ${answer}`.trim());
}

export interface MetricsSettings {
  file: string | undefined;
  pushgateway: string | undefined;
}

/** Records the run's metrics where the settings say; every failure is a warning naming where, never an error. */
export async function recordMetrics(
  settings: MetricsSettings,
  metrics: Metric[],
  common: Record<string, string>,
  succeeded: boolean,
  log: Logger,
): Promise<void> {
  if (settings.file) {
    await writeMetricsFile(settings.file, metrics, common, succeeded).then(
      () => log.info(`metrics written to ${settings.file}`),
      (error: unknown) => log.warn(`could not write the metrics file ${settings.file} (the run's own result stands): ${errorMessage(error)}`),
    );
  }
  if (settings.pushgateway) {
    const host = new URL(settings.pushgateway).host;
    await pushMetrics(settings.pushgateway, metrics, common, succeeded).then(
      () => log.info(`metrics pushed to the Pushgateway at ${host}`),
      (error: unknown) =>
        log.warn(`could not push metrics to the Pushgateway at ${host} (the run's own result stands): ${errorCode(error) ?? errorMessage(error)}`),
    );
  }
}
