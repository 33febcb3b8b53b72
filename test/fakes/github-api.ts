/**
 * A recording fake of the few GitHub REST endpoints the action uses for incident issues: list, create,
 * comment, update. It keeps issues in memory (plus one pull request, which the action must ignore).
 */
import { startRecordingServer, type RecordingServer } from './recording-server.js';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  comments: string[];
  pull_request?: { url: string };
}

export interface FakeGitHub extends RecordingServer {
  issues: FakeIssue[];
  /** When set, every request answers with this status. */
  failWith: number | undefined;
}

export async function startFakeGitHub(repository = 'acme/platform'): Promise<FakeGitHub> {
  const issues: FakeIssue[] = [
    // A pull request carrying the same label and marker text: the issues API lists PRs too.
    {
      number: 1,
      title: 'PR that mentions incidents',
      body: '<!-- vault-backup-incident command=backup target=s3://nowhere -->',
      state: 'open',
      labels: ['vault-backup-incident'],
      comments: [],
      pull_request: { url: 'x' },
    },
  ];
  const fake: Partial<FakeGitHub> = { issues, failWith: undefined };
  const base = `/repos/${repository}`;
  const view = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    ...(i.pull_request ? { pull_request: i.pull_request } : {}),
  });
  const server = await startRecordingServer((req) => {
    if (fake.failWith) return { status: fake.failWith, body: { message: 'injected failure' } };
    const url = new URL(req.path, 'http://x');
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (req.method === 'GET' && url.pathname === `${base}/issues`) {
      const label = url.searchParams.get('labels');
      const state = url.searchParams.get('state') ?? 'open';
      return { status: 200, body: issues.filter((i) => i.state === state && (!label || i.labels.includes(label))).map(view) };
    }
    if (req.method === 'POST' && url.pathname === `${base}/issues`) {
      const issue: FakeIssue = {
        number: issues.length + 1,
        title: String(body.title),
        body: String(body.body),
        state: 'open',
        labels: (body.labels as string[]) ?? [],
        comments: [],
      };
      issues.push(issue);
      return { status: 201, body: view(issue) };
    }
    const comment = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(url.pathname);
    if (req.method === 'POST' && comment) {
      const issue = issues.find((i) => i.number === Number(comment[1]));
      if (!issue) return { status: 404, body: { message: 'Not Found' } };
      issue.comments.push(String(body.body));
      return { status: 201, body: { id: issue.comments.length, body: body.body } };
    }
    const single = new RegExp(`^${base}/issues/(\\d+)$`).exec(url.pathname);
    if (req.method === 'PATCH' && single) {
      const issue = issues.find((i) => i.number === Number(single[1]));
      if (!issue) return { status: 404, body: { message: 'Not Found' } };
      if (body.state === 'closed' || body.state === 'open') issue.state = body.state;
      return { status: 200, body: view(issue) };
    }
    return { status: 404, body: { message: `fake GitHub has no ${req.method} ${url.pathname}` } };
  });
  const github = server as FakeGitHub;
  github.issues = issues;
  Object.defineProperty(github, 'failWith', { get: () => fake.failWith, set: (status: number | undefined) => (fake.failWith = status) });
  return github;
}
