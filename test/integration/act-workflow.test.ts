/**
 * This repository's own CI workflow, job test-action, run by a real runner: act (pinned, from the Go module
 * proxy) on the host, dispatched like a user would. The job starts OpenBao and moto, then runs the action with
 * `uses: ./` for backup → verify → list → prune; the test asserts on the outputs and summaries of the run.
 */
import { expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../harness/processes.js';

const act = join(ROOT, '.tools', 'act', 'bin', 'act');
const haveAct = existsSync(act);
if (!haveAct) console.log(`act workflow test skipped: ${act} is missing because Go is not installed (scripts/install-act.sh)`);

(haveAct ? it : it.skip)(
  'dispatch → backup → verify → list → prune through act, on the host',
  async () => {
    // act copies the checkout without its git-ignored folders: the job reuses this checkout's test servers.
    const args = [
      'workflow_dispatch',
      '-W',
      '.github/workflows/ci.yml',
      '-j',
      'test-action',
      '-P',
      'ubuntu-latest=-self-hosted',
      '--action-offline-mode',
      '--env',
      `VAULT_BACKUP_TEST_SERVERS=${join(ROOT, '.test-servers')}`,
    ];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(act, args, { cwd: ROOT, env: { ...process.env, HOME: process.env.HOME ?? ROOT }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.once('exit', (c) => resolve({ code: c, output: text }));
    });
    expect(code === 0 ? 'exit 0' : `exit ${code}: ${output.slice(-4000)}`).toBe('exit 0');
    expect(output).toMatch(/🏁 +Job succeeded/);
    // Each step of the action reported success, and the backup the verify step checked is the one just made.
    expect(output.match(/::set-output:: result=success/g)).toHaveLength(4);
    const objectKey = /::set-output:: object-key=(daily\/\S+\.enc)/.exec(output)?.[1];
    expect(objectKey).toBeDefined();
    expect(output).toContain(`<h2>✅ vault-backup verify succeeded</h2>\n<p>backup ${objectKey} verified: decrypts to a valid snapshot</p>`);
    expect(output).toMatch(/::set-output:: count=2/);
    expect(output).toMatch(/<h2>✅ vault-backup prune succeeded<\/h2>/);
    // The job cleaned up after itself: no server left on its ports.
    expect(output).toMatch(/Success - Main Stop OpenBao and moto/);
  },
  300000,
);
