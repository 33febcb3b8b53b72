/** The checks a restore makes before it writes a byte: is this cluster the source, a clone, or another one; will the source's keys open it. */
import { describe, expect, it } from '@jest/globals';
import { judgeStaging, parseSourceSeal, sealMismatch, type ClusterIdentity } from '../../src/restore/staging-identity.js';

const leader = (leaderAddress: string, leaderClusterAddress: string, activeTime: string) => ({ isSelf: true, leaderAddress, leaderClusterAddress, activeTime });
const PROD = leader('https://vault.prod:8200', 'https://vault.prod:8201', '2026-12-01T00:00:00Z');
const STAGING = leader('https://vault.staging:8200', 'https://vault.staging:8201', '2026-12-05T00:00:00Z');
const id = (clusterId: string | undefined, l = STAGING): ClusterIdentity => ({ clusterId, leader: l });

describe('judgeStaging', () => {
  it.each<[string, ClusterIdentity, ClusterIdentity | undefined, string | undefined, string]>([
    ['a cluster of its own', id('staging-id'), id('prod-id', PROD), 'prod-id', 'other-cluster'],
    ['a cluster of its own, source unreachable', id('staging-id'), undefined, 'prod-id', 'other-cluster'],
    ['a clone: the source cluster id, its own addresses', id('prod-id'), id('prod-id', PROD), 'prod-id', 'clone'],
    ['a clone known only by the recorded id, source reached', id('prod-id'), id('prod-id-new', PROD), 'prod-id', 'clone'],
    [
      'the source under another name (same cluster address)',
      id('prod-id', { ...PROD, leaderAddress: 'https://10.0.0.5:8200' }),
      id('prod-id', PROD),
      'prod-id',
      'source',
    ],
    [
      'the source through a second listener (same leader address)',
      id('x', { ...PROD, leaderClusterAddress: 'https://other:8201' }),
      id('prod-id', PROD),
      undefined,
      'source',
    ],
    [
      'the source behind a load balancer (same activation time)',
      id('x', { ...STAGING, activeTime: PROD.activeTime }),
      id('prod-id', PROD),
      undefined,
      'source',
    ],
    [
      'addresses compared without case',
      id('x', { ...PROD, leaderClusterAddress: PROD.leaderClusterAddress.toUpperCase() }),
      id('prod-id', PROD),
      undefined,
      'source',
    ],
    ['the source cluster id, source unreachable: undecided', id('prod-id'), undefined, 'prod-id', 'undecided'],
    ['the source cluster id, no leader information: undecided', { clusterId: 'prod-id', leader: undefined }, id('prod-id', PROD), undefined, 'undecided'],
    ['no cluster id at all', id(undefined), id('prod-id', PROD), 'prod-id', 'other-cluster'],
  ])('%s', (_name, staging, source, recorded, kind) => {
    expect(judgeStaging(staging, source, recorded).kind).toBe(kind);
  });

  it('says why in terms an operator can check', () => {
    expect(judgeStaging(id('prod-id'), id('prod-id', PROD), undefined)).toEqual({
      kind: 'clone',
      reason:
        "it carries the source's cluster id prod-id (from an earlier restore), but its active node is https://vault.staging:8200, not the source's https://vault.prod:8200",
    });
    expect(judgeStaging(id('x', PROD), id('prod-id', PROD), undefined)).toEqual({
      kind: 'source',
      reason: "both name https://vault.prod:8201 as their active node's cluster address",
    });
  });
});

describe('sealMismatch', () => {
  it.each([
    ['same Shamir shares', { type: 'shamir', shares: 5, threshold: 3 }, { type: 'shamir', shares: 5, threshold: 3 }, undefined],
    [
      'other shares',
      { type: 'shamir', shares: 1, threshold: 1 },
      { type: 'shamir', shares: 5, threshold: 3 },
      /initialised with 1 key share\(s\) and threshold 1, the source with 5\/3/,
    ],
    ['other threshold', { type: 'shamir', shares: 5, threshold: 2 }, { type: 'shamir', shares: 5, threshold: 3 }, /threshold 2, the source with 5\/3/],
    ['an auto-unseal cluster: the KMS decides', { type: 'transit', shares: 1, threshold: 1 }, { type: 'transit', shares: 5, threshold: 3 }, undefined],
    ['an auto-unseal source', { type: 'shamir', shares: 1, threshold: 1 }, { type: 'awskms', shares: 5, threshold: 3 }, undefined],
  ])('%s', (_name, cluster, source, expected) => {
    const result = sealMismatch(cluster, source);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});

describe('parseSourceSeal', () => {
  it.each([
    ['5/3', { type: 'shamir', shares: 5, threshold: 3 }],
    [' 1 / 1 ', { type: 'shamir', shares: 1, threshold: 1 }],
    ['10/10', { type: 'shamir', shares: 10, threshold: 10 }],
    ['3/5', undefined],
    ['5/0', undefined],
    ['5', undefined],
    ['five/three', undefined],
    ['1000/3', undefined],
  ])('%j', (text, expected) => {
    expect(parseSourceSeal(text)).toEqual(expected);
  });
});
