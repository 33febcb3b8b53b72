/**
 * The action front in-process: inputs, outputs, summary, incidents and Slack, with the runner, GitHub's
 * issues and Slack replaced by recording fakes. The engine is real where it needs no server (a local
 * directory target), and stands in with a canned result or error where it would.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type ActionDeps } from '../../action/main.js';
import { runCommand } from '../../src/commands/commands.js';
import { VaultError } from '../../src/errors.js';
import type { RunReport } from '../../src/notify/run-report.js';
import { FakeIssues, FakeRunner } from '../fakes/fake-runner.js';
import { seedManifest } from '../harness/seed-manifest.js';
import { mermaidBlocks } from '../harness/mermaid.js';

const KEY = `prod-key=${Buffer.alloc(32, 7).toString('base64')}`;
const NOW = new Date('2025-11-26T03:00:00Z');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'action-front-'));
  for (const day of ['24', '25', '26']) {
    const key = `daily/2025-11-${day}/vault-snapshot-202511${day}-020000.enc`;
    mkdirSync(join(dir, `daily/2025-11-${day}`), { recursive: true });
    writeFileSync(join(dir, key), Buffer.alloc(2048));
    writeFileSync(join(dir, key.replace(/\.enc$/, '.json')), seedManifest(key, 2048));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deps(
  runner: FakeRunner,
  issues: FakeIssues,
  slack: Array<{ report: RunReport; recovered: boolean }>,
  engine: ActionDeps['runCommand'] = runCommand,
  slackFails = false,
): ActionDeps {
  return {
    runner,
    runCommand: engine,
    issues: () => issues.tracker(),
    postToSlack: async (report, options) => {
      if (slackFails) throw new Error('Slack webhook did not accept the message after 3 attempt(s): HTTP 500');
      slack.push({ report, recovered: options.recovered ?? false });
    },
    clock: () => NOW,
  };
}

const alerts = {
  'github-token': 'ghs_fake000000000000000000000000000000',
  'incident-label': 'vault-backup-incident',
  'slack-webhook-url': 'https://hooks.slack.example/services/T0/B0/secret-hook',
};
const failingVault = (async () => {
  throw new VaultError(`cannot reach Vault at http://vault:8200 (the key was ${KEY})`, { hint: 'check vault-address' });
}) as ActionDeps['runCommand'];

describe('the action front, in-process', () => {
  test('list: outputs, the logged table, a summary with the trend charts and the table; nobody alerted', async () => {
    const runner = new FakeRunner({ command: 'list', target: dir, ...alerts });
    const issues = new FakeIssues();
    const slack: Array<{ report: RunReport; recovered: boolean }> = [];
    await run(deps(runner, issues, slack));
    expect(runner.failed).toBeUndefined();
    expect(runner.outputs).toEqual({ result: 'success', count: '3', 'newest-key': 'daily/2025-11-26/vault-snapshot-20251126-020000.enc', 'age-hours': '1' });
    expect(runner.log.join('\n')).toMatch(/3 backups in .*\ntier .*\ndaily {3}2025-11-26T02:00:00Z/);
    expect(runner.summary).toContain('✅ vault-backup list succeeded');
    expect(mermaidBlocks(runner.summary)).toHaveLength(2);
    expect(runner.summary).toContain('<th>raft index</th>');
    expect(issues.issues).toEqual([]);
    expect(slack).toEqual([]);
  });

  test('a failure opens one incident and tells Slack, masked; a second comments; the success that follows closes it and tells Slack it recovered', async () => {
    const issues = new FakeIssues();
    const slack: Array<{ report: RunReport; recovered: boolean }> = [];
    const inputs = { command: 'list', target: dir, 'encryption-key': KEY, ...alerts };
    for (let i = 0; i < 2; i++) {
      const runner = new FakeRunner(inputs);
      await run(deps(runner, issues, slack, failingVault));
      expect(runner.failed).toMatch(/^\[vault\] cannot reach Vault at http:\/\/vault:8200/);
      expect(runner.outputs.result).toBe('failure');
      expect(runner.secrets).toContain(KEY);
    }
    expect(issues.issues).toHaveLength(1);
    const incident = issues.issues[0]!;
    expect(incident).toMatchObject({ state: 'open', label: 'vault-backup-incident', title: `vault-backup: list failing for ${dir}` });
    expect(incident.body.trimEnd().split('\n').at(-1)).toBe(`<!-- vault-backup-incident command=list target=${dir} -->`);
    expect(incident.body).toMatch(/Last good backup:\*\* `daily\/2025-11-26\/vault-snapshot-20251126-020000\.enc`, 1\.0 h old/);
    expect(incident.body + incident.comments.join('') + JSON.stringify(slack)).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    expect(incident.comments).toEqual([expect.stringMatching(/^Still failing\./)]);
    expect(slack.map((s) => [s.report.ok, s.recovered])).toEqual([
      [false, false],
      [false, false],
    ]);

    const ok = new FakeRunner(inputs);
    await run(deps(ok, issues, slack));
    expect(ok.failed).toBeUndefined();
    expect(incident.state).toBe('closed');
    expect(incident.comments.at(-1)).toMatch(/^\*\*Recovered:\*\* 3 backups in /);
    expect(slack.at(-1)).toMatchObject({ recovered: true, report: { ok: true, command: 'list' } });
    expect(ok.log).toContain('Slack told of the recovery');

    await run(deps(new FakeRunner(inputs), issues, slack));
    expect(slack).toHaveLength(3);
  });

  test('an unknown command fails as bad input and is still reported', async () => {
    const runner = new FakeRunner({ command: 'restore-everything', target: dir, ...alerts });
    const issues = new FakeIssues();
    const slack: Array<{ report: RunReport; recovered: boolean }> = [];
    await run(deps(runner, issues, slack));
    expect(runner.failed).toBe(
      '[input] command: unknown command "restore-everything" — use one of: backup, verify, prune, list, restore-test, restore, recover, diff',
    );
    expect(issues.issues[0]!.title).toBe(`vault-backup: restore-everything failing for ${dir}`);
    expect(slack).toHaveLength(1);
  });

  test('notify-on-success must be a boolean: "maybe" fails the run by name, and the failure is still alerted with the defaults', async () => {
    const runner = new FakeRunner({ command: 'list', target: dir, 'notify-on-success': 'maybe', ...alerts });
    const issues = new FakeIssues();
    const slack: Array<{ report: RunReport; recovered: boolean }> = [];
    await run(deps(runner, issues, slack));
    expect(runner.failed).toBe('[input] notify-on-success: must be true or false, got "maybe"');
    expect(runner.log.some((l) => l.startsWith('::warning::notification settings are not valid either'))).toBe(true);
    expect(slack).toHaveLength(1);
  });

  test('notify-on-success: every success reaches Slack', async () => {
    const slack: Array<{ report: RunReport; recovered: boolean }> = [];
    await run(deps(new FakeRunner({ command: 'list', target: dir, 'notify-on-success': 'true', ...alerts }), new FakeIssues(), slack));
    expect(slack.map((s) => [s.report.ok, s.recovered])).toEqual([[true, false]]);
  });

  test('alerting that fails is a warning; the run keeps its own result', async () => {
    const runner = new FakeRunner({ command: 'list', target: dir, ...alerts });
    const issues = new FakeIssues();
    issues.fail = new Error('HTTP 502 from the GitHub API');
    await run(deps(runner, issues, [], failingVault, true));
    expect(runner.failed).toMatch(/^\[vault\]/);
    expect(runner.log).toContain("::warning::could not update the incident issue (the run's own result stands): HTTP 502 from the GitHub API");
    expect(runner.log.some((l) => l.startsWith("::warning::could not notify Slack (the run's own result stands)"))).toBe(true);
  });

  test('backup with JWT auth asks for an OIDC token for https://github.com/OWNER and masks it', async () => {
    const runner = new FakeRunner({ command: 'backup', target: dir, 'vault-address': 'http://127.0.0.1:1', 'vault-jwt-role': 'backup', 'encryption-key': KEY });
    let seen: Record<string, string | undefined> = {};
    const engine = (async (_command: string, raw: Record<string, string | undefined>) => {
      seen = raw;
      throw new VaultError('stop here');
    }) as ActionDeps['runCommand'];
    await run(deps(runner, new FakeIssues(), [], engine));
    expect(runner.audiences).toEqual(['https://github.com/acme']);
    expect(seen['vault-jwt']).toBe('eyJ.fake-oidc-token-0123456789.sig');
    expect(seen['run-url']).toBe('https://github.example/acme/platform/actions/runs/42');
    expect(runner.secrets).toContain('eyJ.fake-oidc-token-0123456789.sig');
  });

  test('no OIDC token (no id-token permission): an input error that says which permission to grant', async () => {
    const runner = new FakeRunner({ command: 'backup', target: dir, 'vault-address': 'http://127.0.0.1:1', 'vault-jwt-role': 'backup', 'encryption-key': KEY });
    runner.idToken = new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
    await run(deps(runner, new FakeIssues(), []));
    expect(runner.failed).toMatch(
      /^\[input\] vault-auth-method: jwt needs a GitHub OIDC token, and getting one failed: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL.*id-token: write/,
    );
  });
});

describe('variables other tools set', () => {
  test('s3-region falls back to AWS_DEFAULT_REGION (set by aws-actions/configure-aws-credentials); the input wins', async () => {
    const seen: Array<string | undefined> = [];
    const engine = (async (_command: string, raw: Record<string, string>) => {
      seen.push(raw['s3-region']);
      throw new VaultError('stop here');
    }) as unknown as ActionDeps['runCommand'];
    const env = { GITHUB_REPOSITORY: 'acme/platform', AWS_DEFAULT_REGION: 'eu-central-1' };
    await run(deps(new FakeRunner({ command: 'list', target: 's3://bucket/prefix' }, env), new FakeIssues(), [], engine));
    await run(deps(new FakeRunner({ command: 'list', target: 's3://bucket/prefix', 's3-region': 'us-east-2' }, env), new FakeIssues(), [], engine));
    expect(seen).toEqual(['eu-central-1', 'us-east-2']);
  });
});
