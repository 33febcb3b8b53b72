/**
 * Prometheus metrics of every command: a file for node_exporter's textfile collector (read back with a Prometheus
 * text-format parser, and accepted by the Pushgateway's own Go parser) and a push to a real Pushgateway. A failed
 * run records its failing component and keeps the last success; a Pushgateway that is down never fails a run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startPushgateway, type Pushgateway } from '../harness/pushgateway.js';
import { SEED_KEYRING, sealedBackup } from '../harness/sealed-backup.js';

const KEY = 'daily/2026-12-05/vault-snapshot-20261205-020000.enc';
const BACKUP_TIME = new Date('2026-12-05T02:00:00Z');
let gateway: Pushgateway;
let dir: string;
let target: string;

beforeAll(async () => {
  gateway = await startPushgateway();
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-metrics-'));
  target = join(dir, 'target');
  const backup = await sealedBackup(KEY);
  mkdirSync(dirname(join(target, KEY)), { recursive: true });
  writeFileSync(join(target, KEY), backup.object);
  writeFileSync(join(target, KEY.replace(/\.enc$/, '.json')), backup.manifest);
}, 60000);

afterAll(async () => {
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Family = { name: string; type: string; metrics: Array<{ value: string; labels?: Record<string, string> }> };
const parse = (text: string) => parsePrometheusTextFormat(text) as Family[];
/** The value of `name` whose labels include `labels`. */
function sample(families: Family[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found === undefined ? undefined : Number(found.value);
}

/** verify of the seeded backup at `now`: it passes an hour after the backup, fails as stale (26 h limit) two days later. */
const verify = (now: Date, extra: Record<string, string>) =>
  runCommand('verify', { target, 'encryption-keyring': SEED_KEYRING, backup: 'latest', ...extra }, { log: new MemoryLogger(), clock: () => now });

describe('metrics-file (node_exporter textfile collector)', () => {
  it('records a success with what verify measured, then a failure with its component, keeping the last success', async () => {
    const file = join(dir, 'vault_backup_verify.prom');
    const ok = new Date(BACKUP_TIME.getTime() + 3_600_000);
    await verify(ok, { 'metrics-file': file });
    const first = parse(readFileSync(file, 'utf8'));
    const labels = { command: 'verify', target };
    expect(sample(first, 'vault_backup_success', labels)).toBe(1);
    expect(sample(first, 'vault_backup_last_success_timestamp_seconds', labels)).toBeCloseTo(ok.getTime() / 1000, 0);
    expect(sample(first, 'vault_backup_verified_age_hours', labels)).toBeCloseTo(1, 1);
    expect(sample(first, 'vault_backup_bytes', labels)).toBeGreaterThan(0);
    expect(first.every((f) => f.type === 'GAUGE')).toBe(true);

    const stale = new Date(BACKUP_TIME.getTime() + 48 * 3_600_000);
    await expect(verify(stale, { 'metrics-file': file })).rejects.toThrow(/more than max-age-hours 26/);
    const second = parse(readFileSync(file, 'utf8'));
    expect(sample(second, 'vault_backup_success', labels)).toBe(0);
    expect(sample(second, 'vault_backup_last_run_timestamp_seconds', labels)).toBeCloseTo(stale.getTime() / 1000, 0);
    expect(sample(second, 'vault_backup_last_success_timestamp_seconds', labels)).toBeCloseTo(ok.getTime() / 1000, 0);
    expect(second.find((f) => f.name === 'vault_backup_failure')!.metrics[0]!.labels).toMatchObject({ command: 'verify', component: expect.any(String) });

    // Prometheus's own Go parser (inside the Pushgateway) accepts the file as it is.
    const scratch = `${gateway.url}/metrics/job/textfile_check`;
    expect((await fetch(scratch, { method: 'PUT', body: readFileSync(file, 'utf8') })).status).toBe(200);
    expect((await fetch(scratch, { method: 'PUT', body: 'not a metric line\n' })).status).toBe(400);
    await fetch(scratch, { method: 'DELETE' });
  });
});

describe('metrics-pushgateway-url', () => {
  it('pushes a success (the group replaced), then a failure that keeps the last success', async () => {
    const ok = new Date(BACKUP_TIME.getTime() + 2 * 3_600_000);
    await verify(ok, { 'metrics-pushgateway-url': gateway.url });
    const labels = { job: 'vault_backup', command: 'verify', target };
    let scraped = parse(await gateway.scrape());
    expect(sample(scraped, 'vault_backup_success', labels)).toBe(1);
    expect(sample(scraped, 'vault_backup_last_success_timestamp_seconds', labels)).toBeCloseTo(ok.getTime() / 1000, 0);

    await expect(verify(new Date(BACKUP_TIME.getTime() + 72 * 3_600_000), { 'metrics-pushgateway-url': gateway.url })).rejects.toThrow();
    scraped = parse(await gateway.scrape());
    expect(sample(scraped, 'vault_backup_success', labels)).toBe(0);
    expect(sample(scraped, 'vault_backup_last_success_timestamp_seconds', labels)).toBeCloseTo(ok.getTime() / 1000, 0);
    expect(sample(scraped, 'vault_backup_failure', labels)).toBe(1);

    // The next success replaces the group: the failure's sample goes.
    await verify(ok, { 'metrics-pushgateway-url': gateway.url });
    scraped = parse(await gateway.scrape());
    expect(sample(scraped, 'vault_backup_success', labels)).toBe(1);
    expect(sample(scraped, 'vault_backup_failure', labels)).toBeUndefined();
  });

  it('a Pushgateway that is down is logged by host, and the run succeeds', async () => {
    const log = new MemoryLogger();
    const r = await runCommand(
      'verify',
      { target, 'encryption-keyring': SEED_KEYRING, 'metrics-pushgateway-url': 'http://127.0.0.1:9/' },
      { log, clock: () => new Date(BACKUP_TIME.getTime() + 3_600_000) },
    );
    expect(r.command).toBe('verify');
    expect(log.lines.join('\n')).toMatch(/could not push metrics to the Pushgateway at 127\.0\.0\.1:9 \(the run's own result stands\): ECONNREFUSED/);
  });
});
