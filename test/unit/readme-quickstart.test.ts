/**
 * The README's quick start is a workflow that works as written: it passes GitHub's workflow parser and actionlint,
 * pins the action by the tag the release flow moves, gives it only inputs it has, runs backup, verify of the
 * object just written, prune and a weekly restore test, and every job can assume its AWS role: the trust policy
 * the README gives for that role admits the subject GitHub presents for the job (an environment-bound job presents
 * `repo:ORG/REPO:environment:NAME`, not its ref).
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';
import { INPUTS } from '../../src/config/input-definitions.js';
import { ROOT } from '../harness/processes.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const packageMajor = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0]!;

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { schedule: Array<{ cron: string }> };
  jobs: Record<string, Job>;
}

/** The complete workflows among the README's yaml blocks (those with a `jobs:` key). */
const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((text) => /^jobs:/m.test(text));
const quickStart = workflows[0]!;
const doc = parse(quickStart) as Workflow;

/** Trust policies in the README, each with the role names the sentence before it gives in backticks. */
const trustPolicies = [...readme.matchAll(/Trust policy of ([^\n]*):\n\n```json\n([\s\S]*?)```/g)].map((m) => ({
  roles: [...m[1]!.matchAll(/`([\w-]+)`/g)].map((r) => r[1]!),
  policy: JSON.parse(m[2]!) as { Condition: Record<string, Record<string, string | string[]>> },
}));

/** The subject GitHub's OIDC token carries for a job of this workflow run on the default branch. */
const subjectOf = (job: Job) => (job.environment ? `repo:your-org/platform:environment:${job.environment}` : 'repo:your-org/platform:ref:refs/heads/main');

/** IAM's StringLike: `*` any run of characters, `?` one. */
const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

/** Whether a trust policy's conditions admit this audience and subject. */
function admits(policy: { Condition: Record<string, Record<string, string | string[]>> }, claims: Record<string, string>): boolean {
  return Object.entries(policy.Condition).every(([operator, tests]) =>
    Object.entries(tests).every(([key, expected]) => {
      const claim = claims[key.replace('token.actions.githubusercontent.com:', '')];
      if (claim === undefined) return false;
      const values = Array.isArray(expected) ? expected : [expected];
      return values.some((v) => (operator === 'StringLike' ? like(v, claim) : v === claim));
    }),
  );
}

it('the README is an operator’s page: about 300 lines, contributor material in docs/DEVELOPING.md', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(310);
  for (const heading of ['## Releasing', '## Layout', '## Benchmarks']) expect(readme).not.toContain(`\n${heading}\n`);
  const developing = readFileSync(join(ROOT, 'docs', 'DEVELOPING.md'), 'utf8');
  for (const heading of ['## Tests', '## Releasing', '## Layout']) expect(developing).toContain(`\n${heading}\n`);
  // The two commands a newcomer runs first stay on the front page.
  expect(readme).toContain('npm ci && npm run demo');
  expect(readme).toContain('npm ci && npm test');
});

describe('the quick-start workflow', () => {
  it('passes GitHub’s workflow parser', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(1);
    const parsed = parseWorkflow({ name: 'quick-start.yml', content: quickStart }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
  });

  it('passes actionlint', () => {
    const actionlint = join(ROOT, '.tools', 'linters', 'bin', 'actionlint');
    if (!existsSync(actionlint)) execFileSync('bash', [join(ROOT, 'scripts', 'install-linters.sh')], { cwd: ROOT, stdio: 'ignore' });
    const dir = mkdtempSync(join(tmpdir(), 'readme-workflow-'));
    try {
      mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
      writeFileSync(join(dir, '.github', 'workflows', 'vault-backup.yml'), quickStart);
      let out = '';
      try {
        execFileSync(actionlint, ['-no-color', '.github/workflows/vault-backup.yml'], { cwd: dir, encoding: 'utf8' });
      } catch (error) {
        out = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const ours = Object.entries(doc.jobs).flatMap(([name, job]) =>
    job.steps.filter((s) => s.uses?.startsWith('your-org/vault-backup-action@')).map((step) => ({ name, job, step })),
  );

  it('pins the action by the major tag the release flow moves, and gives it only inputs it has', () => {
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const { step } of ours) {
      expect(step.uses).toBe(`your-org/vault-backup-action@v${packageMajor}`);
      for (const input of Object.keys(step.with ?? {})) expect(INPUTS.map((d) => d.name)).toContain(input);
    }
    expect(readme).not.toMatch(/vault-backup-action@v(?!0\b)\d/);
  });

  it('backs up nightly, verifies the object just written, prunes, and runs the restore test weekly on its own', () => {
    const commands = ours.map(({ name, step }) => `${name}:${step.with!.command}`);
    expect(commands).toEqual(['backup:backup', 'backup:verify', 'backup:prune', 'restore-test:restore-test']);
    const verify = ours.find(({ step }) => step.with!.command === 'verify')!.step;
    expect(verify.with!.backup).toBe('${{ steps.backup.outputs.object-key }}');
    const crons = doc.on.schedule.map((s) => s.cron);
    expect(crons).toContain('0 2 * * *');
    const weekly = crons.find((c) => /^\d+ \d+ \* \* \d$/.test(c))!;
    expect(doc.jobs['restore-test']!.if).toContain(`github.event.schedule == '${weekly}'`);
    expect(doc.jobs.backup!.if).toContain(`github.event.schedule != '${weekly}'`);
  });

  it('runs prune with a role that is not the writer’s (the writer can neither decrypt nor delete)', () => {
    const steps = doc.jobs.backup!.steps;
    const roleBefore = (index: number) =>
      steps
        .slice(0, index)
        .reverse()
        .find((s) => s.with?.['role-to-assume'])?.with!['role-to-assume'];
    const backupRole = roleBefore(steps.findIndex((s) => s.with?.command === 'backup'));
    const pruneRole = roleBefore(steps.findIndex((s) => s.with?.command === 'prune'));
    expect(backupRole).toMatch(/role\/vault-backup-writer$/);
    expect(pruneRole).toMatch(/role\/vault-backup-maintainer$/);
  });

  it('every job can assume its roles: the README’s trust policy for each admits the subject the job presents', () => {
    const checked: string[] = [];
    for (const [name, job] of Object.entries(doc.jobs)) {
      expect(job.permissions?.['id-token']).toBe('write');
      for (const step of job.steps.filter((s) => s.with?.['role-to-assume'])) {
        const role = step.with!['role-to-assume']!.split('/').pop()!;
        const trust = trustPolicies.find((t) => t.roles.includes(role));
        expect(trust ? role : `no trust policy in the README for ${role}`).toBe(role);
        const claims = { aud: 'sts.amazonaws.com', sub: subjectOf(job) };
        expect(admits(trust!.policy, claims) ? 'admitted' : `${role} does not admit ${claims.sub} (job ${name})`).toBe('admitted');
        checked.push(`${name}:${role}`);
      }
    }
    expect(checked).toEqual(['backup:vault-backup-writer', 'backup:vault-backup-maintainer', 'restore-test:vault-restore-test']);
  });

  it('the check can fail: a ref-bound policy does not admit an environment-bound job', () => {
    const refBound = trustPolicies.find((t) => t.roles.includes('vault-backup-writer'))!;
    expect(admits(refBound.policy, { aud: 'sts.amazonaws.com', sub: subjectOf({ environment: 'vault-restore-test', steps: [] }) })).toBe(false);
  });
});
