/** The pure parts of recover and diff: what recover-paths selects, and how two reads of a cluster differ. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { keyedHash, type ClusterContent, type KvState } from '../../src/content/cluster-content.js';
import { describeChanges, diffContent, kvDifference } from '../../src/content/content-diff.js';
import { parseSelection } from '../../src/content/selection.js';
import { InputError } from '../../src/errors.js';

describe('recover-paths', () => {
  it.each([
    ['secret/app/db', { kind: 'kv', path: 'secret/app/db' }],
    ['/secret/app/db', { kind: 'kv', path: 'secret/app/db' }],
    ['secret/app/', { kind: 'kv-prefix', prefix: 'secret/app/' }],
    ['secret/', { kind: 'kv-prefix', prefix: 'secret/' }],
    ['sys/policies/acl/ci-deployer', { kind: 'policy', name: 'ci-deployer' }],
    ['sys/policy/ci-deployer', { kind: 'policy', name: 'ci-deployer' }],
    ['auth/approle/role/ci', { kind: 'auth-role', path: 'auth/approle/role/ci' }],
    ['auth/kubernetes/prod/role/web', { kind: 'auth-role', path: 'auth/kubernetes/prod/role/web' }],
  ])('%s', (line, expected) => {
    expect(parseSelection(line)).toEqual(expected);
  });

  it.each([
    ['secret', /names a mount, not a secret/],
    ['secret/../sys/x', /is not a path/],
    ['secret//x', /is not a path/],
    ['secret/a b', /is not a path/],
    ['sys/mounts', /only ACL policies/],
    ['auth/approle/', /is not one auth role/],
    ['auth/approle', /is not one auth role/],
    ['', /is not a path/],
  ])('refuses %j', (line, message) => {
    expect(() => parseSelection(line)).toThrow(InputError);
    expect(() => parseSelection(line)).toThrow(message);
  });
});

const kv = (over: Partial<KvState> = {}): KvState => ({
  kvVersion: '2',
  currentVersion: 3,
  createdTime: '2026-12-01T00:00:00Z',
  state: 'present',
  valueHash: 'h1',
  metadataHash: 'm1',
  ...over,
});

describe('how one secret differs', () => {
  it.each<[string, Partial<KvState>, string | undefined]>([
    ['the same', {}, undefined],
    ['a new version with a new value', { currentVersion: 4, valueHash: 'h2' }, 'version 3 → 4, value changed'],
    ['a new version with the same value', { currentVersion: 4 }, 'version 3 → 4, value unchanged'],
    ['deleted', { state: 'deleted', valueHash: undefined }, 'deleted'],
    ['destroyed', { state: 'destroyed', valueHash: undefined }, 'destroyed'],
    [
      'written again under the same number',
      { createdTime: '2026-12-02T00:00:00Z', valueHash: 'h2' },
      'version 3 written again (created 2026-12-02T00:00:00Z), value changed',
    ],
    ['custom metadata only', { metadataHash: 'm2' }, 'custom metadata changed'],
    [
      'KV v1 value',
      { kvVersion: '1', currentVersion: 0, createdTime: '', metadataHash: undefined, valueHash: 'h2' },
      'KV v2 → v1, version 3 → 0, value changed, custom metadata changed',
    ],
  ])('%s', (_, change, expected) => {
    expect(kvDifference(kv(), kv(change))).toBe(expected);
  });

  it('undeleted', () => {
    expect(kvDifference(kv({ state: 'deleted', valueHash: undefined }), kv())).toBe('deleted → present');
  });
});

const empty = (): ClusterContent => ({ mounts: {}, authMethods: {}, authRoles: {}, policies: {}, kv: {}, truncated: [] });

describe('diffContent', () => {
  it('names every addition, removal and change, in area and path order', () => {
    const from = { ...empty(), mounts: { 'secret/': 'kv v2', 'old/': 'transit' }, policies: { a: 'x', b: 'y' }, kv: { 'secret/b': kv(), 'secret/a': kv() } };
    const to = {
      ...empty(),
      mounts: { 'secret/': 'kv v2', 'new/': 'kv v1' },
      authMethods: { 'approle/': 'approle' },
      policies: { a: 'x', b: 'z' },
      kv: { 'secret/a': kv({ currentVersion: 4, valueHash: 'h9' }) },
      truncated: ['secret/'],
    };
    const d = diffContent(from, to);
    expect(describeChanges(d.changes)).toEqual([
      '+ mount new/ (kv v1)',
      '- mount old/ (transit)',
      '+ auth method approle/ (approle)',
      '~ policy b (policy text changed)',
      '~ kv secret/a (version 3 → 4, value changed)',
      '- kv secret/b (version 3)',
    ]);
    expect(d.counts).toEqual({ added: 2, removed: 2, changed: 2 });
    expect(d.truncated).toEqual(['secret/']);
  });

  it('is empty between a read and itself, and the inverse swaps additions and removals (property)', () => {
    const state = fc.record({
      kvVersion: fc.constantFrom('1', '2'),
      currentVersion: fc.integer({ min: 0, max: 5 }),
      createdTime: fc.constantFrom('', 't1', 't2'),
      state: fc.constantFrom('present' as const, 'deleted' as const, 'destroyed' as const),
      valueHash: fc.option(fc.constantFrom('h1', 'h2'), { nil: undefined }),
      metadataHash: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
    });
    const names = fc.constantFrom('a', 'b', 'c', 'd');
    const content = fc.record({
      mounts: fc.dictionary(names, fc.constantFrom('kv v1', 'kv v2', 'transit')),
      authMethods: fc.dictionary(names, fc.constantFrom('approle', 'jwt')),
      authRoles: fc.dictionary(names, fc.constantFrom('r1', 'r2')),
      policies: fc.dictionary(names, fc.constantFrom('p1', 'p2')),
      kv: fc.dictionary(names, state),
      truncated: fc.constant([] as string[]),
    });
    fc.assert(
      fc.property(content, content, (a, b) => {
        expect(diffContent(a, a).changes).toEqual([]);
        const there = diffContent(a, b);
        const back = diffContent(b, a);
        expect(back.counts).toEqual({ added: there.counts.removed, removed: there.counts.added, changed: there.counts.changed });
      }),
    );
  });
});

describe('keyedHash', () => {
  it('differs between keys, and between values, and is canonical in key order', () => {
    const one = keyedHash(Buffer.alloc(32, 1));
    const two = keyedHash(Buffer.alloc(32, 2));
    expect(one({ a: 1, b: 2 })).toBe(one({ b: 2, a: 1 }));
    expect(one({ a: 1 })).not.toBe(two({ a: 1 }));
    expect(one({ a: 1 })).not.toBe(one({ a: 2 }));
  });
});
