import { expect, it } from '@jest/globals';
import { inventoryLosses, type Inventory } from '../../src/restore/inventory.js';

const base: Inventory = {
  takenAt: '2025-11-24T04:23:00.000Z',
  backupKey: 'daily/2025-11-24/vault-snapshot-20251124-020000.enc',
  mounts: [
    { path: 'secret/', type: 'kv' },
    { path: 'team/', type: 'kv' },
    { path: 'pki/', type: 'pki' },
  ],
  authMethods: [
    { path: 'token/', type: 'token' },
    { path: 'jwt/', type: 'jwt' },
  ],
  policyCount: 4,
  kvSecrets: [
    { mount: 'secret/', count: 100, truncated: false },
    { mount: 'team/', count: 10, truncated: false },
  ],
};

it.each([
  ['the same', base, []],
  [
    'a new mount and more secrets',
    { ...base, mounts: [...base.mounts, { path: 'new/', type: 'kv' }], kvSecrets: [{ mount: 'secret/', count: 120, truncated: false }, base.kvSecrets[1]!] },
    [],
  ],
  ['a lost mount', { ...base, mounts: base.mounts.filter((m) => m.path !== 'pki/') }, ['mount pki/ (pki) is gone']],
  ['a lost auth method', { ...base, authMethods: [base.authMethods[0]!] }, ['auth method jwt/ (jwt) is gone']],
  ['half the secrets: at the limit', { ...base, kvSecrets: [{ mount: 'secret/', count: 50, truncated: false }, base.kvSecrets[1]!] }, []],
  [
    '61% of the secrets gone',
    { ...base, kvSecrets: [{ mount: 'secret/', count: 39, truncated: false }, base.kvSecrets[1]!] },
    ['KV mount secret/ lost 61% of its secrets (100 → 39), more than data-shrink-limit-percent 50'],
  ],
] as const)('%s', (_name, current, losses) => {
  expect(inventoryLosses(base, current as Inventory, 50)).toEqual(losses);
});

it('nothing to compare with on the first restore test; a truncated count is not compared', () => {
  expect(inventoryLosses(undefined, base, 50)).toEqual([]);
  const truncated = { ...base, kvSecrets: [{ mount: 'secret/', count: 20_000, truncated: true }] };
  expect(inventoryLosses(truncated, { ...base, kvSecrets: [{ mount: 'secret/', count: 10, truncated: false }] }, 50)).toEqual([]);
});
