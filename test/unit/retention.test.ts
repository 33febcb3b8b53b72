import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildCatalog } from '../../src/catalog/backup-catalog.js';
import { backupKey, manifestKeyOf, type Tier } from '../../src/naming/backup-names.js';
import { DEFAULT_POLICY, isoWeek, planRetention, type RetentionPolicy } from '../../src/retention/plan-retention.js';
import type { StoredObject } from '../../src/storage/backup-store.js';

/** A listed object; the store's own time is the name's unless a test sets it. */
type Listed = Omit<StoredObject, 'storedAt'>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Seed {
  tier?: Tier;
  at: string | Date;
  complete?: boolean;
}

function objects(seeds: Seed[], extra: string[] = []): Listed[] {
  const out: Listed[] = [];
  for (const s of seeds) {
    const key = backupKey(s.tier ?? 'daily', new Date(s.at));
    out.push({ key, size: 100 });
    if (s.complete !== false) out.push({ key: manifestKeyOf(key), size: 10 });
  }
  return [...out, ...extra.map((key) => ({ key, size: 1 }))];
}

/** One daily backup at 02:00 on each of `days` consecutive days ending at `last`, plus monthly copies of each month's first. */
function history(last: string, days: number, withMonthly = true): Seed[] {
  const end = new Date(last).getTime();
  const seeds: Seed[] = [];
  const months = new Set<string>();
  for (let i = days - 1; i >= 0; i--) {
    const at = new Date(end - i * DAY);
    seeds.push({ at });
    const month = at.toISOString().slice(0, 7);
    if (withMonthly && !months.has(month)) {
      months.add(month);
      seeds.push({ tier: 'monthly', at });
    }
  }
  return seeds;
}

const policy = (over: Partial<RetentionPolicy> = {}): RetentionPolicy => ({ ...DEFAULT_POLICY, allowMassDelete: true, ...over });

function plan(seeds: Seed[], now: string, over: Partial<RetentionPolicy> = {}, extra: string[] = []) {
  return planRetention(buildCatalog(objects(seeds, extra)), policy(over), new Date(now));
}

const kept = (p: ReturnType<typeof plan>, tier?: Tier) =>
  p.items.filter((i) => i.action === 'keep' && (!tier || i.tier === tier)).map((i) => i.time.slice(0, 19));

describe('retention planning: table', () => {
  it('empty store: nothing to do, nothing refused', () => {
    const p = plan([], '2025-11-26T03:00:00Z');
    expect(p.items).toEqual([]);
    expect(p.refusals).toEqual([]);
  });

  it('only foreign objects: all ignored, none deleted', () => {
    const p = plan([], '2025-11-26T03:00:00Z', {}, ['notes.txt', 'daily/2025-11-26/other.enc', 'daily/2025-11-26/vault-snapshot-20251127-020000.enc']);
    expect(p.items).toEqual([]);
    expect(p.ignored).toHaveLength(3);
  });

  it('exactly N days: everything kept', () => {
    const p = plan(history('2025-11-26T02:00:00Z', 30, false), '2025-11-26T03:00:00Z');
    expect(p.summary).toMatchObject({ keep: 30, delete: 0 });
  });

  it('N+1 days: the oldest day goes', () => {
    const p = plan(history('2025-11-26T02:00:00Z', 31, false), '2025-11-26T03:00:00Z');
    expect(p.summary).toMatchObject({ keep: 30, delete: 1 });
    expect(p.items.find((i) => i.action === 'delete')!.time).toBe('2025-10-27T02:00:00.000Z');
  });

  it('several backups per day (manual runs): only the newest of each day is kept', () => {
    const p = plan(
      [{ at: '2025-11-25T02:00:00Z' }, { at: '2025-11-25T14:30:00Z' }, { at: '2025-11-26T02:00:00Z' }, { at: '2025-11-26T09:15:00Z' }],
      '2025-11-26T10:00:00Z',
    );
    expect(kept(p)).toEqual(['2025-11-25T14:30:00', '2025-11-26T09:15:00']);
    expect(p.items.filter((i) => i.action === 'delete').map((i) => i.reason)).toEqual([
      'a newer backup of 2025-11-25 is kept',
      'a newer backup of 2025-11-26 is kept',
    ]);
  });

  it('a 40-day gap does not use up the count: the 30 backup days before it survive', () => {
    const before = history('2025-09-30T02:00:00Z', 35, false);
    const after = history('2025-11-26T02:00:00Z', 5, false); // backups resumed 5 days ago after a 40+ day outage
    const p = plan([...before, ...after], '2025-11-26T03:00:00Z');
    expect(p.summary.keep).toBe(30);
    expect(kept(p)[0]).toBe('2025-09-06T02:00:00'); // 25 days from before the gap + 5 after
  });

  it('month boundaries and the monthly tier: the first of each of the 12 most recent months', () => {
    const p = plan(history('2025-11-26T02:00:00Z', 500), '2025-11-26T03:00:00Z');
    expect(kept(p, 'monthly')).toEqual([
      '2024-12-01T02:00:00',
      '2025-01-01T02:00:00',
      '2025-02-01T02:00:00',
      '2025-03-01T02:00:00',
      '2025-04-01T02:00:00',
      '2025-05-01T02:00:00',
      '2025-06-01T02:00:00',
      '2025-07-01T02:00:00',
      '2025-08-01T02:00:00',
      '2025-09-01T02:00:00',
      '2025-10-01T02:00:00',
      '2025-11-01T02:00:00',
    ]);
    expect(kept(p, 'daily')).toHaveLength(30);
  });

  it('year boundary and leap day', () => {
    const p = plan(history('2024-03-05T02:00:00Z', 70), '2024-03-05T03:00:00Z', { keepDaily: 7, keepMonthly: 3 });
    expect(kept(p, 'daily')).toEqual([
      '2024-02-28T02:00:00',
      '2024-02-29T02:00:00',
      '2024-03-01T02:00:00',
      '2024-03-02T02:00:00',
      '2024-03-03T02:00:00',
      '2024-03-04T02:00:00',
      '2024-03-05T02:00:00',
    ]);
    expect(kept(p, 'monthly')).toEqual(['2024-01-01T02:00:00', '2024-02-01T02:00:00', '2024-03-01T02:00:00']);
  });

  it('a month whose first backup failed keeps its first successful one (the copy made later that month)', () => {
    const seeds: Seed[] = [{ at: '2025-11-02T02:00:00Z' }, { tier: 'monthly', at: '2025-11-02T02:00:00Z' }, { at: '2025-11-03T02:00:00Z' }];
    const p = plan(seeds, '2025-11-03T03:00:00Z');
    expect(kept(p, 'monthly')).toEqual(['2025-11-02T02:00:00']);
  });

  it('incomplete backups never count, are kept inside the window, and go once older than it', () => {
    const seeds = [
      ...history('2025-11-26T02:00:00Z', 32, false),
      { at: '2025-10-20T05:00:00Z', complete: false },
      { at: '2025-11-26T02:30:00Z', complete: false },
    ];
    const p = plan(seeds, '2025-11-26T03:00:00Z');
    const old = p.items.find((i) => i.time.startsWith('2025-10-20'))!;
    const inProgress = p.items.find((i) => i.time.startsWith('2025-11-26T02:30'))!;
    expect(old).toMatchObject({ action: 'delete', complete: false });
    expect(inProgress).toMatchObject({ action: 'keep', complete: false });
    expect(p.summary.keep).toBe(31); // 30 complete + the one in progress
  });

  it('a manifest is never deleted while its object remains; an old orphan manifest is cleaned up', () => {
    const seeds = history('2025-11-26T02:00:00Z', 31, false);
    const orphan = manifestKeyOf(backupKey('daily', new Date('2025-09-01T02:00:00Z')));
    const recentOrphan = manifestKeyOf(backupKey('daily', new Date('2025-11-26T01:00:00Z')));
    const p = plan(seeds, '2025-11-26T03:00:00Z', {}, [orphan, recentOrphan]);
    expect(p.orphanManifests).toEqual([
      { key: orphan, action: 'delete', reason: expect.stringContaining('older than') },
      { key: recentOrphan, action: 'keep', reason: expect.stringContaining('investigate') },
    ]);
    for (const i of p.items) if (i.action === 'keep') expect(i.manifestKey).toBeDefined();
  });
});

describe('retention planning: safety refusals', () => {
  it('refuses when the newest complete backup is stale (backups are failing)', () => {
    const p = plan(history('2025-11-20T02:00:00Z', 31, false), '2025-11-26T03:00:00Z');
    expect(p.refusals.join()).toMatch(/is 145\.0 h old, more than 48 h/);
  });

  it('refuses a key dated in the future', () => {
    const p = plan([...history('2025-11-26T02:00:00Z', 3, false), { at: '2025-12-24T02:00:00Z' }], '2025-11-26T03:00:00Z');
    expect(p.refusals.join()).toMatch(/dated in the future/);
  });

  it('refuses more deletions than the cap, and more than half a tier', () => {
    const seeds = history('2025-11-26T02:00:00Z', 45, false);
    const p = planRetention(buildCatalog(objects(seeds)), { ...DEFAULT_POLICY }, new Date('2025-11-26T03:00:00Z'));
    expect(p.refusals.join()).toMatch(/deletes 15 backups, more than the limit of 10/);
    const q = planRetention(
      buildCatalog(objects(history('2025-11-26T02:00:00Z', 30, false))),
      { ...DEFAULT_POLICY, keepDaily: 10, maxDeletes: 100 },
      new Date('2025-11-26T03:00:00Z'),
    );
    expect(q.refusals.join()).toMatch(/deletes 20 of 30 complete daily backups, more than half/);
  });

  it.each([
    ['the freshness refusal', '2025-11-20T02:00:00Z', {}, 3, /is 145\.0 h old, more than 48 h/],
    ['the delete limit', '2025-11-26T02:00:00Z', { allowMassDelete: false }, 12, /deletes 0 backups and 12 orphan manifests, more than the limit of 10/],
  ] as const)('orphan manifests alone are subject to %s', (_rule, last, over, orphans, refusal) => {
    // 30 days of history: nothing but the orphans is to be deleted.
    const seeds = history(last, 30, false);
    const old = Array.from({ length: orphans }, (_, i) => manifestKeyOf(backupKey('daily', new Date(Date.parse('2025-08-01T02:00:00Z') + i * DAY))));
    const p = plan(seeds, '2025-11-26T03:00:00Z', over, old);
    expect(p.items.filter((i) => i.action === 'delete')).toEqual([]);
    expect(p.orphanManifests.filter((o) => o.action === 'delete')).toHaveLength(orphans);
    expect(p.refusals.join()).toMatch(refusal);
  });

  it('an orphan manifest dated in the future is refused like a backup', () => {
    const p = plan(history('2025-11-26T02:00:00Z', 3, false), '2025-11-26T03:00:00Z', {}, [
      manifestKeyOf(backupKey('daily', new Date('2025-12-24T02:00:00Z'))),
    ]);
    expect(p.refusals.join()).toMatch(/vault-snapshot-20251224-020000\.json is dated in the future/);
  });

  it('a key 4 minutes ahead is clock skew, not the future; 6 minutes ahead is refused', () => {
    const now = '2025-11-26T03:00:00Z';
    expect(plan([...history('2025-11-26T02:00:00Z', 3, false), { at: '2025-11-26T03:04:00Z' }], now).refusals).toEqual([]);
    expect(plan([...history('2025-11-26T02:00:00Z', 3, false), { at: '2025-11-26T03:06:00Z' }], now).refusals.join()).toMatch(/dated in the future/);
  });

  it('keeps the newest complete backup even when tier rules would not (hand-made second monthly)', () => {
    const seeds: Seed[] = [
      { tier: 'monthly', at: '2025-11-01T02:00:00Z' },
      { tier: 'monthly', at: '2025-11-26T02:00:00Z' },
    ];
    const p = plan(seeds, '2025-11-26T03:00:00Z');
    expect(p.items.find((i) => i.time.startsWith('2025-11-26'))).toMatchObject({ action: 'keep', reason: 'newest complete backup: always kept' });
  });
});

describe('retention planning: properties over random histories', () => {
  const seedArb = fc.record({
    tier: fc.constantFrom<Tier>('daily', 'daily', 'daily', 'monthly'),
    offsetHours: fc.integer({ min: 0, max: 24 * 800 }),
    complete: fc.constantFrom(true, true, true, false),
  });

  it('newest complete kept; kept dailies are exactly the newest per day of the N most recent days; foreign untouched; idempotent', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    fc.assert(
      fc.property(fc.array(seedArb, { maxLength: 120 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 15 }), (raw, keepDaily, keepMonthly) => {
        const seeds = raw.map((r) => ({ tier: r.tier, at: new Date(now.getTime() - r.offsetHours * HOUR), complete: r.complete }));
        const listing = objects(seeds, ['README.txt', 'daily/2026-06-15/backup.tar']);
        const catalog = buildCatalog(listing);
        const p = planRetention(catalog, policy({ keepDaily, keepMonthly }), now);

        // The newest complete backup survives (a monthly copy shares its daily's time: one of them is enough).
        const newestTime = Math.max(...catalog.backups.filter((b) => b.complete).map((b) => b.at.getTime()));
        if (Number.isFinite(newestTime)) {
          expect(p.items.some((i) => i.complete && i.action === 'keep' && new Date(i.time).getTime() === newestTime)).toBe(true);
        }

        const completeDaily = catalog.backups.filter((b) => b.tier === 'daily' && b.complete);
        const days = [...new Set(completeDaily.map((b) => b.at.toISOString().slice(0, 10)))].sort().reverse().slice(0, keepDaily);
        const expected = days.map((d) => completeDaily.filter((b) => b.at.toISOString().startsWith(d)).at(-1)!.objectKey).sort();
        const keptDaily = p.items.filter((i) => i.tier === 'daily' && i.complete && i.action === 'keep').map((i) => i.key);
        expect(keptDaily.sort()).toEqual(expected);

        const deleted = new Set(p.items.filter((i) => i.action === 'delete').map((i) => i.key));
        expect(deleted.has('README.txt')).toBe(false);
        expect(p.ignored).toEqual(['README.txt', 'daily/2026-06-15/backup.tar']);

        // Carry the plan out and plan again: nothing more to delete.
        const remaining = listing.filter((o) => {
          const item = p.items.find((i) => i.key === o.key || i.manifestKey === o.key);
          return !(item && item.action === 'delete');
        });
        const again = planRetention(buildCatalog(remaining), policy({ keepDaily, keepMonthly }), now);
        expect(again.summary.delete).toBe(0);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('default policy', () => {
  it('is the mission: 30 daily + 12 monthly, refusing when backups are 48 h stale or more than 10 would go', () => {
    expect(DEFAULT_POLICY).toEqual({
      keepHourly: 0,
      keepDaily: 30,
      keepWeekly: 0,
      keepMonthly: 12,
      keepYearly: 0,
      requireFreshHours: 48,
      maxDeletes: 10,
      allowMassDelete: false,
    });
  });
});

/** Hourly backups (plus the month's monthly copy) for `days` days ending at `last`. */
function hourly(last: string, days: number): Seed[] {
  const end = new Date(last).getTime();
  const seeds: Seed[] = [];
  const months = new Set<string>();
  for (let i = days * 24 - 1; i >= 0; i--) {
    const at = new Date(end - i * HOUR);
    seeds.push({ at });
    const month = at.toISOString().slice(0, 7);
    if (!months.has(month)) {
      months.add(month);
      seeds.push({ tier: 'monthly', at });
    }
  }
  return seeds;
}

/**
 * An independent model of the tiers, written from the rules as the README states them: for each tier, the
 * `count` most recent periods with a complete backup of its folder each keep one backup, the newest of the period
 * for the hourly, daily and weekly tiers, the first for the monthly and yearly ones.
 */
function modelKeeps(seeds: Seed[], p: RetentionPolicy): Set<string> {
  const backups = seeds
    .filter((s) => s.complete !== false)
    .map((s) => ({ tier: s.tier ?? 'daily', at: new Date(s.at), key: backupKey(s.tier ?? 'daily', new Date(s.at)) }));
  const tiers: Array<[number, Tier, (d: Date) => string, 'newest' | 'first']> = [
    [p.keepHourly, 'daily', (d) => d.toISOString().slice(0, 13), 'newest'],
    [p.keepDaily, 'daily', (d) => d.toISOString().slice(0, 10), 'newest'],
    [p.keepWeekly, 'daily', isoWeek, 'newest'],
    [p.keepMonthly, 'monthly', (d) => d.toISOString().slice(0, 7), 'first'],
    [p.keepYearly, 'monthly', (d) => d.toISOString().slice(0, 4), 'first'],
  ];
  const keep = new Set<string>();
  for (const [count, folder, period, pick] of tiers) {
    const byPeriod = new Map<string, typeof backups>();
    for (const b of backups.filter((x) => x.tier === folder)) byPeriod.set(period(b.at), [...(byPeriod.get(period(b.at)) ?? []), b]);
    for (const key of [...byPeriod.keys()].sort().reverse().slice(0, count)) {
      const sorted = byPeriod.get(key)!.sort((a, b) => a.at.getTime() - b.at.getTime());
      keep.add((pick === 'newest' ? sorted.at(-1)! : sorted[0]!).key);
    }
  }
  return keep;
}

describe('tiered retention', () => {
  it('ISO weeks: Monday starts a week, and the year of a week is the year of its Thursday', () => {
    expect(isoWeek(new Date('2025-12-29T00:00:00Z'))).toBe('2026-W01'); // Monday; its Thursday is 2026-01-01
    expect(isoWeek(new Date('2025-12-28T23:59:59Z'))).toBe('2025-W52'); // Sunday
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    expect(isoWeek(new Date('2026-06-15T12:00:00Z'))).toBe('2026-W25');
  });

  it("60 days of hourly backups, pruned every night at the default delete limit: never refused, and left with exactly the tiers' picks", () => {
    const tiers = { ...DEFAULT_POLICY, keepHourly: 24, keepWeekly: 8, keepYearly: 3 };
    const start = new Date('2026-01-31T00:00:00Z').getTime();
    let stored: Seed[] = [];
    let all: Seed[] = [];
    for (let hour = 0; hour < 60 * 24; hour++) {
      const at = new Date(start + hour * HOUR);
      const made: Seed[] = [{ at }];
      // The first backup of a month is copied to monthly/.
      if (!stored.some((s) => s.tier === 'monthly' && new Date(s.at).toISOString().slice(0, 7) === at.toISOString().slice(0, 7)))
        made.push({ tier: 'monthly', at });
      stored = [...stored, ...made];
      all = [...all, ...made];
      if (at.getUTCHours() !== 3) continue;
      const p = planRetention(buildCatalog(objects(stored)), tiers, new Date(at.getTime() + 10 * 60_000));
      expect(p.refusals).toEqual([]);
      const deleted = new Set(p.items.filter((i) => i.action === 'delete').map((i) => i.key));
      stored = stored.filter((s) => !deleted.has(backupKey(s.tier ?? 'daily', new Date(s.at))));
    }
    // What is left is what the tiers pick from everything ever made, up to the last prune.
    const lastPrune = new Date(start + (59 * 24 + 3) * HOUR);
    const model = modelKeeps(
      all.filter((s) => new Date(s.at) <= lastPrune),
      tiers,
    );
    const left = new Set(stored.filter((s) => new Date(s.at) <= lastPrune).map((s) => backupKey(s.tier ?? 'daily', new Date(s.at))));
    expect(left).toEqual(model);
    expect(left.size).toBeGreaterThan(24 + 29 + 4);
  });

  it("a steady hourly schedule pruned daily deletes a day's superseded backups quietly; a mass expiry still refuses", () => {
    // Yesterday's prune left the tiers' picks; since then, 24 more hourly backups.
    const history = hourly('2026-03-30T23:00:00Z', 40);
    const first = planRetention(buildCatalog(objects(history)), { ...DEFAULT_POLICY, allowMassDelete: true }, new Date('2026-03-31T00:30:00Z'));
    const left = history.filter((s) => {
      const key = backupKey(s.tier ?? 'daily', new Date(s.at));
      return first.items.find((i) => i.key === key)?.action !== 'delete';
    });
    const today = hourly('2026-03-31T23:00:00Z', 1).filter((s) => s.tier !== 'monthly');
    const p = planRetention(buildCatalog(objects([...left, ...today])), DEFAULT_POLICY, new Date('2026-04-01T00:30:00Z'));
    expect(p.refusals).toEqual([]);
    const deleted = p.items.filter((i) => i.action === 'delete');
    expect(deleted.length).toBe(23 + 1); // 23 of today's hours superseded by its newest, and the day that left the window
    expect(deleted.filter((i) => i.routine)).toHaveLength(23);
    expect(deleted.find((i) => !i.routine)!.reason).toBe('beyond the 30 most recent days with a backup');
    // The same catalog with keep-daily lowered to 5: 25 days expire at once, more than the limit of 10.
    const lowered = planRetention(buildCatalog(objects([...left, ...today])), { ...DEFAULT_POLICY, keepDaily: 5 }, new Date('2026-04-01T00:30:00Z'));
    expect(lowered.refusals.join()).toMatch(/deletes 26 backups, more than the limit of 10/);
  });

  it('explains a backup kept by several tiers by each of them', () => {
    const seeds = hourly('2026-03-31T23:00:00Z', 2);
    const p = planRetention(buildCatalog(objects(seeds)), { ...DEFAULT_POLICY, keepHourly: 2, keepWeekly: 1 }, new Date('2026-04-01T00:30:00Z'));
    const newest = p.items.find((i) => i.time === '2026-03-31T23:00:00.000Z' && i.tier === 'daily')!;
    expect(newest.reason).toBe('newest of 2026-03-31T23 (hourly 1 of 2); newest of 2026-03-31 (daily 1 of 30); newest of 2026-W14 (weekly 1 of 1)');
  });

  it('matches the model on random histories and policies, and a second run deletes nothing', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    fc.assert(
      fc.property(
        fc.array(fc.record({ tier: fc.constantFrom<Tier>('daily', 'daily', 'daily', 'monthly'), offsetHours: fc.integer({ min: 0, max: 24 * 900 }) }), {
          maxLength: 150,
        }),
        fc.record({
          keepHourly: fc.integer({ min: 0, max: 48 }),
          keepDaily: fc.integer({ min: 1, max: 40 }),
          keepWeekly: fc.integer({ min: 0, max: 12 }),
          keepMonthly: fc.integer({ min: 1, max: 15 }),
          keepYearly: fc.integer({ min: 0, max: 4 }),
        }),
        (raw, tiers) => {
          const seeds = raw.map((r) => ({ tier: r.tier, at: new Date(now.getTime() - r.offsetHours * HOUR) }));
          const p = planRetention(buildCatalog(objects(seeds)), policy(tiers), now);
          const model = modelKeeps(seeds, policy(tiers));
          const keptKeys = new Set(p.items.filter((i) => i.action === 'keep').map((i) => i.key));
          // The planner may keep more (the newest backup always, anomaly protection), never fewer.
          for (const key of model) expect(keptKeys.has(key)).toBe(true);
          for (const key of keptKeys) if (!model.has(key)) expect(p.items.find((i) => i.key === key)!.reason).toMatch(/newest complete backup/);
          // A routine deletion leaves another backup of its period kept.
          for (const i of p.items.filter((x) => x.action === 'delete' && x.routine)) expect(i.reason).toMatch(/a newer backup of|an earlier backup of/);
          const remaining = seeds.filter((s) => keptKeys.has(backupKey(s.tier, s.at)));
          expect(planRetention(buildCatalog(objects(remaining)), policy(tiers), now).summary.delete).toBe(0);
        },
      ),
      { numRuns: 800 },
    );
  });
});
