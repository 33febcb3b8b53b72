/**
 * The heartbeat (heartbeat-url) against a recording server, as healthchecks.io or Cronitor receive it: start,
 * then success or fail with a short body; a heartbeat service that is down never fails the run, and the check's
 * URL (which anyone could ping with) is not written to the log.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.js';
import { freePort } from '../harness/processes.js';

const CHECK = '/ping/6f1c0a52-secret-check-id';
let service: RecordingServer;
let dir: string;
const instant = { sleep: () => Promise.resolve() };

beforeAll(async () => {
  service = await startRecordingServer(() => ({ status: 200, body: 'OK' }));
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-heartbeat-'));
});

afterAll(async () => {
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a run that succeeds pings URL/start, then URL with what it did', async () => {
  service.requests.length = 0;
  const log = new MemoryLogger();
  await runCommand('list', { target: join(dir, 'empty'), 'heartbeat-url': `${service.url}${CHECK}` }, { log, ...instant });
  expect(service.requests.map((r) => [r.method, r.path])).toEqual([
    ['POST', `${CHECK}/start`],
    ['POST', CHECK],
  ]);
  expect(service.requests[0]!.body).toBe('vault-backup list started');
  expect(service.requests[1]!.body).toMatch(/^vault-backup list: /);
  expect(log.lines.join('\n')).not.toContain('secret-check-id');
});

it('a run that fails pings URL/fail with its error, and still fails', async () => {
  service.requests.length = 0;
  const run = runCommand(
    'verify',
    { target: join(dir, 'empty'), 'encryption-keyring': `k=${Buffer.alloc(32, 1).toString('base64')}`, 'heartbeat-url': `${service.url}${CHECK}` },
    { log: new MemoryLogger(), ...instant },
  );
  await expect(run).rejects.toThrow(/holds no complete backup/);
  expect(service.requests.map((r) => r.path)).toEqual([`${CHECK}/start`, `${CHECK}/fail`]);
  expect(service.requests[1]!.body).toMatch(/^vault-backup verify failed: \[storage\] .* holds no complete backup at all/);
});

it('a heartbeat service that is down is logged, and the run succeeds', async () => {
  const down = `http://127.0.0.1:${await freePort()}${CHECK}`;
  const log = new MemoryLogger();
  const result = await runCommand('list', { target: join(dir, 'empty'), 'heartbeat-url': down }, { log, ...instant });
  expect(result.command).toBe('list');
  const text = log.lines.join('\n');
  expect(text).toMatch(/heartbeat "start" to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\); the run's own result is unaffected/);
  expect(text).toMatch(/heartbeat "success" to 127\.0\.0\.1:\d+ failed/);
  expect(text).not.toContain('secret-check-id');
});

it('a heartbeat URL that is not http(s) is refused as input, before anything runs', async () => {
  await expect(runCommand('list', { target: join(dir, 'empty'), 'heartbeat-url': 'ftp://hc/x' }, { log: new MemoryLogger() })).rejects.toThrow(
    /heartbeat-url: must be an http\(s\) URL/,
  );
});
