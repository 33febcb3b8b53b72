/**
 * Nothing in the bucket can make the tool lose a backup. Each test does what someone who can only upload
 * objects to the target can do (and what a bad day does), on S3 (moto) and on a local directory, through the
 * CLI, and checks that every genuine backup is still there and that the run says what it found.
 */
import { expectGeneratedSection } from '../harness/doc-section.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { main } from '../../src/cli/main.js';
import { encodeManifest, type BackupManifest } from '../../src/manifest/manifest.js';
import { backupIdAt, backupKey, manifestKeyOf } from '../../src/naming/backup-names.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { directoryTarget, s3Target, type WritableTarget } from '../harness/writable-targets.js';
import { SEED_KEK, SEED_KEYRING, sealedBackup, type SealOptions } from '../harness/sealed-backup.js';

/**
 * Who can do what to the target, what the tool does, and the test that shows it: docs/RELIABILITY.md's
 * "Hostile target" table is made from these rows (the last test fails when the two differ).
 */
interface HostileRow {
  title: string;
  who: string;
  does: string;
  tool: string;
}
const UPLOADER = 'can upload objects';
const WRITER = 'the backup identity (can encrypt)';
const HOSTILE = {
  fakes: {
    title: 'fakes named as the newest backup of each of the last 10 days: prune deletes no genuine backup and names every fake',
    who: UPLOADER,
    does: 'uploads random objects with matching manifests as the newest backup of each of the last 10 days',
    tool: 'prune counts only backups it authenticated: the fakes are suspects, kept and reported, the run fails; no genuine backup is deleted',
  },
  monthly: {
    title: 'fake monthly copies dated the 1st at 00:00: the genuine monthly backups are kept',
    who: UPLOADER,
    does: 'uploads fake monthly copies dated the 1st at 00:00 (before the genuine ones)',
    tool: 'the fakes are suspects; the genuine first backup of each month stays its monthly backup',
  },
  future: {
    title: 'a fake named 4 minutes after now: the genuine newest backup is kept',
    who: UPLOADER,
    does: 'uploads a fake named minutes after now, inside the clock-skew allowance',
    tool: 'the fake is a suspect; the genuine newest backup stays the newest',
  },
  ack: {
    title: 'a planted acknowledged-anomalies.txt changes nothing: the last good backup before a recorded anomaly is kept',
    who: UPLOADER,
    does: 'uploads `acknowledged-anomalies.txt` naming a recorded data anomaly',
    tool: 'the file is not read (a warning says so); only the `acknowledged-anomalies` setting ends the hold on the last good backup',
  },
  empty: {
    title: 'the newest manifest overwritten with {}: verify of latest fails and names it; list and prune keep it as a suspect',
    who: UPLOADER,
    does: 'overwrites the newest manifest with `{}`',
    tool: 'the backup is a suspect, never deleted; `verify --backup latest` fails naming it',
  },
  bounds: {
    title: 'manifests with out-of-range fields (raft index as markup, a size of 2^53) are damaged, not a crash: list, verify and prune go on',
    who: UPLOADER,
    does: 'writes manifests with markup for a raft index and a size of 2^53',
    tool: 'the schema refuses them: the backups are suspects; list, verify and prune go on',
  },
  rollback: {
    title: 'an old snapshot under a new name (what the backup identity itself could write): prune holds it as a rollback, verify fails',
    who: WRITER,
    does: 'writes a real, old snapshot under a new name',
    tool: 'the raft index goes back between authenticated backups: prune holds the backup before it and fails; verify of latest fails',
  },
  time: {
    title: 'a backup the store recorded before the time in its name is a suspect',
    who: UPLOADER,
    does: 'plants a backup the store recorded before the time in its name',
    tool: 'a suspect: no backup that started then wrote it',
  },
} satisfies Record<string, HostileRow>;

/** The table in docs/RELIABILITY.md, made from HOSTILE. */
function hostileTable(): string {
  const lines = ['| who | does | what the tool does | checked by |', '|---|---|---|---|'];
  for (const row of Object.values(HOSTILE)) lines.push(`| ${row.who} | ${row.does} | ${row.tool} | ${row.title} |`);
  return lines.join('\n');
}

let moto: MotoServer;
let dir: string;
const BUCKET = 'hostile';
const NOW = '2025-11-26T03:00:00Z';
const DAY = 86_400_000;
const at = (daysAgo: number, time = '02:00:00') => new Date(new Date(`2025-11-26T${time}Z`).getTime() - daysAgo * DAY);

beforeAll(async () => {
  moto = await startMoto();
  // The SDK takes its credentials from the environment, as in a job.
  Object.assign(process.env, moto.env());
  await moto.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  dir = mkdtempSync(join(tmpdir(), 'vault-backup-hostile-'));
}, 60000);

const savedEnv = { ...process.env };
afterAll(async () => {
  process.env = savedEnv;
  if (dir) rmSync(dir, { recursive: true, force: true });
  await moto?.stop();
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const env = { ...moto.env(), VAULT_BACKUP_KEYRING: SEED_KEYRING };
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

let targets = 0;
/** A fresh target per test, as someone with its write right sees it. */
const kinds: Array<[string, () => WritableTarget]> = [
  ['S3', () => s3Target(moto, BUCKET, `t${++targets}`)],
  ['a local directory', () => directoryTarget(join(dir, `t${++targets}`))],
];
type Target = WritableTarget;

/** Genuine daily backups at 02:00 on each of the last `days` days, and the monthly copy of each month's first. */
async function seedGenuine(target: Target, days: number, options: (daysAgo: number) => SealOptions = () => ({})): Promise<string[]> {
  const keys: string[] = [];
  const months = new Set<string>();
  for (let d = days - 1; d >= 0; d--) {
    const when = at(d);
    const tiers = months.has(when.toISOString().slice(0, 7)) ? (['daily'] as const) : (['daily', 'monthly'] as const);
    months.add(when.toISOString().slice(0, 7));
    for (const tier of tiers) {
      const key = backupKey(tier, when);
      const backup = await sealedBackup(key, options(d));
      await target.put(key, backup.object);
      await target.put(manifestKeyOf(key), backup.manifest);
      keys.push(key);
    }
  }
  return keys;
}

/** Random bytes under `key`, with a manifest rewritten to match them: sizes and digests right, the rest copied from `like`. */
async function plantFake(target: Target, key: string, like: BackupManifest): Promise<void> {
  const bytes = randomBytes(like.encrypted.size);
  const digest = createHash('sha256').update(bytes).digest();
  const parsedId = key
    .split('/')
    .at(-1)!
    .replace(/\.enc$/, '');
  const manifest: BackupManifest = {
    ...like,
    backupId: parsedId,
    tier: key.startsWith('monthly/') ? 'monthly' : 'daily',
    objectKey: key,
    encrypted: { ...like.encrypted, sha256: digest.toString('hex'), storedChecksum: { algorithm: 'SHA256', value: digest.toString('base64') } },
  };
  await target.put(key, bytes);
  await target.put(manifestKeyOf(key), encodeManifest(manifest));
}

async function missing(target: Target, keys: string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const key of keys) if (!(await target.exists(key)) || !(await target.exists(manifestKeyOf(key)))) gone.push(key);
  return gone;
}

describe.each(kinds)('a hostile target on %s', (_name, open) => {
  it(HOSTILE.fakes.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 12);
    const like = (await sealedBackup(genuine.at(-1)!)).facts;
    const fakes = Array.from({ length: 10 }, (_, i) => backupKey('daily', at(i + 1, '23:59:59')));
    for (const key of fakes) await plantFake(target, key, like);

    const r = await cli('prune', ...target.args, '--now', NOW, '--prune-allow-mass-delete', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[data\] prune deleted only what authenticated backups justify, but the target holds 10 backups that failed authentication/);
    const report = r.json() as { suspects: Array<{ key: string }>; deleted: string[] };
    expect(report.suspects.map((s) => s.key).sort()).toEqual([...fakes].sort());
    expect(report.deleted).toEqual([]);
    expect(await missing(target, genuine)).toEqual([]);
    expect(await missing(target, fakes)).toEqual([]);
  });

  it(HOSTILE.monthly.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 70);
    const monthly = genuine.filter((k) => k.startsWith('monthly/'));
    expect(monthly).toHaveLength(3);
    const like = (await sealedBackup(monthly[0]!)).facts;
    const fakes = monthly.map((k) => k.replace(/-(\d{6})\.enc$/, '-000000.enc'));
    for (const key of fakes) await plantFake(target, key, like);

    const r = await cli('prune', ...target.args, '--now', NOW, '--prune-allow-mass-delete', '--json');
    expect(r.code).toBe(1);
    const report = r.json() as { suspects: Array<{ key: string }>; items: Array<{ key: string; action: string; reason: string }> };
    expect(report.suspects.map((s) => s.key).sort()).toEqual([...fakes].sort());
    for (const key of monthly) expect(report.items.find((i) => i.key === key)).toMatchObject({ action: 'keep', reason: expect.stringMatching(/^first of/) });
    expect(await missing(target, monthly)).toEqual([]);
  });

  it(HOSTILE.future.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 5);
    const fake = backupKey('daily', new Date(new Date(NOW).getTime() + 4 * 60_000));
    await plantFake(target, fake, (await sealedBackup(genuine.at(-1)!)).facts);

    const r = await cli('prune', ...target.args, '--now', NOW, '--keep-daily', '1', '--prune-allow-mass-delete', '--json');
    expect(r.code).toBe(1);
    const report = r.json() as { items: Array<{ key: string; action: string; reason: string }>; deleted: string[] };
    expect(report.items.find((i) => i.key === genuine.at(-1))).toMatchObject({ action: 'keep', reason: expect.stringMatching(/^newest of 2025-11-26/) });
    expect(await missing(target, [genuine.at(-1)!, fake])).toEqual([]);
    // The older dailies go as the policy says: what justifies it is the genuine newest, authenticated.
    expect(report.deleted).toContain(genuine.at(-3));
  });

  it(HOSTILE.ack.title, async () => {
    const target = open();
    // 40 days; 35 days ago the data was lost (recorded by that backup run), the raft index fell back with it.
    const lossDay = 35;
    const genuine = await seedGenuine(target, 40, (d) => ({
      index: d > lossDay ? 1_000_000 - d : 500_000 - d,
      ...(d === lossDay
        ? { anomalies: [{ kind: 'raft-index-backwards' as const, detail: 'raft index went backwards', previousKey: backupKey('daily', at(lossDay + 1)) }] }
        : {}),
    }));
    const anomalous = backupKey('daily', at(lossDay));
    const lastGood = backupKey('daily', at(lossDay + 1));
    await target.put('acknowledged-anomalies.txt', Buffer.from(`${backupIdAt(at(lossDay))}\n`));

    const r = await cli('prune', ...target.args, '--now', NOW, '--prune-allow-mass-delete', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/acknowledged-anomalies\.txt at the target is not read/);
    const report = r.json() as { items: Array<{ key: string; action: string; reason: string }> };
    expect(report.items.find((i) => i.key === lastGood)).toMatchObject({
      action: 'keep',
      reason: expect.stringMatching(/^last good state before the data anomaly/),
    });
    expect(await missing(target, [lastGood, anomalous])).toEqual([]);
    expect(genuine).toContain(lastGood);

    // The setting, which only the operator's workflow holds, does end the hold.
    const acknowledged = await cli('prune', ...target.args, '--now', NOW, '--prune-allow-mass-delete', '--acknowledged-anomalies', backupIdAt(at(lossDay)));
    expect(acknowledged.code).toBe(0);
    expect(await missing(target, [lastGood])).toEqual([lastGood]);
  });

  it(HOSTILE.empty.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 3);
    const damaged = genuine.at(-1)!;
    await target.put(manifestKeyOf(damaged), Buffer.from('{}'));

    const verify = await cli('verify', ...target.args, '--backup', 'latest', '--now', NOW);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(new RegExp(`verified, but a newer backup is not usable: ${damaged.replace(/[.]/g, '\\.')} \\(its manifest is not valid`));

    const list = await cli('list', ...target.args, '--now', NOW, '--json');
    expect(list.code).toBe(0);
    const prune = await cli('prune', ...target.args, '--now', NOW, '--keep-daily', '1', '--prune-allow-mass-delete', '--json');
    expect(prune.code).toBe(1);
    expect((prune.json() as { suspects: Array<{ key: string }> }).suspects).toEqual([expect.objectContaining({ key: damaged })]);
    expect(await target.exists(damaged)).toBe(true);
  });

  it(HOSTILE.bounds.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 3);
    const facts = (await sealedBackup(genuine.at(-1)!)).facts;
    await target.put(manifestKeyOf(genuine.at(-1)!), Buffer.from(JSON.stringify({ ...facts, raft: { ...facts.raft, index: '<img src=x onerror=alert(1)>' } })));
    await target.put(manifestKeyOf(genuine.at(-2)!), Buffer.from(JSON.stringify({ ...facts, snapshot: { size: 2 ** 53 } })));

    const list = await cli('list', ...target.args, '--now', NOW);
    expect(list.code).toBe(0);
    expect(list.stderr).not.toMatch(/<img/);
    const verify = await cli('verify', ...target.args, '--backup', genuine.at(-3)!, '--now', NOW, '--max-age-hours', '100');
    expect(verify.code).toBe(0);
    const prune = await cli('prune', ...target.args, '--now', NOW, '--json');
    expect(prune.code).toBe(1);
    const suspects = (prune.json() as { suspects: Array<{ key: string; problem: string }> }).suspects;
    expect(suspects.map((s) => s.key).sort()).toEqual([genuine.at(-2), genuine.at(-1)].sort());
    expect(suspects.find((s) => s.key === genuine.at(-1))?.problem).toMatch(/raft\.index: /);
  });

  it(HOSTILE.rollback.title, async () => {
    const target = open();
    const genuine = await seedGenuine(target, 10);
    // Encrypted with the real key and named as the newest: only its raft history gives it away.
    const forged = backupKey('daily', at(0, '02:30:00'));
    const backup = await sealedBackup(forged, { index: 10, kek: SEED_KEK });
    await target.put(forged, backup.object);
    await target.put(manifestKeyOf(forged), backup.manifest);

    const prune = await cli('prune', ...target.args, '--now', NOW, '--keep-daily', '3', '--prune-allow-mass-delete', '--json');
    expect(prune.code).toBe(1);
    expect(prune.stderr).toMatch(/unrecorded raft rollback/);
    const report = prune.json() as { rollbacks: string[]; items: Array<{ key: string; action: string; reason: string }> };
    expect(report.rollbacks).toEqual([expect.stringContaining(`${forged}: raft index went backwards`)]);
    // The genuine backup from before it is kept as the last good state, beyond the three days kept.
    expect(report.items.find((i) => i.key === genuine.at(-1))).toMatchObject({ action: 'keep', reason: expect.stringMatching(/^last good state/) });
    expect(await target.exists(genuine.at(-1)!)).toBe(true);

    const verify = await cli('verify', ...target.args, '--backup', 'latest', '--now', NOW);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/raft index went backwards from \d+ to 10\b.*its manifest records no such anomaly/);
  });
});

describe("the store's own time must agree with the name (a local directory, where a test can set it)", () => {
  it(HOSTILE.time.title, async () => {
    const [, open] = kinds[1]!;
    const target = open();
    const genuine = await seedGenuine(target, 4);
    const root = target.args[1]!;
    const early = new Date(at(0).getTime() - 3_600_000);
    utimesSync(join(root, genuine.at(-1)!), early, early);
    const prune = await cli('prune', ...target.args, '--now', NOW, '--json');
    expect(prune.code).toBe(1);
    const suspects = (prune.json() as { suspects: Array<{ key: string; problem: string }> }).suspects;
    expect(suspects).toEqual([{ key: genuine.at(-1), problem: expect.stringMatching(/the store recorded it at .* before the time in its name/) }]);
  });
});

it('docs/RELIABILITY.md shows exactly the hostile-target table (UPDATE_RELIABILITY=1 npm test rewrites it)', () => {
  expectGeneratedSection('docs/RELIABILITY.md', 'hostile', hostileTable());
});
