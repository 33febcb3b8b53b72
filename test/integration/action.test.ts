/**
 * The bundled action (dist/index.js) run as GitHub runs it: a child process with INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, an OIDC token endpoint served by a local issuer, a
 * recording fake of the GitHub REST API and a Slack receiver — against real OpenBao and moto.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-api.js';
import { startRecordingServer } from '../fakes/recording-server.js';
import { createTestIssuer } from '../fakes/oidc-issuer.js';
import { startSlackReceiver, type SlackReceiver } from '../fakes/slack-receiver.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { ROOT, SERVER_PATH } from '../harness/processes.js';
import { runBundledAction, type ActionRun } from '../harness/action-runner.js';
import { mermaidBlocks, parseMermaid } from '../harness/mermaid.js';

const AUDIENCE = 'https://github.com/acme';
const KEY = `ci-key=${Buffer.alloc(32, 9).toString('base64')}`;
const REQUEST_TOKEN = 'actions-request-token-0123456789';
const issuer = createTestIssuer();
let bao: VaultServer;
let moto: MotoServer;
let github: FakeGitHub;
let slack: SlackReceiver;
let oidc: Awaited<ReturnType<typeof issuer.serve>>;
let work: string;
const outputs: string[] = [];

beforeAll(async () => {
  const bundle = join(ROOT, 'dist', 'index.js');
  if (!existsSync(bundle)) throw new Error('dist/index.js is missing: run "npm run build" first');
  [bao, moto, github, slack] = await Promise.all([startVaultServer({ name: 'action' }), startMoto(), startFakeGitHub(), startSlackReceiver()]);
  oidc = await issuer.serve(REQUEST_TOKEN);
  await bao.enableJwtAuth(issuer.publicKeyPem, AUDIENCE);
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'action-backups' }));
  work = mkdtempSync(join(tmpdir(), 'vault-backup-action-'));
}, 60000);

afterAll(async () => {
  await Promise.all([bao?.stop(), moto?.stop(), github?.close(), slack?.close(), oidc?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function runAction(inputs: Record<string, string>): Promise<ActionRun> {
  const run = await runBundledAction(work, inputs, {
    ...moto.env(),
    // The throwaway cluster of diff and recover finds the server on the runner's PATH, as a workflow that installed it.
    PATH: `${SERVER_PATH}:${process.env.PATH}`,
    GITHUB_API_URL: github.url,
    ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
  });
  outputs.push(run.stdout, run.stderr);
  return run;
}

const baseInputs = () => ({
  command: 'backup',
  target: 's3://action-backups/prod',
  's3-endpoint': moto.endpoint,
  's3-region': 'us-east-1',
  'vault-address': bao.addr,
  'vault-jwt-role': 'backup',
  'vault-jwt-audience': AUDIENCE,
  'encryption-key': KEY,
  'github-token': 'ghs_faketoken000000000000000000000000',
  'incident-label': 'vault-backup-incident',
  'slack-webhook-url': slack.webhookUrl,
});

const incidents = () => github.issues.filter((i) => !i.pull_request);

describe('the bundled action', () => {
  it('backs up with a GitHub OIDC token, writes outputs and the job summary, and alerts nobody', async () => {
    const r = await runAction(baseInputs());
    expect(r.stderr + r.stdout).not.toContain('::error');
    expect(r.code).toBe(0);
    expect(r.outputs.result).toBe('success');
    expect(r.outputs['object-key']).toMatch(/^daily\/\d{4}-\d{2}-\d{2}\/vault-snapshot-\d{8}-\d{6}\.enc$/);
    expect(Number(r.outputs['encrypted-size'])).toBeGreaterThan(1000);
    expect(r.outputs.checksum).toMatch(/^SHA256(-COMPOSITE)?:/);
    expect(r.summary).toContain('vault-backup backup succeeded');
    expect(r.summary).toContain(r.outputs['object-key']!);
    expect(oidc.requests.at(-1)).toEqual({ audience: AUDIENCE, authorization: `Bearer ${REQUEST_TOKEN}` });
    expect(incidents()).toHaveLength(0);
    expect(slack.requests).toHaveLength(0);
    expect(r.stdout).toContain('::group::');
  });

  it('diff against the live cluster sets the counts and lists the change in the job summary, never its value', async () => {
    await bao.writeSecret('action/added', { v: 'VALUE-ONLY-IN-VAULT' });
    const r = await runAction({
      ...baseInputs(),
      command: 'diff',
      'diff-to': 'live',
      'vault-auth-method': 'token',
      'vault-token': bao.rootToken,
      'source-unseal-keys': bao.unsealKeys[0]!,
      'encryption-keyring': KEY,
    });
    expect(r.stderr + r.stdout).not.toContain('::error');
    expect(r.code).toBe(0);
    expect([r.outputs['added-count'], r.outputs['removed-count'], r.outputs['changed-count']]).toEqual(['1', '0', '0']);
    expect(r.summary).toContain('1 added, 0 removed, 0 changed');
    expect(r.summary).toContain('<tr><td>added</td><td>kv</td><td>secret/action/added</td><td>version 1</td></tr>');
    expect(r.summary + r.stdout + r.stderr).not.toContain('VALUE-ONLY-IN-VAULT');
  }, 90000);

  it('list logs its table, with sizes in human units', async () => {
    const r = await runAction({ ...baseInputs(), command: 'list' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ backups in s3:\/\/action-backups\/prod\//);
    expect(r.stdout).toMatch(/daily +\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z +[\d.]+ h +[\d.]+ KiB +complete +daily\//);
  });

  it('list and verify summaries carry trend charts of snapshot size and raft index that Mermaid parses', async () => {
    for (const command of ['list', 'verify']) {
      const r = await runAction({ ...baseInputs(), command, backup: 'latest' });
      expect(r.code).toBe(0);
      const charts = mermaidBlocks(r.summary);
      expect(charts).toHaveLength(2);
      expect(charts[0]).toMatch(/^xychart-beta\n {2}title "Snapshot size, last (\d+ backups|1 backup), \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d"/);
      expect(charts[1]).toMatch(/line \[\d+(, \d+)*\]$/);
      expect(parseMermaid(charts)).toEqual([
        { ok: true, type: 'xychart' },
        { ok: true, type: 'xychart' },
      ]);
      // The chart is Markdown after the HTML block ends; the HTML before it keeps no blank line.
      expect(r.summary.split('```mermaid')[0]).toMatch(/<\/h3>\n\n$/);
    }
  });

  it('asks GitHub for the audience GitHub uses by default, https://github.com/OWNER, when vault-jwt-audience is empty', async () => {
    const { 'vault-jwt-audience': _given, ...inputs } = baseInputs();
    const r = await runAction({ ...inputs, target: 's3://action-backups/default-audience' });
    expect(r.code).toBe(0);
    expect(oidc.requests.at(-1)).toEqual({ audience: 'https://github.com/acme', authorization: `Bearer ${REQUEST_TOKEN}` });
  });

  it('opens one incident and sends one Slack message on failure, comments on a second failure, and closes on success', async () => {
    const failing = { ...baseInputs(), 'vault-address': 'http://127.0.0.1:1' };
    const first = await runAction(failing);
    expect(first.code).not.toBe(0);
    expect(first.outputs.result).toBe('failure');
    expect(first.stdout).toContain('::error::[vault] cannot reach Vault at http://127.0.0.1:1');
    expect(incidents()).toHaveLength(1);
    const incident = incidents()[0]!;
    expect(incident).toMatchObject({ state: 'open', labels: ['vault-backup-incident'], title: 'vault-backup: backup failing for s3://action-backups/prod' });
    expect(incident.body).toContain('cannot reach Vault');
    expect(incident.body).toContain('https://github.example/acme/platform/actions/runs/');
    expect(incident.body).toMatch(/Last good backup:\*\* `daily\/.*\.enc`, \d+\.\d h old/);
    expect(slack.accepted()).toHaveLength(1);
    const message = slack.accepted()[0] as { text: string; blocks: Array<{ type: string }> };
    expect(message.text).toContain('vault-backup backup FAILED for s3://action-backups/prod');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(first.summary).toContain('vault-backup backup failed');

    const second = await runAction(failing);
    expect(second.code).not.toBe(0);
    expect(incidents()).toHaveLength(1);
    expect(incident.comments).toHaveLength(1);
    expect(incident.comments[0]).toContain('Still failing');
    expect(slack.accepted()).toHaveLength(2);

    const recovered = await runAction(baseInputs());
    expect(recovered.code).toBe(0);
    expect(incident.state).toBe('closed');
    expect(incident.comments.at(-1)).toContain('Recovered');
    // The success that closes the incident tells Slack, briefly (other successes stay quiet without notify-on-success).
    expect(slack.accepted()).toHaveLength(3);
    const recovery = slack.accepted()[2] as { text: string; blocks: Array<{ type: string }> };
    expect(recovery.text).toMatch(/^vault-backup backup recovered for s3:\/\/action-backups\/prod: backup vault-snapshot-\d{8}-\d{6} stored and verified/);
    expect(recovery.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    const quiet = await runAction({ ...baseInputs(), command: 'list' });
    expect(quiet.code).toBe(0);
    expect(slack.accepted()).toHaveLength(3);
    // The pull request carrying the same label was never touched.
    expect(github.issues.find((i) => i.pull_request)!.state).toBe('open');
    expect(github.requests.some((r) => r.path.includes('/issues/1/'))).toBe(false);
  });

  it('renders error text from a hostile server inert and masked in the issue, the summary and Slack; it cannot close another incident', async () => {
    const SECRET = 'hvs.echoed-back-by-the-server-0123456789';
    const target = 's3://action-backups/prod';
    const hostile = [
      `<!-- vault-backup-incident command=verify target=${target} -->`,
      '<img src="https://evil.example/pixel.png">',
      '@acme/platform-team look',
      '[click here](https://evil.example/phish)',
      '```',
      '',
      '<a href="https://evil.example">after a blank line</a>',
      `token ${SECRET}`,
    ].join('\n');
    const vault = await startRecordingServer((req) =>
      req.path.startsWith('/v1/sys/health') ? { status: 500, body: { errors: [hostile] } } : { status: 404, body: {} },
    );
    try {
      const before = incidents().filter((i) => i.state === 'open').length;
      const r = await runAction({ ...baseInputs(), 'vault-address': vault.url, 'vault-auth-method': 'token', 'vault-token': SECRET });
      expect(r.code).not.toBe(0);
      const opened = incidents().filter((i) => i.state === 'open');
      expect(opened).toHaveLength(before + 1);
      const issue = opened.find((i) => i.title.startsWith('vault-backup: backup'))!;
      const body = issue.body;
      expect(body).not.toContain(SECRET);
      expect(body).toContain('token ***');
      // One marker only, the action's own, on the last line.
      expect(body.match(/<!--/g)).toHaveLength(1);
      expect(body.trimEnd().endsWith(`<!-- vault-backup-incident command=backup target=${target} -->`)).toBe(true);
      // The server's words sit inside a fence they cannot close.
      const fence = /^(`{4,})text$/m.exec(body)![1]!;
      const inside = body.slice(body.indexOf(`${fence}text\n`), body.indexOf(`\n${fence}\n`, body.indexOf(`${fence}text\n`) + 1));
      for (const part of ['<img', '@acme/platform-team', 'https://evil.example/phish', '<a href']) expect(inside).toContain(part);
      const outside = body.replace(inside, '');
      for (const part of ['<img', '@acme', 'evil.example']) expect(outside).not.toContain(part);
      // The summary keeps it in one HTML block (no blank line), escaped and masked.
      expect(r.summary).not.toContain(SECRET);
      expect(r.summary).not.toMatch(/<img|<a href="https:\/\/evil|\n\n/);
      expect(r.summary).toMatch(/<a href="https:\/\/github\.example\/acme\/platform\/actions\/runs\/\d+">/);
      expect(r.summary).toContain('&lt;img');
      // Slack: escaped everywhere, the top-level text too, and masked.
      const message = JSON.stringify(slack.accepted().at(-1));
      expect(message).not.toContain(SECRET);
      expect(message).not.toMatch(/<img|<a href|<!--/);
      expect((slack.accepted().at(-1) as { text: string }).text).toContain('&lt;img');

      // A success of verify on the same target, whose marker the hostile text carries, leaves the backup incident open.
      const verifyOk = await runAction({ ...baseInputs(), command: 'verify', 'encryption-keyring': KEY });
      expect(verifyOk.code).toBe(0);
      expect(issue.state).toBe('open');
      expect(issue.comments).toEqual([]);
    } finally {
      await vault.close();
    }
  }, 90000);

  it('still fails with its own error when GitHub and Slack are both down', async () => {
    github.failWith = 500;
    slack.failures = 10;
    try {
      const r = await runAction({ ...baseInputs(), target: 's3://no-such-bucket-here/x' });
      expect(r.code).not.toBe(0);
      expect(r.outputs.result).toBe('failure');
      expect(r.stdout).toContain('::error::[storage] checking bucket no-such-bucket-here failed: bucket no-such-bucket-here does not exist');
      expect(r.stdout).toMatch(/::warning::could not update the incident issue/);
      expect(r.stdout).toMatch(/::warning::could not notify Slack .*after 3 attempt\(s\): HTTP 500/);
    } finally {
      github.failWith = undefined;
      slack.failures = 0;
    }
  }, 60000);

  it('rejects a bad input before any network call, naming the input', async () => {
    const before = github.requests.length;
    const r = await runAction({ ...baseInputs(), command: 'restore-everything', 'github-token': '' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('::error::[input] command: unknown command "restore-everything"');
    expect(github.requests.length).toBe(before);
  });

  it('never prints a secret given as input', () => {
    // ::add-mask:: lines are commands to the runner, which consumes them; everything else is the visible log.
    const all = outputs
      .join('\n')
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const secret of [KEY.split('=')[1]!, KEY, 'ghs_faketoken000000000000000000000000', slack.webhookUrl, 'secretwebhooktoken123', REQUEST_TOKEN]) {
      expect(all).not.toContain(secret);
    }
  });
});
