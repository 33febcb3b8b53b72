/**
 * npm run bench: backup, verify and decrypt of synthetic raft snapshots (64 MiB, 1 GiB, 4 GiB by default;
 * BENCH_SIZES=64,1024 to choose, in MiB), side by side with the floor (one pass of AES-256-GCM + SHA-256,
 * and a plain copy) and the original whole-buffer design, each in its own process, measured with
 * GNU time (wall, CPU, peak RSS). Then the restore test's RTO by phase: a real OpenBao (5/3) filled with
 * ~BENCH_RESTORE_MIB of secrets, backed up, restored into the throwaway cluster. Writes docs/BENCHMARKS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startMoto } from '../test/harness/moto.js';
import { serverPath, type ServerKind } from '../test/harness/processes.js';
import { startVaultServer } from '../test/harness/vault-server.js';
import { startSnapshotServer } from '../test/harness/snapshot-server.js';
import { syntheticSnapshot } from '../test/harness/synthetic-snapshot.js';

const ROOT = resolve(import.meta.dirname ?? '.', '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'dist', 'cli', 'index.js');
const KEY = `bench=${Buffer.alloc(32, 1).toString('base64')}`;
// BENCH_SIZES=none skips the pipeline sections (and leaves their block of docs/BENCHMARKS.md as it is).
const sizes = (process.env.BENCH_SIZES ?? '64,1024,4096')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const RESTORE_MIB = Number(process.env.BENCH_RESTORE_MIB ?? 1024);
const S3_MAX_MIB = Number(process.env.BENCH_S3_MAX_MIB ?? 1024);
// Each row is the median of this many rounds, taken in turn with the rows it is compared with.
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 3)));

/** The CLI's backup of `bao` into the directory `store`, daily only. */
const backupArgs = (store: string, bao: { addr: string; rootToken: string }) => [
  CLI,
  'backup',
  '--target',
  store,
  '--vault-address',
  bao.addr,
  '--vault-auth-method',
  'token',
  '--vault-token',
  bao.rootToken,
  '--encryption-key',
  KEY,
  '--monthly',
  'never',
];

if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');

interface Measure {
  label: string;
  ok: boolean;
  wallS: number;
  cpuS: number;
  rssMiB: number;
  note?: string;
  /** Fastest and slowest wall time of the rounds, when there was more than one. */
  wallRange?: [number, number];
}

/** Runs a command under GNU time (asynchronously: this process keeps answering the servers' and children's events meanwhile). */
async function timed(label: string, command: string, args: string[], env: Record<string, string>): Promise<Measure> {
  const r = await new Promise<{ status: number | null; stderr: string }>((done) => {
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', command, ...args], {
      env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stderr }));
  });
  const line = r.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`${label}: no timing (${r.stderr})`);
  const [, wall, user, sys, rss] = line.split(' ').map(Number) as [number, number, number, number, number];
  const ok = r.status === 0;
  const note = ok
    ? undefined
    : r.stderr
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('BENCH') && !l.startsWith('Command exited'))[0]
        ?.slice(0, 160);
  return { label, ok, wallS: wall, cpuS: user + sys, rssMiB: rss / 1024, ...(note ? { note } : {}) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Runs each step once per round, in turn, so that a slow stretch of this shared machine falls on every row compared
 * and not on one of them; each round starts one step later (A B C, B C A, C A B), so that no row always comes first
 * to a freshly started server (moto's first large upload is its slowest) or always follows the same row (and
 * whatever that one leaves the server to clean up). A row is its median wall and CPU time and its largest peak RSS;
 * a step that fails in any round is reported as that failure. Between two steps, untimed, the page cache's dirty
 * pages are written out: a step that wrote a file (the plain copy writes 1 GiB and does not sync) would otherwise
 * leave the next one to share the disk and the CPU with the kernel writing it back.
 */
async function inTurn(steps: Array<() => Promise<Measure>>): Promise<Measure[]> {
  const samples: Measure[][] = steps.map(() => []);
  for (let round = 0; round < ROUNDS; round++)
    for (let k = 0; k < steps.length; k++) {
      const i = (k + round) % steps.length;
      execFileSync('sync');
      samples[i]!.push(await steps[i]!());
    }
  return samples.map((ms) => {
    const failed = ms.find((m) => !m.ok);
    if (failed) return failed;
    const walls = ms.map((m) => m.wallS);
    return {
      label: ms[0]!.label,
      ok: true,
      wallS: median(walls),
      cpuS: median(ms.map((m) => m.cpuS)),
      rssMiB: Math.max(...ms.map((m) => m.rssMiB)),
      ...(ms.length > 1 ? { wallRange: [Math.min(...walls), Math.max(...walls)] as [number, number] } : {}),
    };
  });
}

/** One operation of ours (the bundled CLI, or a floor script) in its own Node process. */
const measure = (label: string, args: string[], env: Record<string, string> = {}) => timed(label, process.execPath, args, env);

/** A peer tool's pipeline, run by bash. */
const measureShell = (label: string, script: string, env: Record<string, string> = {}) => timed(label, 'bash', ['-o', 'pipefail', '-c', script], env);

/** Peer tools, installed by scripts/install-bench-peers.sh; a missing one is reported, never dropped. */
const PEERS = join(ROOT, '.tools', 'bench');
const peer = (name: string) => {
  const path = name === 'aws' ? join(PEERS, 'venv', 'bin', 'aws') : join(PEERS, 'bin', name);
  return existsSync(path) ? path : undefined;
};
const missing = (label: string, what: string) => {
  rows.push(`| ${label.replace(/\|/g, '\\|')} | missing | – | – | – | ${what} is not installed (scripts/install-bench-peers.sh) |`);
  console.log(rows.at(-1));
};
/** Ours against a peer on the same bytes in the same run: wall and CPU ratios. */
const comparisons: string[] = [];
const compare = (what: string, ours: Measure, theirs: Measure | undefined, goal: string) => {
  if (!theirs?.ok || !ours.ok)
    return void comparisons.push(
      `| ${what} | ${ours.ok ? ours.wallS.toFixed(1) : 'failed'} s | ${theirs ? (theirs.ok ? `${theirs.wallS.toFixed(1)} s` : 'failed') : 'missing'} | – | ${goal} |`,
    );
  const wall = (m: Measure) => `${m.wallS.toFixed(1)} s${m.wallRange ? ` (${m.wallRange.map((w) => w.toFixed(1)).join('–')})` : ''}`;
  comparisons.push(
    `| ${what} | ${wall(ours)}, ${ours.cpuS.toFixed(1)} s CPU | ${wall(theirs)}, ${theirs.cpuS.toFixed(1)} s CPU | ${(ours.wallS / theirs.wallS).toFixed(2)}× wall, ${(ours.cpuS / Math.max(theirs.cpuS, 0.01)).toFixed(2)}× CPU | ${goal} |`,
  );
};

const mib = (bytes: number) => bytes / 1024 / 1024;
const rows: string[] = [];
const table = (m: Measure, bytes: number, floor?: number) => {
  const rate = mib(bytes) / m.wallS;
  const ratio = floor ? (rate / floor).toFixed(2) + 'x' : '';
  rows.push(
    `| ${m.label.replace(/\|/g, '\\|')} | ${m.ok ? m.wallS.toFixed(2) : 'failed'} | ${m.ok ? rate.toFixed(0) : '–'} | ${m.cpuS.toFixed(2)} | ${m.rssMiB.toFixed(0)} | ${m.ok ? ratio : (m.note ?? '')} |`,
  );
  console.log(rows.at(-1));
  return rate;
};

interface S3Run {
  sizeMiB: number;
  bytes: number;
  floorRate: number;
  common: string[];
  snapshotUrl: string;
  ageFile: string | undefined;
  age: string | undefined;
  tls?: { certFile: string; keyFile: string };
}

/** Backup → S3 and its peers, on a moto of their own, over http or (with `tls`) https. */
async function s3Rows(run: S3Run): Promise<void> {
  const moto = await startMoto(run.tls ? { tls: run.tls } : {});
  const over = run.tls ? 'https' : 'loopback';
  const via = run.tls ? ' over https' : '';
  try {
    // Trust moto's certificate the way an operator trusts a private CA: NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE.
    const trust: Record<string, string> = run.tls ? { NODE_EXTRA_CA_CERTS: run.tls.certFile, AWS_CA_BUNDLE: run.tls.certFile } : {};
    const client = moto.s3();
    await client.send(new CreateBucketCommand({ Bucket: 'bench' }));
    // Every round starts from an empty bucket: moto holds objects in memory, and a backup lists what is there.
    const empty = async () => {
      const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: 'bench' }));
      if (Contents.length) await client.send(new DeleteObjectsCommand({ Bucket: 'bench', Delete: { Objects: Contents.map((o) => ({ Key: o.Key! })) } }));
    };
    const backup = async () => {
      await empty();
      return measure(
        `backup → S3 (moto on ${over})`,
        [CLI, 'backup', '--target', 's3://bench/c1', '--s3-endpoint', moto.endpoint, '--s3-region', 'us-east-1', ...run.common],
        { ...moto.env(), ...trust },
      );
    };
    const aws = peer('aws');
    if (!aws || !run.ageFile || !run.age) {
      table((await inTurn([backup]))[0]!, run.bytes, run.floorRate);
      return missing(`peer: aws s3 cp${via}`, aws ? 'age' : 'the AWS CLI');
    }
    const awsEnv = { ...moto.env(), ...trust, AWS_DEFAULT_REGION: 'us-east-1' };
    const recipient = execFileSync(peer('age-keygen')!, ['-y', join(OUT, 'age-identity.txt')])
      .toString()
      .trim();
    const copy = async () => {
      await empty();
      return measureShell(
        `peer: aws s3 cp of the same encrypted file${via}`,
        `'${aws}' --endpoint-url '${moto.endpoint}' s3 cp --quiet '${run.ageFile}' s3://bench/peer-cp`,
        awsEnv,
      );
    };
    const pipe = async () => {
      await empty();
      return measureShell(
        `peer: curl | age | aws s3 cp -${via}`,
        `curl -sf '${run.snapshotUrl}' | '${run.age}' -r '${recipient}' | '${aws}' --endpoint-url '${moto.endpoint}' s3 cp --quiet - s3://bench/peer-pipe`,
        awsEnv,
      );
    };
    const [ours, cp, piped] = (await inTurn([backup, copy, pipe])) as [Measure, Measure, Measure];
    for (const m of [ours, cp, piped]) table(m, run.bytes, run.floorRate);
    compare(`backup → S3${via}, ${run.sizeMiB} MiB (vs aws s3 cp)`, ours, cp, 'wall ≤ 1.15× the peer; peak RSS ≤ 160 MiB');
    compare(`backup → S3${via}, ${run.sizeMiB} MiB (vs the scripted pipeline)`, ours, piped, 'CPU ≤ 1.5× the peer');
  } finally {
    await moto.stop();
  }
}

/** A self-signed certificate for 127.0.0.1 (made once, with openssl), for moto over https. */
function benchCertificate(): { certFile: string; keyFile: string } {
  const certFile = join(OUT, 'moto-cert.pem');
  const keyFile = join(OUT, 'moto-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile];
    execFileSync('openssl', ['req', '-x509', ...key, ...subject, '-days', '3650', '-out', certFile], { stdio: 'ignore' });
  }
  return { certFile, keyFile };
}

mkdirSync(OUT, { recursive: true });
const header = '| operation | wall s | MiB/s | CPU s | peak RSS MiB | vs floor |\n|---|---|---|---|---|---|';
const sections: string[] = [];

for (const sizeMiB of sizes) {
  const stateSize = sizeMiB * 1024 * 1024;
  const archive = join(OUT, `snapshot-${sizeMiB}.tar.gz`);
  if (!existsSync(archive)) {
    console.log(`generating ${sizeMiB} MiB synthetic snapshot ...`);
    await pipeline(syntheticSnapshot({ stateSize, seed: `bench-${sizeMiB}`, gzipLevel: 0 }), createWriteStream(archive));
  }
  const bytes = statSync(archive).size;
  rows.length = 0;
  console.log(`\n== ${sizeMiB} MiB (archive ${bytes} bytes)`);
  const store = join(OUT, `store-${sizeMiB}`);
  rmSync(store, { recursive: true, force: true });

  const copyOut = join(OUT, 'copy.tmp');
  const aesSha = () => measure('floor: AES-256-GCM + SHA-256, one pass', [join(ROOT, 'bench', 'floor.mjs'), 'aes-sha', archive]);
  const plainCopy = async () => {
    rmSync(copyOut, { force: true });
    return measure('floor: plain stream copy', [join(ROOT, 'bench', 'floor.mjs'), 'copy', archive, copyOut]);
  };

  // The stand-in for Vault is a Go program in a process of its own, like OpenBao (about 0.6 s of CPU per GiB served;
  // a Node server framing the same way cost 2-3.5 s, taken from the two cores the tool, its peers and moto share).
  const server = await startSnapshotServer(archive);
  try {
    const common = ['--vault-address', server.url, '--vault-auth-method', 'token', '--vault-token', 'bench', '--encryption-key', KEY, '--monthly', 'never'];
    // Each round backs up into an empty store; the last round's backup is the one verified and decrypted below.
    const backup = async () => {
      rmSync(store, { recursive: true, force: true });
      return measure('backup → local directory', [CLI, 'backup', '--target', store, ...common]);
    };
    const snapshotUrl = `${server.url}/v1/sys/storage/raft/snapshot`;
    // What a backup cannot skip, receiving the snapshot included, and nothing else (no gzip, no tar, no file): the
    // CPU a backup needs beyond the floor. glibc is told to keep freed memory: otherwise this script's one pattern
    // of allocations (each cipher output allocated, shrunk and freed) has every chunk fault in fresh pages, about 1 s
    // per GiB of kernel time that says nothing about the work (the tool, measured with the same setting, did not move).
    const passesEnv = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=67108864' };
    const passes = (threads: 1 | 2) => () =>
      measure(
        threads === 1 ? 'floor: a backup’s necessary passes, one thread' : 'floor: the same, hashes on two worker threads',
        [join(ROOT, 'bench', 'floor.mjs'), 'passes', snapshotUrl, String(threads)],
        passesEnv,
      );
    const age = peer('age');
    const ageKeygen = peer('age-keygen');
    let ageFile: string | undefined;
    let ageSteps: Array<() => Promise<Measure>> = [];
    if (age && ageKeygen) {
      const identity = join(OUT, 'age-identity.txt');
      rmSync(identity, { force: true });
      execFileSync(ageKeygen, ['-o', identity], { stdio: 'ignore' });
      const recipient = execFileSync(ageKeygen, ['-y', identity]).toString().trim();
      const file = (ageFile = join(OUT, `peer-${sizeMiB}.age`));
      ageSteps = [
        async () => {
          rmSync(file, { force: true });
          return measureShell('peer: curl | age -r > file; sync', `curl -sf '${snapshotUrl}' | '${age}' -r '${recipient}' > '${file}' && sync`);
        },
      ];
    }
    const [aes, copied, onePass, twoThreads, ourBackup, agePeer] = await inTurn([aesSha, plainCopy, passes(1), passes(2), backup, ...ageSteps]);
    rmSync(copyOut, { force: true });
    const floorRate = table(aes!, bytes);
    table(copied!, bytes);
    table(onePass!, bytes, floorRate);
    table(twoThreads!, bytes, floorRate);
    table(ourBackup!, bytes, floorRate);
    if (agePeer) table(agePeer, bytes, floorRate);
    else missing('peer: curl | age -r > file; sync', 'age');
    compare(`backup → local directory, ${sizeMiB} MiB`, ourBackup!, agePeer, 'wall ≤ 1.25× the peer; CPU ≤ 2× the floor');
    compare(`backup → local directory, ${sizeMiB} MiB, against its necessary passes on one thread`, ourBackup!, onePass, 'none: what Node costs beyond them');
    // A verify reads a backup days after it was written, from disk: each round first drops the files it reads
    // from the page cache (restic's repository, just written, would be in it; our backup, written around it, not).
    const fromDisk = (dir: string) => execFileSync('find', [dir, '-type', 'f', '-exec', 'dd', 'if={}', 'iflag=nocache', 'count=0', 'status=none', ';']);
    const verify = async () => {
      fromDisk(store);
      return measure('verify (read + decrypt + archive check)', [CLI, 'verify', '--target', store, '--encryption-keyring', KEY, '--max-age-hours', '1000']);
    };
    const restic = peer('restic');
    const repo = join(OUT, `restic-${sizeMiB}`);
    const resticEnv = { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: join(OUT, 'restic-cache') };
    if (restic) {
      rmSync(repo, { recursive: true, force: true });
      execFileSync(restic, ['init', '--quiet'], { env: { ...process.env, ...resticEnv }, stdio: 'ignore' });
      execFileSync(restic, ['backup', '--quiet', archive], { env: { ...process.env, ...resticEnv }, stdio: 'ignore' });
    }
    const check = async () => {
      fromDisk(repo);
      return measureShell('peer: restic check --read-data (same bytes)', `'${restic}' check --read-data --no-cache --quiet`, resticEnv);
    };
    const [ourVerify, resticPeer] = await inTurn([verify, ...(restic ? [check] : [])]);
    rmSync(repo, { recursive: true, force: true });
    table(ourVerify!, bytes, floorRate);
    if (resticPeer) table(resticPeer, bytes, floorRate);
    else missing('peer: restic check --read-data', 'restic');
    compare(`verify, ${sizeMiB} MiB`, ourVerify!, resticPeer, 'wall ≤ 1.25× the peer');
    const listed = JSON.parse(
      execFileSync(process.execPath, [CLI, 'list', '--target', store, '--json'], { env: { ...process.env, NODE_NO_WARNINGS: '1' } }).toString(),
    ) as { backups: Array<{ key: string }> };
    const decrypt = () =>
      measure('decrypt → /dev/null', [CLI, 'decrypt', '--in', join(store, listed.backups[0]!.key), '--out', '-', '--encryption-keyring', KEY]);
    table((await inTurn([decrypt]))[0]!, bytes, floorRate);
    if (sizeMiB <= S3_MAX_MIB) {
      await s3Rows({ sizeMiB, bytes, floorRate, common, snapshotUrl, ageFile, age });
      // Users reach S3 over https: TLS costs both sides CPU, and the SDK does not hash a payload it signs over https.
      await s3Rows({ sizeMiB, bytes, floorRate, common, snapshotUrl, ageFile, age, tls: benchCertificate() });
    }
    table(await measure('baseline: original whole-buffer design', [join(ROOT, 'bench', 'floor.mjs'), 'baseline', archive]), bytes, floorRate);
  } finally {
    await server.stop();
  }
  sections.push(
    `### ${sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`} snapshot (${bytes.toLocaleString('en-US')} bytes)\n\n${header}\n${rows.join('\n')}\n`,
  );
  rmSync(store, { recursive: true, force: true });
}

// The format alone: a 3 GiB stream encrypted and decrypted through pipes (nothing on disk), each process measured.
{
  const largest = sizes.filter((s) => s >= 3072).sort((a, b) => b - a)[0];
  if (largest) {
    const source = join(OUT, `snapshot-${largest}.tar.gz`);
    const bytes = 3 * 1024 ** 3;
    const id = 'vault-snapshot-20250101-000000';
    const script = [
      `head -c ${bytes} '${source}'`,
      `/usr/bin/time -f 'ENC %e %U %S %M' '${process.execPath}' '${CLI}' encrypt --in - --out - --backup-id ${id} --encryption-key '${KEY}'`,
      `/usr/bin/time -f 'DEC %e %U %S %M' '${process.execPath}' '${CLI}' decrypt --in - --out - --backup-id ${id} --encryption-keyring '${KEY}'`,
      'sha256sum',
    ].join(' | ');
    const expected = execFileSync('bash', ['-c', `head -c ${bytes} '${source}' | sha256sum`])
      .toString()
      .split(' ')[0];
    const r = await new Promise<{ stdout: string; stderr: string }>((done) => {
      const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', () => done({ stdout, stderr }));
    });
    const same = r.stdout.split(' ')[0] === expected;
    rows.length = 0;
    for (const tag of ['ENC', 'DEC']) {
      const line = r.stderr.split('\n').find((l) => l.startsWith(`${tag} `));
      if (!line) throw new Error(`round trip: no timing for ${tag}: ${r.stderr.slice(-500)}`);
      const [, wall, user, sys, rss] = line.split(' ').map(Number) as [number, number, number, number, number];
      table(
        {
          label: `${tag === 'ENC' ? 'encrypt' : 'decrypt'} 3 GiB through a pipe${tag === 'DEC' ? (same ? " (output SHA-256 equals the input's)" : ' (OUTPUT DIFFERS)') : ''}`,
          ok: same,
          wallS: wall,
          cpuS: user + sys,
          rssMiB: rss / 1024,
        },
        bytes,
      );
    }
    sections.push(`### Format round trip, 3 GiB\n\n${header}\n${rows.join('\n')}\n`);
  }
}

if (sizes.length) {
  // One real OpenBao snapshot, small, through the same pipeline.
  {
    const bao = await startVaultServer({ name: 'bench' });
    rows.length = 0;
    try {
      for (let i = 0; i < 40; i++) await bao.writeSecret(`bench/${i}`, { blob: Buffer.alloc(64 * 1024, i).toString('base64') });
      const store = join(OUT, 'store-openbao');
      rmSync(store, { recursive: true, force: true });
      const m = await measure('backup of a real OpenBao snapshot → local directory', backupArgs(store, bao));
      const listed = JSON.parse(
        execFileSync(process.execPath, [CLI, 'list', '--target', store, '--json'], { env: { ...process.env, NODE_NO_WARNINGS: '1' } }).toString(),
      ) as { backups: Array<{ size: number }> };
      table(m, listed.backups[0]!.size);
      rmSync(store, { recursive: true, force: true });
    } finally {
      await bao.stop();
    }
    sections.push(`### A real OpenBao snapshot\n\n${header}\n${rows.join('\n')}\n`);
  }
}

const cpu = cpus()[0]?.model ?? 'unknown';
const doc = readFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), 'utf8');
const versus = comparisons.length
  ? `### Against the peers (same bytes, same run)\n\n| operation | ours | peer | ratio | goal |\n|---|---|---|---|---|\n${comparisons.join('\n')}\n\n`
  : '';
const generated = `<!-- bench:start -->\nMeasured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Node ${process.version}, with \`npm run bench\`. Each row is the median of ${ROUNDS} round${ROUNDS > 1 ? 's' : ''}, taken in turn with the rows it is compared with, each round starting one row later (A B C, B C A, C A B); its peak RSS is the largest of the rounds, and the comparison table gives the fastest and slowest wall time in brackets.\n\n${versus}${sections.join('\n')}<!-- bench:end -->`;
let updated = sizes.length ? doc.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, generated) : doc;

// The weekly restore test at size: RTO by phase, in the throwaway cluster (own network namespace), on OpenBao and
// on HashiCorp Vault, each restoring a backup of its own kind.
if (RESTORE_MIB > 0) {
  const runs: Array<{ name: string; count: number; size: number; timings: Record<string, number>; isolated: boolean }> = [];
  for (const kind of ['openbao', 'vault'] as const) runs.push(await restoreAtSize(kind));
  const s = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(1);
  const row = (label: string, key: string) => `| ${label} | ${runs.map((r) => s(r.timings[key])).join(' | ')} |`;
  const first = runs[0]!;
  const section = [
    `<!-- bench-restore:start -->`,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}, with \`npm run bench\` (BENCH_RESTORE_MIB=${RESTORE_MIB}): each server (5 shares, threshold 3) holding ${first.count} secrets of 512 KiB, backed up to a local directory (${runs.map((r) => `${r.name} ${(r.size / 1024 ** 3).toFixed(2)} GiB`).join(', ')} encrypted), then \`restore-test\` into a throwaway cluster of the same server (${runs.every((r) => r.isolated) ? 'own network namespace' : 'loopback'}).`,
    '',
    `| phase, seconds | ${runs.map((r) => r.name).join(' | ')} |`,
    `|---|${runs.map(() => '---').join('|')}|`,
    row('download + verify (decrypt, archive check on a worker thread, ciphertext spooled)', 'downloadAndVerifyMs'),
    row('start the throwaway server, init 5/3, unseal', 'startMs'),
    row('restore (snapshot-force, applied)', 'restoreMs'),
    row("restart + unseal with the source's keys", 'unsealMs'),
    row('generate a token, first canary read', 'loginAndFirstReadMs'),
    `| **RTO (total)** | ${runs.map((r) => `**${s(r.timings.totalMs)}**`).join(' | ')} |`,
    '',
    `The everyday commands on the same backups (a second one taken after one secret changed and one was added), wall time of the CLI from start to exit:`,
    '',
    `| command, seconds | ${runs.map((r) => r.name).join(' | ')} |`,
    `|---|${runs.map(() => '---').join('|')}|`,
    row('`diff` of the two backups (each restored into a throwaway cluster, one after the other; every secret read and hashed)', 'diffMs'),
    row('`recover` of one path from the first backup into a file', 'recoverMs'),
    `<!-- bench-restore:end -->`,
  ].join('\n');
  console.log(section);
  updated = updated.replace(/<!-- bench-restore:start -->[\s\S]*<!-- bench-restore:end -->/, section);
}

async function restoreAtSize(kind: ServerKind) {
  const name = kind === 'vault' ? 'HashiCorp Vault 1.21' : 'OpenBao 2.7';
  const bao = await startVaultServer({ name: `bench-restore-${kind}`, shares: 5, threshold: 3, server: kind });
  const store = join(OUT, `store-restore-${kind}`);
  rmSync(store, { recursive: true, force: true });
  try {
    console.log(`\n== restore test: filling ${name} with ~${RESTORE_MIB} MiB of secrets ...`);
    await bao.writeSecret('canary', { ok: 'yes' });
    // Raft refuses entries over 1 MiB: 512 KiB of random bytes per secret (base64 in the value).
    const count = Math.ceil((RESTORE_MIB * 1024) / 512);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < count; i = next++) {
          const r = await bao.api('POST', `secret/data/fill/${i}`, { data: { blob: randomBytes(512 * 1024).toString('base64') } });
          if (r.status !== 200) throw new Error(`filling failed: ${r.status} ${r.text.slice(0, 200)}`);
        }
      }),
    );
    // The throwaway cluster runs the same server: it finds `vault` first on this PATH, else `bao`.
    const env = { ...process.env, NODE_NO_WARNINGS: '1', PATH: `${serverPath(kind)}:${process.env.PATH}` };
    const backup = () => execFileSync(process.execPath, backupArgs(store, bao), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    backup();
    // A second backup a few known changes later: diff compares the two, recover reads one path from the first.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await bao.writeSecret('fill/0', { blob: 'changed' });
    await bao.writeSecret('added', { ok: 'yes' });
    backup();
    const listed = JSON.parse(execFileSync(process.execPath, [CLI, 'list', '--target', store, '--json'], { env }).toString()) as {
      backups: Array<{ size: number; key: string }>;
    };
    const [newer, older] = listed.backups;
    const opened = [
      '--target',
      store,
      '--encryption-keyring',
      KEY,
      '--source-unseal-keys',
      bao.unsealKeys.slice(0, 3).join(','),
      '--restore-timeout-seconds',
      '600',
    ];
    const timed = (args: string[]) => {
      const t0 = Date.now();
      const text = execFileSync(process.execPath, [CLI, ...args, ...opened, '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
      return { ms: Date.now() - t0, json: JSON.parse(text) as Record<string, unknown> };
    };
    const diff = timed(['diff', '--diff-from', older!.key, '--diff-to', newer!.key]);
    const counts = diff.json.counts as { added: number; removed: number; changed: number };
    if (counts.added !== 1 || counts.changed !== 1 || counts.removed !== 0)
      throw new Error(`diff found ${JSON.stringify(counts)}, not the 1 added and 1 changed`);
    const recovered = join(OUT, `recovered-${kind}.json`);
    rmSync(recovered, { force: true });
    const recover = timed(['recover', '--backup', older!.key, '--recover-paths', 'secret/fill/0', '--recover-output', recovered]);
    rmSync(recovered, { force: true });
    const restoreTest = timed(['restore-test', '--canary-paths', 'secret/canary']);
    const r = restoreTest.json.restoreTest as { timings: Record<string, number>; networkIsolated: boolean };
    return { name, count, size: listed.backups[0]!.size, timings: { ...r.timings, diffMs: diff.ms, recoverMs: recover.ms }, isolated: r.networkIsolated };
  } finally {
    await bao.stop();
    rmSync(store, { recursive: true, force: true });
  }
}
writeFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), updated);
console.log('\ndocs/BENCHMARKS.md updated');

// What prune reads to authenticate the backups it keeps: its own section, written by its own script.
if (process.env.BENCH_PRUNE !== '0') await import('./prune-bench.js');
