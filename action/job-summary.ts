/**
 * The job summary: the run's story as tables. core.summary does no escaping, so every value is
 * escaped here; long tables are cut so the summary stays under GitHub's 1 MiB per step.
 */
import { presenterOf } from '../src/commands/commands.js';
import type { CommandResult, SummarySection } from '../src/commands/command.js';
import { describeAge, type RunReport } from '../src/notify/run-report.js';

const MAX_SUMMARY_BYTES = 900 * 1024;

/** Escapes for HTML; line breaks become <br>, since a blank line would end the HTML block and let Markdown through. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\r?\n/g, '<br>');
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

/**
 * A section after the facts. A Mermaid chart is Markdown: it follows a blank line that ends the HTML
 * block. Its text is built from numbers and dates only, and a fence line cannot occur in it.
 */
function sectionHtml(section: SummarySection): string {
  if (section.kind === 'mermaid') return `<h3>${escapeHtml(section.title)}</h3>\n\n\`\`\`mermaid\n${section.chart.replace(/`/g, '')}\n\`\`\`\n\n`;
  const title = section.title ? `<h3>${escapeHtml(section.title)}</h3>\n` : '';
  const note = section.note ? `<p>${escapeHtml(section.note)}</p>\n` : '';
  return title + note + table(section.rows, section.header);
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
  if (result) for (const section of presenterOf(result).sections(result)) parts.push(sectionHtml(section));
  let html = parts.join('');
  if (Buffer.byteLength(html) > MAX_SUMMARY_BYTES)
    html = html.slice(0, MAX_SUMMARY_BYTES) + "\n<p>(summary cut to stay within GitHub's limit; see the run log)</p>\n";
  return html;
}
