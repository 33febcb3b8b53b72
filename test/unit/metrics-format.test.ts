/** The Prometheus text exposition and the Pushgateway group of a run: pure, so checked on their own. */
import { expect, it } from '@jest/globals';
import { exposition, pushgatewayGroupUrl } from '../../src/notify/metrics.js';

it('writes HELP and TYPE once per family, every sample with the run labels, label values escaped', () => {
  const text = exposition(
    [
      { name: 'vault_backup_success', help: '1 when the last run succeeded.', value: 1 },
      { name: 'vault_backup_failure', help: 'The failing component.', value: 1, labels: { component: 'vault' } },
      { name: 'vault_backup_failure', help: 'The failing component.', value: 1, labels: { component: 'storage' } },
    ],
    { command: 'backup', target: 'C:\\dir "x"\nnext' },
  );
  expect(text).toBe(
    [
      '# HELP vault_backup_success 1 when the last run succeeded.',
      '# TYPE vault_backup_success gauge',
      'vault_backup_success{command="backup",target="C:\\\\dir \\"x\\"\\nnext"} 1',
      '# HELP vault_backup_failure The failing component.',
      '# TYPE vault_backup_failure gauge',
      'vault_backup_failure{command="backup",target="C:\\\\dir \\"x\\"\\nnext",component="vault"} 1',
      'vault_backup_failure{command="backup",target="C:\\\\dir \\"x\\"\\nnext",component="storage"} 1',
      '',
    ].join('\n'),
  );
});

it.each([
  [{ command: 'backup', target: 's3://bucket/prod/eu' }, '/metrics/job/vault_backup/command@base64/YmFja3Vw/target@base64/czM6Ly9idWNrZXQvcHJvZC9ldQ'],
  [{ command: 'list', target: '' }, '/metrics/job/vault_backup/command@base64/bGlzdA/target@base64/='],
])('groups a run by command and target, base64url-encoded (%j)', (labels, path) => {
  expect(pushgatewayGroupUrl('http://pushgateway:9091/', labels)).toBe(`http://pushgateway:9091${path}`);
});
