/** CLI arguments: secrets from files or the environment, never only from the command line (`ps` shows it). */
import { afterAll, describe, expect, it, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { INPUTS } from '../../src/config/input-definitions.js';
import { Inputs, clusterSettings } from '../../src/config/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'vault-backup-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every secret setting of the CLI has an environment variable', () => {
  const missing = INPUTS.filter((d) => d.secret && !d.actionOnly && !d.env).map((d) => d.name);
  expect(missing).toEqual([]);
});

it('a secret is read from --NAME-file (one trailing newline dropped); a non-secret has no -file form', () => {
  const file = join(dir, 'keys');
  writeFileSync(file, 'k1\nk2\nk3\n');
  expect(parseArgs(['restore-test', '--source-unseal-keys-file', file], {}).inputs['source-unseal-keys']).toBe('k1\nk2\nk3');
  expect(parseArgs(['restore', `--restore-vault-token-file=${file}`], {}).inputs['restore-vault-token']).toBe('k1\nk2\nk3');
  expect(() => parseArgs(['restore-test', '--target-file', file], {})).toThrow(/--target-file: is not a setting of restore-test/);
  expect(() => parseArgs(['restore-test', '--source-unseal-keys-file', join(dir, 'absent')], {})).toThrow(/--source-unseal-keys-file: cannot read .*ENOENT/);
});

it('restore secrets come from their environment variables when no flag is given', () => {
  const env = { VAULT_BACKUP_SOURCE_UNSEAL_KEYS: 'a b c', VAULT_BACKUP_STAGING_TOKEN: 'st', VAULT_BACKUP_RESTORED_TOKEN: 'rt' };
  const { inputs } = parseArgs(['restore-test'], env);
  expect(inputs).toMatchObject({ 'source-unseal-keys': 'a b c', 'staging-vault-token': 'st', 'restored-vault-token': 'rt' });
  expect(parseArgs(['restore'], { VAULT_BACKUP_RESTORE_TOKEN: 'new-root' }).inputs['restore-vault-token']).toBe('new-root');
});

describe('cluster settings', () => {
  const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const raw = { 'vault-ca-cert': CA, 'vault-namespace': 'prod', 'vault-tls-skip-verify': 'true' };
  test.each([
    ['staging-vault', {}, { tlsSkipVerify: false }],
    [
      'staging-vault',
      { 'staging-vault-ca-cert': CA.replace('MIIB', 'STAG'), 'staging-vault-namespace': 'stage' },
      { caCert: CA.replace('MIIB', 'STAG'), namespace: 'stage', tlsSkipVerify: false },
    ],
    ['restore-vault', { 'restore-vault-tls-skip-verify': 'yes' }, { tlsSkipVerify: true }],
    ['vault', {}, { caCert: CA, namespace: 'prod', tlsSkipVerify: true }],
  ] as const)("%s with %j: its own TLS and namespace, never the source's", (cluster, extra, expected) => {
    const settings = clusterSettings(new Inputs({ ...raw, ...extra }), 'https://other:8200', { method: 'token', token: '' }, cluster);
    expect({ caCert: settings.caCert, namespace: settings.namespace, tlsSkipVerify: settings.tlsSkipVerify }).toEqual({
      caCert: undefined,
      namespace: undefined,
      ...expected,
    });
  });
});

test.each([
  ['the flag first', ['list', '--target', 's3://b/p', '--s3-region', 'us-west-2'], { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-west-2'],
  ['then AWS_REGION', ['list', '--target', 's3://b/p'], { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' }, 'eu-west-1'],
  ['then AWS_DEFAULT_REGION', ['list', '--target', 's3://b/p'], { AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1'],
  ['else none (the SDK decides)', ['list', '--target', 's3://b/p'], {}, undefined],
])('s3-region: %s', (_name, argv, env, region) => {
  expect(parseArgs(argv, env).inputs['s3-region']).toBe(region);
});
