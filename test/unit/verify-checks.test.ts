/** The facts verify compares between an authenticated snapshot and its (unauthenticated) manifest. */
import { describe, expect, it } from '@jest/globals';
import { manifestDifference } from '../../src/catalog/stored-backup.js';
import type { ValidatedSnapshot } from '../../src/snapshot/archive-validator.js';
import { seededManifest } from '../harness/seed-manifest.js';

const STATE = 'a'.repeat(64);
const snapshot: ValidatedSnapshot = { meta: { Index: 42, Term: 3 } as ValidatedSnapshot['meta'], stateSize: 900, stateSha256: STATE, archiveSize: 1000 };
const manifest = () => {
  const m = seededManifest('daily/2026-12-01/vault-snapshot-20261201-020000.enc', { snapshotSize: 1000, raftIndex: 42 });
  return { ...m, raft: { ...m.raft, stateSha256: STATE } };
};

describe('manifestDifference', () => {
  it.each([
    ['all agree', (m: ReturnType<typeof manifest>) => m, undefined],
    ['archive size', (m: ReturnType<typeof manifest>) => ({ ...m, snapshot: { size: 999 } }), 'size 1000 vs 999'],
    [
      'state.bin digest',
      (m: ReturnType<typeof manifest>) => ({ ...m, raft: { ...m.raft, stateSha256: 'b'.repeat(64) } }),
      `state.bin SHA-256 ${STATE} vs ${'b'.repeat(64)}`,
    ],
    ['raft index', (m: ReturnType<typeof manifest>) => ({ ...m, raft: { ...m.raft, index: 41 } }), 'raft index 42 vs 41'],
    ['a manifest without raft facts compares what it has', (m: ReturnType<typeof manifest>) => ({ ...m, raft: undefined as never }), undefined],
  ])('%s', (_name, edit, expected) => {
    expect(manifestDifference(snapshot, edit(manifest()))).toBe(expected);
  });
});
