/** The IssueTracker on GitHub's REST API (Octokit from @actions/github, which honours GITHUB_API_URL). */
import { getOctokit } from '@actions/github';
import type { IssueTracker } from './incidents.js';

export function githubIssues(token: string, repository: string): IssueTracker {
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY "${repository}" is not owner/name`);
  const octokit = getOctokit(token);
  return {
    async openIssues(label) {
      const open = await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', labels: label, per_page: 100 });
      // The issues API also returns pull requests; they are never incidents.
      return open.filter((i) => !i.pull_request).map((i) => ({ number: i.number, body: i.body ?? '' }));
    },
    async open(title, body, label) {
      await octokit.rest.issues.create({ owner, repo, title, body, labels: [label] });
    },
    async comment(issue, body) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body });
    },
    async close(issue) {
      await octokit.rest.issues.update({ owner, repo, issue_number: issue, state: 'closed', state_reason: 'completed' });
    },
  };
}
