/** Data-loss detection and the retention rule that keeps the last good state: pure, table-tested. */
import { describe, expect, it } from '@jest/globals';
import { buildCatalog } from '../../src/catalog/backup-catalog.js';
import { detectAnomalies } from '../../src/data/anomaly.js';
import { backupKey, manifestKeyOf } from '../../src/naming/backup-names.js';
import { DEFAULT_POLICY, planRetention } from '../../src/retention/plan-retention.js';

const previous = { objectKey: 'daily/2025-11-25/vault-snapshot-20251125-020000.enc', raft: { index: 1000, term: 5, stateSize: 100 * 1024 * 1024 } };

describe('detectAnomalies', () => {
  it.each([
    ['the same data, a little more', { index: 1100, term: 5, stateSize: 101 * 1024 * 1024 }, []],
    ['shrinks by exactly the limit', { index: 1100, term: 5, stateSize: 50 * 1024 * 1024 }, []],
    ['shrinks by 60%', { index: 1100, term: 5, stateSize: 40 * 1024 * 1024 }, ['shrunk']],
    ['raft index lower (rebuilt)', { index: 12, term: 5, stateSize: 100 * 1024 * 1024 }, ['raft-index-backwards']],
    ['rebuilt from scratch: index, term and size', { index: 12, term: 2, stateSize: 1024 }, ['raft-index-backwards', 'raft-term-backwards', 'shrunk']],
    ['a higher term with a higher index (leader change)', { index: 1001, term: 9, stateSize: 100 * 1024 * 1024 }, []],
  ] as const)('%s', (_name, current, kinds) => {
    expect(detectAnomalies(previous, current, 50).map((a) => a.kind)).toEqual(kinds);
  });

  it('says what changed, against which backup; a first backup has nothing to compare with', () => {
    const [shrunk] = detectAnomalies(previous, { index: 1100, term: 5, stateSize: 40 * 1024 * 1024 }, 50);
    expect(shrunk).toEqual({
      kind: 'shrunk',
      previousKey: previous.objectKey,
      detail: 'the data shrank by 60% (from 100.0 MiB to 40.0 MiB), more than data-shrink-limit-percent 50',
    });
    expect(detectAnomalies(undefined, { index: 1, term: 1, stateSize: 1 }, 50)).toEqual([]);
  });
});

describe('retention keeps the last good state while an anomaly stands', () => {
  const DAY = 86_400_000;
  const now = new Date('2025-11-26T03:00:00Z');
  // 40 days of dailies; the data was lost 10 days ago, and every backup since is anomalous only on the first day.
  const days = Array.from({ length: 40 }, (_, i) => new Date(now.getTime() - (39 - i) * DAY - 3_600_000));
  const keys = days.map((at) => backupKey('daily', at));
  const catalog = () => {
    const c = buildCatalog(
      keys.flatMap((k) => [
        { key: k, size: 1 },
        { key: manifestKeyOf(k), size: 1 },
      ]),
    );
    c.backups.find((b) => b.objectKey === keys[30])!.anomalous = true;
    return c;
  };
  const policy = { ...DEFAULT_POLICY, allowMassDelete: true };

  it('the newest good backup before the anomaly, and the anomaly itself, are kept beyond the window, and say why', () => {
    const plan = planRetention(catalog(), { ...policy, keepDaily: 5 }, now);
    expect(plan.items.find((i) => i.key === keys[29])).toMatchObject({
      action: 'keep',
      reason: `last good state before the data anomaly in ${keys[30]}: kept until that anomaly is acknowledged`,
    });
    expect(plan.items.find((i) => i.key === keys[30])).toMatchObject({
      action: 'keep',
      reason: 'data anomaly (possible data loss): kept as evidence until acknowledged',
    });
    expect(plan.items.filter((i) => i.action === 'keep').map((i) => i.key)).toEqual([keys[29], keys[30], ...keys.slice(35)]);
  });

  it('once acknowledged, both go like any other', () => {
    const id = keys[30]!
      .split('/')
      .at(-1)!
      .replace(/\.enc$/, '');
    const plan = planRetention(catalog(), { ...policy, keepDaily: 5 }, now, new Set([id]));
    expect(plan.items.filter((i) => i.key === keys[29] || i.key === keys[30]).map((i) => i.action)).toEqual(['delete', 'delete']);
  });
});
