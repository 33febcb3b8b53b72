/**
 * Error text is untrusted: it can carry a server's words (a hostile or broken Vault, S3 or proxy). Before
 * it reaches a GitHub issue, the job summary or Slack it is masked (the run's secrets become ***) and
 * rendered inert: no HTML, links, images, mentions or incident markers can come to life from inside it.
 */
import type { RunReport } from './run-report.js';

/** A secret and the parts of it that may appear alone: each line, the key of an "id=key" line, each long comma-separated part. */
export function secretParts(value: string): string[] {
  if (!value) return [];
  const parts = [value];
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed) parts.push(trimmed);
    const eq = trimmed.indexOf('=');
    if (eq > 0 && trimmed.length - eq > 8) parts.push(trimmed.slice(eq + 1));
    for (const part of trimmed.split(',')) if (part.trim().length > 8) parts.push(part.trim());
  }
  return parts;
}

/** Replaces every secret (longest first, so a secret's part never leaves the rest visible) with ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}

/** Comment openers in untrusted text are broken up, so no text can pose as this tool's incident marker. */
export function defuseMarkers(text: string): string {
  return text.replace(/<!--/g, '<!- -').replace(/-->/g, '- ->');
}

/** A Markdown fenced code block that the text inside cannot close: the fence is longer than any backtick run in it. */
export function fencedBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/** The report with every value that may carry foreign text masked and defused. */
export function inertReport(report: RunReport, secrets: readonly string[]): RunReport {
  const clean = (text: string) => defuseMarkers(redact(text, secrets));
  return {
    ...report,
    headline: clean(report.headline),
    facts: report.facts.map(([k, v]) => [k, clean(v)]),
    ...(report.error
      ? { error: { component: report.error.component, message: clean(report.error.message), ...(report.error.hint ? { hint: clean(report.error.hint) } : {}) } }
      : {}),
  };
}
