/**
 * Bad input: one malformed setting per row, given to a command whose servers are all unreachable (so a
 * network call would fail differently). Each must be refused first: exit code 2, and a message that
 * names the setting. docs/RELIABILITY.md shows this table; the last test fails when the two differ.
 */
import { expectGeneratedSection } from '../harness/doc-section.js';
import { describe, expect, it } from '@jest/globals';
import { main } from '../../src/cli/main.js';

const KEY = Buffer.alloc(32, 2).toString('base64');
const NOWHERE = 'http://127.0.0.1:1';

const BASE: Record<string, Record<string, string>> = {
  backup: {
    target: 's3://backups/x',
    's3-endpoint': NOWHERE,
    's3-region': 'us-east-1',
    'vault-address': NOWHERE,
    'vault-auth-method': 'token',
    'vault-token': 'hvs.x',
    'encryption-key': KEY,
  },
  prune: { target: 's3://backups/x', 's3-endpoint': NOWHERE, 's3-region': 'us-east-1', 'encryption-keyring': `a=${KEY}` },
  list: { target: 's3://backups/x', 's3-endpoint': NOWHERE, 's3-region': 'us-east-1' },
  verify: { target: 's3://backups/x', 's3-endpoint': NOWHERE, 's3-region': 'us-east-1', 'encryption-keyring': `a=${KEY}` },
  'restore-test': {
    target: 's3://backups/x',
    's3-endpoint': NOWHERE,
    's3-region': 'us-east-1',
    'encryption-keyring': `a=${KEY}`,
    'staging-vault-address': NOWHERE,
    'staging-vault-token': 'x',
    'restored-vault-token': 'y',
    'canary-paths': 'secret/canary',
  },
  restore: {
    target: 's3://backups/x',
    's3-endpoint': NOWHERE,
    's3-region': 'us-east-1',
    'encryption-keyring': `a=${KEY}`,
    'restore-vault-address': NOWHERE,
    'confirm-restore-into': NOWHERE,
    'restore-vault-token': 'x',
    'canary-paths': 'secret/canary',
  },
  recover: {
    target: 's3://backups/x',
    's3-endpoint': NOWHERE,
    's3-region': 'us-east-1',
    'encryption-keyring': `a=${KEY}`,
    'source-unseal-keys': 'k1',
    'recover-paths': 'secret/app/db',
    'recover-into': NOWHERE,
    'confirm-recover-into': NOWHERE,
    'vault-auth-method': 'token',
    'vault-token': 'hvs.x',
  },
  diff: {
    target: 's3://backups/x',
    's3-endpoint': NOWHERE,
    's3-region': 'us-east-1',
    'encryption-keyring': `a=${KEY}`,
    'source-unseal-keys': 'k1',
    'vault-address': NOWHERE,
    'vault-auth-method': 'token',
    'vault-token': 'hvs.x',
  },
  decrypt: { in: '/nonexistent/vault-snapshot-20250101-000000.enc', out: '/tmp/never-written', 'encryption-key': KEY },
};

type Row = [command: string, setting: string, value: string | null, message: RegExp, extra?: Record<string, string>];

const ROWS: Row[] = [
  ['backup', 'target', '', /target: is required/],
  ['backup', 'target', 's3://Bad_Bucket/x', /bucket name "Bad_Bucket" is not valid/],
  ['backup', 'target', 's3://ab/x', /bucket name "ab" is not valid/],
  ['backup', 'target', 'ftp://host/x', /target: scheme/],
  ['backup', 'vault-token', 'hvs.abc\ndef', /vault-token: must be a single word/],
  ['backup', 'vault-token', ' \n', /vault-token: is required/],
  ['prune', 'encryption-keyring', '', /encryption-keyring: is required to read backups/],
  ['backup', 'vault-address', '', /vault-address: is required/],
  ['backup', 'vault-address', 'not a url', /vault-address: is not a valid URL/],
  ['backup', 'vault-address', 'ftp://vault:8200', /vault-address: must be an http\(s\) URL/],
  ['backup', 'vault-address', 'https://vault:8200/v1', /vault-address: must be the server address without a path/],
  ['backup', 'data-shrink-limit-percent', '0', /data-shrink-limit-percent: must be between 1 and 100/],
  ['backup', 'vault-snapshot-deadline-seconds', 'soon', /vault-snapshot-deadline-seconds: must be a whole number/],
  ['backup', 'vault-allowed-leaders', 'vault-2:8200', /vault-allowed-leaders: "vault-2:8200" is not an address/],
  ['backup', 'vault-auth-method', 'kerberos', /vault-auth-method: must be one of jwt, token, approle/],
  ['backup', 'vault-token', '', /vault-token: is required for vault-auth-method token/],
  ['backup', 'vault-jwt', 'abc', /vault-jwt: is not a JWT/, { 'vault-auth-method': 'jwt' }],
  ['backup', 'vault-jwt', '', /vault-jwt: is required for vault-auth-method jwt/, { 'vault-auth-method': 'jwt' }],
  ['backup', 'vault-approle-role-id', '', /vault-approle-role-id: is required/, { 'vault-auth-method': 'approle', 'vault-approle-secret-id': 's' }],
  ['backup', 'vault-timeout-seconds', '0', /vault-timeout-seconds: must be between 1 and 3600/],
  ['backup', 'vault-tls-skip-verify', 'maybe', /vault-tls-skip-verify: must be true or false/],
  ['backup', 'vault-ca-cert', '/nonexistent/ca.pem', /vault-ca-cert: is neither PEM text nor an existing file/],
  ['backup', 'encryption-key', '', /encryption-key: is required/],
  ['backup', 'encryption-key', 'c2hvcnQ=', /encryption-key: decodes to 5 bytes/],
  ['backup', 'encryption-key', `${KEY}\n`, /encryption-key: contains whitespace/],
  ['backup', 'encryption-key', 'not_base64!!', /encryption-key: is neither base64 nor 64 hex digits/],
  ['backup', 'encryption-key', `bad$id=${KEY}`, /encryption-key: key id "bad\$id"/],
  ['backup', 'chunk-size-kib', '0', /chunk-size-kib: must be between 4 and 16384/],
  ['backup', 'chunk-size-kib', 'abc', /chunk-size-kib: must be a whole number/],
  ['backup', 's3-part-size-mib', '4', /s3-part-size-mib: must be between 5 and 5120/],
  ['backup', 's3-queue-size', '-1', /s3-queue-size: must be between 1 and 32/],
  ['backup', 's3-idle-timeout-seconds', '0', /s3-idle-timeout-seconds: must be between 1 and 86400/],
  ['backup', 's3-checksum', 'always', /s3-checksum: must be one of when-supported, when-required/],
  ['backup', 's3-endpoint', 'nope', /s3-endpoint: is not a valid URL/],
  ['backup', 'monthly', 'sometimes', /monthly: must be one of auto, never/],
  ['prune', 'keep-daily', '0', /keep-daily: must be between 1 and/],
  ['prune', 'keep-daily', '-5', /keep-daily: must be between 1 and/],
  ['prune', 'keep-monthly', 'twelve', /keep-monthly: must be a whole number/],
  ['prune', 'prune-max-deletes', '-1', /prune-max-deletes: must be between 0 and/],
  ['prune', 'now', 'yesterday', /now: must be an ISO 8601 instant/],
  ['prune', 'dry-run', 'perhaps', /dry-run: must be true or false/],
  ['list', 'target', 's3://has space/x', /bucket name "has space" is not valid/],
  ['verify', 'max-age-hours', '0', /max-age-hours: must be between 1 and/],
  ['verify', 'encryption-keyring', 'not a key', /encryption-keyring line 1: contains whitespace/],
  ['verify', 'encryption-keyring', '', /encryption-keyring: is required to read backups/],
  ['restore-test', 'staging-vault-address', 'staging:8200', /staging-vault-address: must be an http\(s\) URL/],
  ['restore-test', 'restore-isolation', 'sometimes', /restore-isolation: must be one of required, best-effort/],
  ['restore-test', 'source-seal', '3/5', /source-seal: must be shares\/threshold of a Shamir seal like 5\/3/],
  ['restore-test', 'restored-login', 'guess', /restored-login: must be one of generate-root, source-auth/, { 'restored-vault-token': '' }],
  ['restore', 'confirm-restore-into', '', /confirm-restore-into: must repeat restore-vault-address/],
  ['restore', 'confirm-restore-into', 'http://127.0.0.1:2', /confirm-restore-into: must repeat restore-vault-address \(http:\/\/127\.0\.0\.1:1\) exactly/],
  ['restore', 'restore-vault-address', '', /restore-vault-address: is required/],
  ['restore-test', 'canary-paths', '', /canary-paths: is required/],
  ['restore-test', 'canary-sha256', 'secret/canary=xyz', /canary-sha256: line "secret\/canary=xyz" is not "path=<64 hex digits>"/],
  ['restore-test', 'canary-sha256', `secret/other=${'a'.repeat(64)}`, /canary-sha256: names secret\/other, which is not in canary-paths/],
  ['restore-test', 'restore-timeout-seconds', '1', /restore-timeout-seconds: must be between 5 and/],
  ['decrypt', 'in', '', /in: is required/],
  ['decrypt', 'out', '', /out: is required/],
  ['decrypt', 'in', 's3://backups', /in: names a bucket but no object key/],
  ['verify', 'kms-region', 'us-east-1', /kms-key-id: is required to read KMS-wrapped backups/, { 'encryption-keyring': '' }],
  ['recover', 'recover-paths', 'secret', /recover-paths: secret names a mount, not a secret/],
  ['recover', 'recover-paths', 'sys/mounts', /recover-paths: sys\/mounts: of sys\/ only ACL policies/],
  ['recover', 'confirm-recover-into', 'http://127.0.0.1:2', /confirm-recover-into: must repeat recover-into \(http:\/\/127\.0\.0\.1:1\) exactly/],
  ['recover', 'recover-into', '', /recover-output: or recover-into is required/],
  ['diff', 'vault-address', '', /vault-address: is required/],
  ['diff', 'diff-from', 'yesterday', /diff-from: .*yesterday.* is not a backup/],
  ['backup', 'diff-with-previous', 'true', /source-unseal-keys: is required for diff-with-previous/],
];

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), env: {} });
  return { code, stderr };
}

function argvFor(command: string, settings: Record<string, string | null>): string[] {
  const argv = [command];
  for (const [name, value] of Object.entries(settings)) if (value !== null) argv.push(`--${name}=${value}`);
  return argv;
}

describe('bad input is refused before any network call', () => {
  it.each(ROWS.map((r) => [`${r[0]} --${r[1]}=${JSON.stringify(r[2])}`, r] as const))('%s', async (_name, [command, setting, value, message, extra]) => {
    const settings: Record<string, string | null> = { ...BASE[command], ...extra, [setting]: value };
    const started = Date.now();
    const r = await cli(argvFor(command, settings));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(setting);
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000); // no network retries happened
  });

  it('an unknown command and an unknown setting', async () => {
    expect(await cli(['restorer'])).toMatchObject({ code: 2, stderr: expect.stringContaining('command: unknown command "restorer"') });
    expect(await cli(['backup', '--vault-adress', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--vault-adress: is not a setting of backup'),
    });
  });
});

export function badInputTable(): string {
  const lines = ['| command | setting | value | refused with |', '|---|---|---|---|'];
  for (const [command, setting, value, message] of ROWS) {
    const shown = value === '' ? '(empty)' : JSON.stringify(value).replace(/\|/g, '\\|');
    lines.push(`| ${command} | \`${setting}\` | \`${shown}\` | ${message.source.replace(/\\/g, '').replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

it('docs/RELIABILITY.md shows exactly this table (UPDATE_RELIABILITY=1 npm test rewrites it)', () => {
  expectGeneratedSection('docs/RELIABILITY.md', 'bad-input', badInputTable());
});
