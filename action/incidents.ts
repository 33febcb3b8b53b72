/**
 * Incident issues: one open issue per command and target while it keeps failing. A failure opens it
 * (or comments on the open one); the next success comments and closes it. The issue is found by its
 * label and a hidden marker in its body, so edited titles do not break the link.
 */
import { getOctokit } from '@actions/github';
import { describeAge, type RunReport } from '../src/notify/run-report.js';
import { fencedBlock } from '../src/notify/untrusted-text.js';

export interface IncidentSettings {
  token: string;
  label: string;
  /** owner/name */
  repository: string;
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
  lines.push(`- **Last good backup:** ${report.lastGoodBackup ? `\`${report.lastGoodBackup.key}\`, ${describeAge(report.lastGoodBackup.ageHours)} old` : 'none found'}`);
  if (report.runUrl) lines.push(`- **Run:** ${report.runUrl}`);
  return lines.join('\n');
}

/** Opens, comments on, or closes the incident for this run's command and target. */
export async function updateIncident(settings: IncidentSettings, report: RunReport): Promise<IncidentAction> {
  const [owner, repo] = settings.repository.split('/');
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY "${settings.repository}" is not owner/name`);
  const octokit = getOctokit(settings.token);
  const mark = marker(report);
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', labels: settings.label, per_page: 100 });
  // The issues API also returns pull requests; they are never incidents. The marker is the body's last
  // line, as this action writes it: a marker quoted anywhere else (e.g. in error text) does not count.
  const incident = open.find((i) => !i.pull_request && (i.body ?? '').trimEnd().endsWith(mark));

  if (!report.ok) {
    if (incident) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: incident.number, body: `Still failing.\n\n${failureText(report)}` });
      return 'commented';
    }
    await octokit.rest.issues.create({
      owner,
      repo,
      title: `vault-backup: ${report.command} failing for ${report.target}`,
      body: `${failureText(report)}\n\nThis issue is closed automatically by the next successful \`${report.command}\`.\n\n${mark}`,
      labels: [settings.label],
    });
    return 'opened';
  }
  if (!incident) return 'none';
  const recovered = [`**Recovered:** ${report.headline}.`, ...(report.runUrl ? [`Run: ${report.runUrl}`] : [])].join('\n\n');
  await octokit.rest.issues.createComment({ owner, repo, issue_number: incident.number, body: recovered });
  await octokit.rest.issues.update({ owner, repo, issue_number: incident.number, state: 'closed', state_reason: 'completed' });
  return 'closed';
}
