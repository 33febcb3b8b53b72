/**
 * Incident issues: one open issue per command and target while it keeps failing. A failure opens it
 * (or comments on the open one); the next success comments and closes it. The issue is found by its
 * label and a hidden marker in its body, so edited titles do not break the link.
 */
import { describeAge, type RunReport } from '../src/notify/run-report.js';
import { fencedBlock } from '../src/notify/untrusted-text.js';

/** The few issue operations incidents need; GitHub's REST API behind it (github-issues.ts), or a test's record. */
export interface IssueTracker {
  /** Open issues with the label, pull requests excluded. */
  openIssues(label: string): Promise<Array<{ number: number; body: string }>>;
  open(title: string, body: string, label: string): Promise<void>;
  comment(issue: number, body: string): Promise<void>;
  close(issue: number): Promise<void>;
}

export type IncidentAction = 'opened' | 'commented' | 'closed' | 'none';

function marker(report: RunReport): string {
  return `<!-- vault-backup-incident command=${report.command} target=${report.target} -->`;
}

/** Error text is shown as code: links, images, HTML and @mentions inside it stay inert. */
function failureText(report: RunReport): string {
  const lines = [
    `**vault-backup \`${report.command}\` failed** for \`${report.target}\`.`,
    '',
    `- **Error** (${report.error?.component ?? 'unknown'}):`,
    '',
    fencedBlock(report.error?.message ?? 'unknown error'),
    '',
  ];
  if (report.error?.hint) lines.push(`- **What to do:**`, '', fencedBlock(report.error.hint), '');
  lines.push(
    `- **Last good backup:** ${report.lastGoodBackup ? `\`${report.lastGoodBackup.key}\`, ${describeAge(report.lastGoodBackup.ageHours)} old` : 'none found'}`,
  );
  if (report.runUrl) lines.push(`- **Run:** ${report.runUrl}`);
  return lines.join('\n');
}

/** Opens, comments on, or closes the incident for this run's command and target. */
export async function updateIncident(tracker: IssueTracker, label: string, report: RunReport): Promise<IncidentAction> {
  const mark = marker(report);
  // The marker is the body's last line, as this action writes it: a marker quoted anywhere else (e.g. in error text) does not count.
  const incident = (await tracker.openIssues(label)).find((i) => i.body.trimEnd().endsWith(mark));

  if (!report.ok) {
    if (incident) {
      await tracker.comment(incident.number, `Still failing.\n\n${failureText(report)}`);
      return 'commented';
    }
    await tracker.open(
      `vault-backup: ${report.command} failing for ${report.target}`,
      `${failureText(report)}\n\nThis issue is closed automatically by the next successful \`${report.command}\`.\n\n${mark}`,
      label,
    );
    return 'opened';
  }
  if (!incident) return 'none';
  const recovered = [`**Recovered:** ${report.headline}.`, ...(report.runUrl ? [`Run: ${report.runUrl}`] : [])].join('\n\n');
  await tracker.comment(incident.number, recovered);
  await tracker.close(incident.number);
  return 'closed';
}
