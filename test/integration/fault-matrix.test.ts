/**
 * The fault matrix: one row per fault, each against real OpenBao and moto (behind a fault proxy where
 * the fault is on the wire). Every row checks the same promise: either a complete, verified backup
 * exists under its final name, or the run fails with a typed error naming the component — and nothing
 * that existed before is damaged, no multipart upload stays open, no plaintext is left on disk.
 * docs/RELIABILITY.md is this table; the last test fails when the two differ.
 */
import { expectGeneratedSection } from '../harness/doc-section.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { BackupError, type Component } from '../../src/errors.js';
import { runCommand } from '../../src/commands/commands.js';
import { MemoryLogger } from '../../src/log.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../fakes/fault-proxy.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github-api.js';
import { startSlackReceiver, type SlackReceiver } from '../fakes/slack-receiver.js';
import { runBundledAction } from '../harness/action-runner.js';
import { startMoto, type MotoServer } from '../harness/moto.js';
import { AZURITE_ACCOUNT, startAzurite, type AzuriteServer } from '../harness/azurite.js';
import { startFakeGcs, type FakeGcsServer } from '../harness/fake-gcs.js';
import { startVaultServer, type VaultServer } from '../harness/vault-server.js';
import { collect } from '../unit/crypto-helpers.js';

const KEY = `faults=${Buffer.alloc(32, 8).toString('base64')}`;
const BUCKET = 'faults';
let bao: VaultServer;
let moto: MotoServer;
let azurite: AzuriteServer;
let gcs: FakeGcsServer;
let work: string;
let existingKey: string;
let existingSha: string;
const savedEnv = { ...process.env };

interface Row {
  id: string;
  fault: string;
  expected: string;
  /** The component a failure must name; undefined when the run must succeed (a retry got through). */
  component: Component | undefined;
  message?: RegExp;
  run: (row: Row) => Promise<{ logLines: string[] }>;
  /** Extra checks after the common ones. */
  check?: (outcome: { logLines: string[] }) => Promise<void> | void;
  /** The keys this row's target holds, for rows whose target is not the S3 bucket. */
  keys?: () => Promise<string[]>;
}

const proxies: FaultProxy[] = [];
async function proxy(upstream: string, path: RegExp, fault: Fault, method?: string): Promise<FaultProxy> {
  const p = await startFaultProxy(upstream, [{ path, fault, ...(method ? { method } : {}) }]);
  proxies.push(p);
  return p;
}

function backupInputs(row: Row, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    target: `s3://${BUCKET}/${row.id}`,
    's3-endpoint': moto.endpoint,
    's3-region': 'us-east-1',
    'vault-address': bao.addr,
    'vault-auth-method': 'token',
    'vault-token': bao.rootToken,
    'encryption-key': KEY,
    monthly: 'never',
    ...overrides,
  };
}

/** Runs a command and records its failure, if any, for the common checks. */
let lastError: unknown;
async function attempt(command: Parameters<typeof runCommand>[0], inputs: Record<string, string>, clock?: () => Date): Promise<{ logLines: string[] }> {
  const log = new MemoryLogger();
  lastError = undefined;
  try {
    await runCommand(command, inputs, { log, env: process.env, ...(clock ? { clock } : {}) });
  } catch (error) {
    lastError = error;
  }
  return { logLines: log.lines };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: moto.s3() }, { Bucket: BUCKET, Prefix: prefix }))
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
  return keys;
}

async function sha(key: string): Promise<string> {
  const body = await moto.s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return createHash('sha256')
    .update(await collect(body.Body as Readable))
    .digest('hex');
}

/** Restore tests spool (ciphertext only) into TMPDIR, which this suite points at a private folder. */
let privateTmp: string;
const restoreLeftovers = () => readdirSync(privateTmp);

const ROWS: Row[] = [
  {
    id: 'vault-unreachable',
    fault: 'Vault refuses connections',
    expected: 'fails before any upload: "cannot reach Vault"',
    component: 'vault',
    message: /cannot reach Vault .*ECONNREFUSED/,
    run: async (row) => attempt('backup', backupInputs(row, { 'vault-address': 'http://127.0.0.1:1' })),
  },
  {
    id: 'vault-drops',
    fault: 'Vault accepts connections and drops them',
    expected: 'fails before any upload: "connection ... was closed"',
    component: 'vault',
    message: /was closed while it answered/,
    run: async (row) => attempt('backup', backupInputs(row, { 'vault-address': (await proxy(bao.addr, /.*/, { kind: 'refuse' })).url })),
  },
  {
    id: 'vault-sealed',
    fault: 'Vault is sealed',
    expected: 'fails before any upload: "is sealed"',
    component: 'vault',
    message: /is sealed/,
    run: async (row) => {
      await bao.api('PUT', 'sys/seal');
      try {
        return await attempt('backup', backupInputs(row));
      } finally {
        await bao.unseal();
      }
    },
  },
  {
    id: 'vault-403',
    fault: 'token lacks the snapshot policy (403)',
    expected: 'fails: "403 permission denied", names the path',
    component: 'vault',
    message: /403 permission denied/,
    run: async (row) => {
      const weak = await bao.api('POST', 'auth/token/create', { policies: ['default'], ttl: '5m' });
      return attempt('backup', backupInputs(row, { 'vault-token': weak.json.auth.client_token }));
    },
  },
  {
    id: 'vault-5xx',
    fault: 'snapshot endpoint answers 500',
    expected: 'fails: "HTTP 500"; the next scheduled run retries',
    component: 'vault',
    message: /HTTP 500/,
    run: async (row) =>
      attempt('backup', backupInputs(row, { 'vault-address': (await proxy(bao.addr, /raft\/snapshot/, { kind: 'status', status: 500, times: 100 })).url })),
  },
  {
    id: 'vault-stream-cut',
    fault: 'connection reset mid-snapshot',
    expected: 'fails: connection closed / stream broke; nothing stored',
    component: 'vault',
    message: /was closed while it answered|snapshot stream .* broke/,
    run: async (row) =>
      attempt('backup', backupInputs(row, { 'vault-address': (await proxy(bao.addr, /raft\/snapshot/, { kind: 'reset-after', bytes: 3000 })).url })),
  },
  {
    id: 'vault-truncated',
    fault: 'snapshot body ends early but cleanly',
    expected: 'fails: snapshot archive invalid; nothing stored',
    component: 'snapshot',
    run: async (row) =>
      attempt('backup', backupInputs(row, { 'vault-address': (await proxy(bao.addr, /raft\/snapshot/, { kind: 'truncate-after', bytes: 3000 })).url })),
  },
  {
    id: 'vault-standby',
    fault: 'standby node redirects the snapshot (307)',
    expected: 'fails: "this node is a standby", says to target the active node',
    component: 'vault',
    message: /standby/,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          'vault-address': (await proxy(bao.addr, /raft\/snapshot/, { kind: 'redirect', location: 'http://127.0.0.1:9/v1/sys/storage/raft/snapshot' })).url,
        }),
      ),
  },
  {
    id: 'vault-stall',
    fault: 'snapshot stalls past the idle timeout',
    expected: 'fails: "stalled", names the timeout setting; nothing stored',
    component: 'vault',
    message: /stalled: no data within vault-idle-timeout-seconds/,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          'vault-idle-timeout-seconds': '1',
          'vault-address': (await proxy(bao.addr, /raft\/snapshot/, { kind: 'stall', afterBytes: 2000 })).url,
        }),
      ),
  },
  {
    id: 's3-unreachable',
    fault: 'S3 refuses connections',
    expected: 'fails in preflight, before the snapshot',
    component: 'storage',
    run: async (row) => attempt('backup', backupInputs(row, { 's3-endpoint': 'http://127.0.0.1:1' })),
  },
  {
    id: 's3-5xx-then-ok',
    fault: 'S3 answers 503 twice, then works',
    expected: 'succeeds after logged retries',
    component: undefined,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          's3-endpoint': (
            await proxy(
              moto.endpoint,
              /s3-5xx-then-ok\/daily/,
              { kind: 'status', status: 503, times: 2, body: '<Error><Code>ServiceUnavailable</Code></Error>', contentType: 'application/xml' },
              'PUT',
            )
          ).url,
        }),
      ),
    check: ({ logLines }) => {
      expect(logLines.filter((l) => /attempt failed: HTTP 503/.test(l)).length).toBe(2);
    },
  },
  {
    id: 's3-5xx-forever',
    fault: 'S3 answers 500 to every upload',
    expected: `fails after 5 attempts per request; nothing stored`,
    component: 'storage',
    run: async (row) => {
      const p = await proxy(
        moto.endpoint,
        /s3-5xx-forever\/daily/,
        { kind: 'status', status: 500, times: 1000, body: '<Error><Code>InternalError</Code></Error>', contentType: 'application/xml' },
        'PUT',
      );
      const outcome = await attempt('backup', backupInputs(row, { 's3-endpoint': p.url }));
      expect(p.seen.filter((r) => r.method === 'PUT').length).toBe(5);
      return outcome;
    },
  },
  {
    id: 's3-throttled',
    fault: 'S3 throttles (503 SlowDown) twice',
    expected: 'succeeds after backoff',
    component: undefined,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          's3-endpoint': (
            await proxy(
              moto.endpoint,
              /s3-throttled\/daily/,
              {
                kind: 'status',
                status: 503,
                times: 2,
                body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
                contentType: 'application/xml',
              },
              'PUT',
            )
          ).url,
        }),
      ),
  },
  {
    id: 's3-reset-mid-upload',
    fault: 'connection reset in the middle of an upload request',
    expected: 'the request is retried and the backup verifies',
    component: undefined,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          's3-endpoint': (await proxy(moto.endpoint, /s3-reset-mid-upload\/daily\/.*\.enc/, { kind: 'reset-request-after', bytes: 4000 }, 'PUT')).url,
        }),
      ),
  },
  {
    id: 's3-hangs-once',
    fault: 'S3 takes an upload request whole and never answers, once',
    expected: 'the attempt fails after `s3-idle-timeout-seconds`, is sent again, and the backup verifies',
    component: undefined,
    run: async (row) => {
      const p = await proxy(moto.endpoint, /s3-hangs-once\/daily\/.*\.enc/, { kind: 'hang', times: 1 }, 'PUT');
      const outcome = await attempt('backup', backupInputs(row, { 's3-endpoint': p.url, 's3-idle-timeout-seconds': '1' }));
      expect(p.seen.filter((r) => r.method === 'PUT' && /\.enc/.test(r.path)).length).toBe(2);
      return outcome;
    },
    check: ({ logLines }) => {
      expect(logLines.filter((l) => /attempt failed: TimeoutError/.test(l)).length).toBe(1);
    },
  },
  {
    id: 's3-hangs',
    fault: 'S3 takes every upload request whole and never answers',
    expected: 'fails after 5 attempts, each ended by `s3-idle-timeout-seconds`; nothing stored',
    component: 'storage',
    message: /S3 stopped answering.*s3-idle-timeout-seconds/,
    run: async (row) => {
      const p = await proxy(moto.endpoint, /s3-hangs\/daily\/.*\.enc/, { kind: 'hang', times: 1000 }, 'PUT');
      const outcome = await attempt('backup', backupInputs(row, { 's3-endpoint': p.url, 's3-idle-timeout-seconds': '1' }));
      expect(p.seen.filter((r) => r.method === 'PUT').length).toBe(5);
      return outcome;
    },
  },
  {
    id: 's3-access-denied',
    fault: 'S3 denies the upload (403)',
    expected: 'fails: "access denied", names the bucket',
    component: 'storage',
    message: /access denied/,
    run: async (row) =>
      attempt(
        'backup',
        backupInputs(row, {
          's3-endpoint': (
            await proxy(
              moto.endpoint,
              /s3-access-denied\/daily/,
              {
                kind: 'status',
                status: 403,
                times: 1000,
                body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
                contentType: 'application/xml',
              },
              'PUT',
            )
          ).url,
        }),
      ),
  },
  {
    id: 's3-no-bucket',
    fault: 'the bucket does not exist',
    expected: 'fails in preflight: "bucket ... does not exist"',
    component: 'storage',
    message: /does not exist/,
    run: async () => attempt('backup', { ...backupInputs({ id: 'x' } as Row), target: 's3://missing-bucket-here/x' }),
  },
  {
    id: 's3-object-exists',
    fault: 'an object already has the name (same second)',
    expected: 'fails: "already exists; nothing was written"',
    component: 'storage',
    message: /already exists/,
    run: async (row) => {
      const clock = () => new Date('2025-11-20T02:00:00Z');
      await attempt('backup', backupInputs(row), clock);
      return attempt('backup', backupInputs(row), clock);
    },
    check: async () => {
      expect((await keysUnder('s3-object-exists/')).length).toBe(2); // the first backup and its manifest, intact
    },
  },
  ...cloudRows(),
  {
    id: 'prune-list-fails',
    fault: 'the listing fails on its second page',
    expected: 'prune fails, deletes nothing',
    component: 'storage',
    run: async () => {
      const s3 = moto.s3();
      for (let i = 0; i < 1050; i += 50)
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `prune-list-fails/junk/${String(i + j).padStart(5, '0')}`, Body: 'x' })),
          ),
        );
      const p = await proxy(
        moto.endpoint,
        /list-type=2.*continuation-token|continuation-token.*list-type=2/,
        { kind: 'status', status: 500, times: 1000, body: '<Error><Code>InternalError</Code></Error>', contentType: 'application/xml' },
        'GET',
      );
      return attempt('prune', {
        target: `s3://${BUCKET}/prune-list-fails`,
        's3-endpoint': p.url,
        's3-region': 'us-east-1',
        'prune-allow-mass-delete': 'true',
        'encryption-keyring': KEY,
      });
    },
    check: async () => {
      expect((await keysUnder('prune-list-fails/')).length).toBe(1050);
    },
  },
  {
    id: 'restore-staging-down',
    fault: 'restore test: staging unreachable',
    expected: 'fails before downloading: "staging cluster ... is not usable"',
    component: 'restore',
    message: /not usable/,
    run: async () =>
      attempt('restore-test', {
        target: `s3://${BUCKET}/existing`,
        's3-endpoint': moto.endpoint,
        's3-region': 'us-east-1',
        'encryption-keyring': KEY,
        'staging-vault-address': 'http://127.0.0.1:1',
        'staging-vault-token': 'x',
        'restored-vault-token': 'y',
        'canary-paths': 'secret/canary',
      }),
  },
  {
    id: 'restore-sealed-no-keys',
    fault: 'restore test: staging seals itself and no source keys are given',
    expected: 'fails: "needs the SOURCE cluster\'s unseal keys"',
    component: 'restore',
    message: /SOURCE cluster's unseal keys/,
    run: async () => {
      const staging = await startVaultServer({ name: 'fault-staging' });
      try {
        return await attempt('restore-test', restoreInputs(staging, { 'source-unseal-keys': '' }));
      } finally {
        await staging.stop();
      }
    },
  },
  {
    id: 'restore-canary-missing',
    fault: 'restore test: a canary secret is not in the backup',
    expected: 'fails after the restore: "canary secret ... is missing"',
    component: 'restore',
    message: /canary secret secret\/not-there is missing/,
    run: async () => {
      const staging = await startVaultServer({ name: 'fault-staging-2' });
      try {
        return await attempt('restore-test', restoreInputs(staging, { 'canary-paths': 'secret/canary\nsecret/not-there' }));
      } finally {
        await staging.stop();
      }
    },
  },
  {
    id: 'alerts-down',
    fault: 'backup fails while GitHub API and Slack answer 5xx',
    expected: 'fails with its own error; both alert failures logged as warnings',
    component: 'storage',
    run: async () => {
      const github: FakeGitHub = await startFakeGitHub();
      const slack: SlackReceiver = await startSlackReceiver();
      github.failWith = 502;
      slack.failures = 100;
      try {
        const r = await runBundledAction(
          work,
          {
            ...backupInputs({ id: 'x' } as Row),
            target: 's3://missing-bucket-here/x',
            'github-token': 'ghs_x',
            'slack-webhook-url': slack.webhookUrl,
            'vault-auth-method': 'token',
          },
          { ...moto.env(), GITHUB_API_URL: github.url },
        );
        lastError = r.code !== 0 ? new BackupError('storage', r.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? 'no error line') : undefined;
        expect(r.stdout).toMatch(/::warning::could not update the incident issue/);
        expect(r.stdout).toMatch(/::warning::could not notify Slack/);
        expect(slack.requests.length).toBe(3); // bounded retries
        // ::add-mask:: lines are commands the runner consumes, not log output.
        return { logLines: r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')) };
      } finally {
        await Promise.all([github.close(), slack.close()]);
      }
    },
  },
];

/** Azure Blob (Azurite) and Cloud Storage (fake-gcs-server) as the target: down, 5xx then success, denied. */
function cloudRows(): Row[] {
  const azureKeys = (id: string) => async () => {
    const keys: string[] = [];
    for await (const b of azurite
      .service()
      .getContainerClient('faults')
      .listBlobsFlat({ prefix: `${id}/`, includeUncommitedBlobs: true }))
      keys.push(b.name);
    return keys;
  };
  const gcsKeys = (id: string) => async () =>
    (
      await gcs
        .storage()
        .bucket('faults')
        .getFiles({ prefix: `${id}/` })
    )[0].map((f) => f.name);
  const azureVia = (endpoint: string) =>
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${/AccountKey=([^;]+)/.exec(azurite.connectionString)![1]};BlobEndpoint=${endpoint}/${AZURITE_ACCOUNT};`;
  const azureInputs = (row: Row, endpoint: string) => ({
    ...backupInputs(row),
    target: `az://${AZURITE_ACCOUNT}/faults/${row.id}`,
    'azure-connection-string': azureVia(endpoint),
  });
  const gcsInputs = (row: Row, endpoint: string) => ({ ...backupInputs(row), target: `gs://faults/${row.id}`, 'gcs-endpoint': endpoint });
  const azureError = (code: string) => `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
  const gcsError = (status: number, message: string) =>
    JSON.stringify({ error: { code: status, message, errors: [{ message, reason: status === 403 ? 'forbidden' : 'backendError' }] } });
  return [
    {
      id: 'azure-unreachable',
      fault: 'Azure Blob refuses connections',
      expected: 'fails in preflight, before the snapshot',
      component: 'storage',
      keys: azureKeys('azure-unreachable'),
      run: async (row) => attempt('backup', azureInputs(row, 'http://127.0.0.1:1')),
    },
    {
      id: 'azure-5xx-then-ok',
      fault: 'Azure Blob answers 503 twice to a block upload, then works',
      expected: 'succeeds after the SDK retries',
      component: undefined,
      keys: azureKeys('azure-5xx-then-ok'),
      run: async (row) => {
        const p = await proxy(
          azurite.endpoint.replace(/\/devstoreaccount1$/, ''),
          /azure-5xx-then-ok\/daily.*comp=block/,
          { kind: 'status', status: 503, times: 2, body: azureError('ServerBusy'), contentType: 'application/xml' },
          'PUT',
        );
        const outcome = await attempt('backup', azureInputs(row, p.url));
        expect(p.seen.filter((r) => r.status === 503).length).toBe(2);
        return outcome;
      },
    },
    {
      id: 'azure-denied',
      fault: 'Azure Blob denies the upload (403)',
      expected: 'fails: "access denied by Azure"; no blob, no uncommitted blocks',
      component: 'storage',
      message: /access denied by Azure/,
      keys: azureKeys('azure-denied'),
      run: async (row) =>
        attempt(
          'backup',
          azureInputs(
            row,
            (
              await proxy(
                azurite.endpoint.replace(/\/devstoreaccount1$/, ''),
                /azure-denied\/daily.*comp=block/,
                { kind: 'status', status: 403, times: 1000, body: azureError('AuthorizationPermissionMismatch'), contentType: 'application/xml' },
                'PUT',
              )
            ).url,
          ),
        ),
    },
    {
      id: 'gcs-unreachable',
      fault: 'Cloud Storage refuses connections',
      expected: 'fails in preflight, before the snapshot',
      component: 'storage',
      keys: gcsKeys('gcs-unreachable'),
      run: async (row) => attempt('backup', gcsInputs(row, 'http://127.0.0.1:1')),
    },
    {
      id: 'gcs-5xx-then-ok',
      fault: 'Cloud Storage answers 503 twice to the upload, then works',
      expected: 'succeeds after the SDK retries',
      component: undefined,
      keys: gcsKeys('gcs-5xx-then-ok'),
      run: async (row) => {
        const p = await proxy(
          gcs.endpoint,
          /uploadType=resumable.*gcs-5xx-then-ok|gcs-5xx-then-ok.*uploadType=resumable/,
          { kind: 'status', status: 503, times: 2, body: gcsError(503, 'backend error'), contentType: 'application/json' },
          'POST',
        );
        const outcome = await attempt('backup', gcsInputs(row, p.url));
        expect(p.seen.filter((r) => r.status === 503).length).toBe(2);
        return outcome;
      },
    },
    {
      id: 'gcs-denied',
      fault: 'Cloud Storage denies the upload (403)',
      expected: 'fails: "access denied by Cloud Storage"',
      component: 'storage',
      message: /access denied by Cloud Storage/,
      keys: gcsKeys('gcs-denied'),
      run: async (row) =>
        attempt(
          'backup',
          gcsInputs(
            row,
            (
              await proxy(
                gcs.endpoint,
                /uploadType=resumable.*gcs-denied|gcs-denied.*uploadType=resumable/,
                {
                  kind: 'status',
                  status: 403,
                  times: 1000,
                  body: gcsError(403, 'does not have storage.objects.create access'),
                  contentType: 'application/json',
                },
                'POST',
              )
            ).url,
          ),
        ),
    },
  ];
}

function restoreInputs(staging: VaultServer, overrides: Record<string, string>): Record<string, string> {
  return {
    target: `s3://${BUCKET}/existing`,
    's3-endpoint': moto.endpoint,
    's3-region': 'us-east-1',
    'encryption-keyring': KEY,
    'vault-address': bao.addr,
    'staging-vault-address': staging.addr,
    'staging-vault-token': staging.rootToken,
    'restored-vault-token': bao.rootToken,
    'source-unseal-keys': bao.unsealKeys.join(','),
    'canary-paths': 'secret/canary',
    'restore-timeout-seconds': '60',
    ...overrides,
  };
}

beforeAll(async () => {
  [bao, moto, azurite, gcs] = await Promise.all([startVaultServer({ name: 'faults' }), startMoto(), startAzurite(), startFakeGcs()]);
  await azurite.service().getContainerClient('faults').create();
  await gcs.storage().bucket('faults').create();
  Object.assign(process.env, moto.env());
  work = mkdtempSync(join(tmpdir(), 'vault-backup-faults-'));
  privateTmp = join(work, 'tmp');
  mkdirSync(privateTmp);
  process.env.TMPDIR = privateTmp; // os.tmpdir() follows it
  await moto.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  await bao.writeSecret('canary', { value: 'alive' });
  // A backup that exists before any fault: it must come out of every row byte for byte.
  await runCommand('backup', backupInputs({ id: 'existing' } as Row), { log: new MemoryLogger() });
  existingKey = (await keysUnder('existing/daily/')).find((k) => k.endsWith('.enc'))!;
  existingSha = await sha(existingKey);
}, 90000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([bao?.stop(), moto?.stop(), azurite?.stop(), gcs?.stop(), ...proxies.map((p) => p.close())]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('fault matrix', () => {
  it.each(ROWS.map((r) => [r.id, r] as const))(
    '%s',
    async (_id, row) => {
      const outcome = await row.run(row);
      if (row.component === undefined) {
        expect(lastError).toBeUndefined();
        const keys = row.keys ? await row.keys() : await keysUnder(`${row.id}/`);
        expect(keys.filter((k) => k.endsWith('.enc')).length).toBe(1);
        expect(keys.filter((k) => k.endsWith('.json')).length).toBe(1); // complete: object and manifest
      } else {
        expect(lastError).toBeInstanceOf(BackupError);
        expect({ component: (lastError as BackupError).component, message: (lastError as BackupError).message }).toEqual({
          component: row.component,
          message: expect.stringMatching(row.message ?? /./),
        });
        if (row.message) expect((lastError as BackupError).message).toMatch(row.message);
        if (row.id !== 's3-object-exists' && row.id !== 'prune-list-fails') expect(row.keys ? await row.keys() : await keysUnder(`${row.id}/`)).toEqual([]);
      }
      await row.check?.(outcome);
      const open = await moto.s3().send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      expect(open.Uploads ?? []).toEqual([]);
      expect(await sha(existingKey)).toBe(existingSha);
      expect(restoreLeftovers()).toEqual([]);
      const text = outcome.logLines.join('\n');
      expect(text).not.toContain(bao.rootToken);
      expect(text).not.toContain(KEY.split('=')[1]!);
    },
    120000,
  );
});

/** The table in docs/RELIABILITY.md, made from ROWS. */
export function reliabilityTable(): string {
  const lines = ['| # | fault | expected | checked |', '|---|---|---|---|'];
  ROWS.forEach((r, i) => lines.push(`| ${i + 1} | ${r.fault} | ${r.expected}${r.component ? ` (\`[${r.component}]\` error)` : ''} | \`${r.id}\` |`));
  return lines.join('\n');
}

it('docs/RELIABILITY.md shows exactly this matrix (UPDATE_RELIABILITY=1 npm test rewrites it)', () => {
  expectGeneratedSection('docs/RELIABILITY.md', 'matrix', reliabilityTable());
});
