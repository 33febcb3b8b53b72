/**
 * The job summary: the run's story as tables. core.summary does no escaping, so every value is
 * escaped here; long tables are cut so the summary stays under GitHub's 1 MiB per step.
 */
import * as core from '@actions/core';
import type { CommandResult } from '../src/jobs/run-command.js';
import { describeAge, type RunReport } from '../src/notify/run-report.js';

const MAX_PLAN_ROWS = 400;
const MAX_SUMMARY_BYTES = 900 * 1024;

/** Escapes for HTML; line breaks become <br>, since a blank line would end the HTML block and let Markdown through. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}

/** A cell is text, or a link to a URL this action made itself (the run's page): never one from error text. */
type Cell = string | { href: string; text: string };

function cellHtml(cell: Cell): string {
  return typeof cell === 'string' ? escapeHtml(cell) : `<a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a>`;
}

function table(rows: Cell[][], header?: string[]): string {
  const head = header ? `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>` : '';
  return `<table>${head}${rows.map((r) => `<tr>${r.map((c) => `<td>${cellHtml(c)}</td>`).join('')}</tr>`).join('')}</table>\n`;
}

export function summaryHtml(report: RunReport, result?: CommandResult): string {
  const parts: string[] = [];
  parts.push(`<h2>${report.ok ? '✅' : '❌'} vault-backup ${escapeHtml(report.command)} ${report.ok ? 'succeeded' : 'failed'}</h2>\n`);
  parts.push(`<p>${escapeHtml(report.error ? report.error.message : report.headline)}</p>\n`);
  if (report.error?.hint) parts.push(`<p><strong>What to do:</strong> ${escapeHtml(report.error.hint)}</p>\n`);
  const facts: Cell[][] = [['Target', report.target], ...report.facts.map(([k, v]) => [k, v])];
  if (report.lastGoodBackup) facts.push(['Last good backup', `${report.lastGoodBackup.key} (${describeAge(report.lastGoodBackup.ageHours)} old)`]);
  if (report.runUrl) facts.push(['Run', /^https:\/\//.test(report.runUrl) ? { href: report.runUrl, text: report.runUrl } : report.runUrl]);
  parts.push(table(facts));
  if (result?.command === 'prune') {
    const items = result.prune.plan.items;
    const rows = items.slice(-MAX_PLAN_ROWS).reverse().map((i) => [i.action, i.tier, i.time.replace('.000Z', 'Z'), i.complete ? 'complete' : 'incomplete', i.key, i.reason]);
    parts.push(`<h3>Retention plan${result.prune.dryRun ? ' (dry run)' : ''}</h3>\n`);
    if (items.length > MAX_PLAN_ROWS) parts.push(`<p>Newest ${MAX_PLAN_ROWS} of ${items.length} rows; the full plan is in the run log.</p>\n`);
    parts.push(table(rows, ['action', 'tier', 'time', 'state', 'key', 'reason']));
  }
  if (result?.command === 'list') {
    parts.push(table(result.list.backups.slice(0, MAX_PLAN_ROWS).map((b) => [b.tier, b.time.replace('.000Z', 'Z'), `${b.ageHours} h`, String(b.size), b.complete ? 'complete' : 'incomplete', b.key]), ['tier', 'time', 'age', 'bytes', 'state', 'key']));
  }
  let html = parts.join('');
  if (Buffer.byteLength(html) > MAX_SUMMARY_BYTES) html = html.slice(0, MAX_SUMMARY_BYTES) + '\n<p>(summary cut to stay within GitHub\'s limit; see the run log)</p>\n';
  return html;
}

/** Writes the summary when the runner provides a summary file (core.summary.write throws otherwise). */
export async function writeJobSummary(report: RunReport, result?: CommandResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(summaryHtml(report, result)).write();
}
