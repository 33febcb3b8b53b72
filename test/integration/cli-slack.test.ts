/**
 * Slack from the CLI, as from the action: a failed run posts its report (masked, inert), a success only with
 * notify-on-success, and a Slack that is down is a warning that leaves the exit code alone. Against a recording
 * webhook receiver.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { tellSlack } from '../../src/cli/slack.js';
import { VaultError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/log.js';
import { startSlackReceiver, type SlackReceiver } from '../fakes/slack-receiver.js';

const KEYRING = `k=${Buffer.alloc(32, 3).toString('base64')}`;
let slack: SlackReceiver;
let dir: string;

beforeAll(async () => {
  slack = await startSlackReceiver();
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-cli-slack-'));
  mkdirSync(join(dir, 'empty'));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process; returns its exit code and what it wrote on stderr. */
async function cli(...argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), env: {} });
  return { code, stderr };
}

const texts = () => slack.accepted().map((m) => JSON.stringify(m));

it('a failing verify tells Slack, with the error and what to do', async () => {
  const before = slack.accepted().length;
  const { code, stderr } = await cli('verify', '--target', join(dir, 'empty'), '--encryption-keyring', KEYRING, '--slack-webhook-url', slack.webhookUrl);
  expect(code).toBe(1);
  expect(stderr).toMatch(/Slack notified/);
  const sent = texts().slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatch(/verify FAILED/);
  expect(sent[0]).toMatch(/holds no complete backup at all/);
  expect(sent[0]).toMatch(/What to do:/);
  expect(sent[0]).not.toContain(KEYRING.slice(2));
});

it('a success tells Slack only with notify-on-success', async () => {
  const before = slack.accepted().length;
  expect((await cli('list', '--target', join(dir, 'empty'), '--slack-webhook-url', slack.webhookUrl)).code).toBe(0);
  expect(slack.accepted().length).toBe(before);
  expect((await cli('list', '--target', join(dir, 'empty'), '--slack-webhook-url', slack.webhookUrl, '--notify-on-success', 'true')).code).toBe(0);
  expect(texts().slice(before)).toHaveLength(1);
  expect(texts().at(-1)).toMatch(/list/);
});

it("masks every secret setting's value in what it sends, as the action does", async () => {
  const before = slack.accepted().length;
  const log = new MemoryLogger();
  const token = 's.CLIENT-TOKEN-0123456789';
  const raw = { target: join(dir, 'empty'), 'vault-token': token, 'slack-webhook-url': slack.webhookUrl };
  await tellSlack('backup', raw, { error: new VaultError(`permission denied for ${token}`) }, log, new Date());
  const sent = texts().slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatch(/permission denied for \*\*\*/);
  expect(sent[0]).not.toContain(token);
});

it('a Slack that is down is a warning; the exit code is the run’s own', async () => {
  slack.failures = 3;
  const { code, stderr } = await cli('list', '--target', join(dir, 'empty'), '--slack-webhook-url', slack.webhookUrl, '--notify-on-success', 'true');
  expect(code).toBe(0);
  expect(stderr).toMatch(/could not notify Slack \(the run's own result stands\): Slack webhook did not accept the message after 3 attempt\(s\): HTTP 500/);
  slack.failures = 0;
}, 30000);
