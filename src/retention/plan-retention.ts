/**
 * Retention as a pure function: backups found (from object names, in UTC), a policy and "now" in;
 * keep/delete for each, with the reason, and any refusal out. Counts, not calendar windows:
 * days or months without a backup do not use up the count, so a month-long outage never empties a tier.
 */
import { definitionOf } from '../config/input-definitions.js';
import { newestComplete, type Catalog, type CatalogEntry } from '../catalog/backup-catalog.js';
import { dayFolder, monthFolder, parseBackupKey, type Tier } from '../naming/backup-names.js';

export interface RetentionPolicy {
  /** Hours (with a backup) whose newest complete backup is kept; 0: none by the hour. */
  keepHourly: number;
  /** Days (with a backup) whose newest complete daily backup is kept. */
  keepDaily: number;
  /** ISO weeks (with a backup) whose newest complete daily backup is kept; 0: none by the week. */
  keepWeekly: number;
  /** Months (with a monthly backup) whose first complete monthly backup is kept. */
  keepMonthly: number;
  /** Years (with a monthly backup) whose first complete monthly backup is kept; 0: none by the year. */
  keepYearly: number;
  /** Refuse to prune when the newest complete backup is older than this. */
  requireFreshHours: number;
  /** Refuse when the plan deletes more backups than this. */
  maxDeletes: number;
  /** Lifts maxDeletes and the half-a-tier rule (after a deliberate policy change). */
  allowMassDelete: boolean;
}

const defaultNumber = (name: string) => Number(definitionOf(name)!.default);

/** The input table's defaults (keep-daily, keep-monthly, ...), so they are written in one place. */
export const DEFAULT_POLICY: RetentionPolicy = {
  keepHourly: defaultNumber('keep-hourly'),
  keepDaily: defaultNumber('keep-daily'),
  keepWeekly: defaultNumber('keep-weekly'),
  keepMonthly: defaultNumber('keep-monthly'),
  keepYearly: defaultNumber('keep-yearly'),
  requireFreshHours: defaultNumber('prune-require-fresh-hours'),
  maxDeletes: defaultNumber('prune-max-deletes'),
  allowMassDelete: definitionOf('prune-allow-mass-delete')!.default === 'true',
};

/** Clock skew tolerated before a key (a backup or an orphan manifest) counts as "dated in the future". */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export interface PlanItem {
  key: string;
  manifestKey: string | undefined;
  tier: Tier;
  time: string;
  complete: boolean;
  /** Why authentication failed, for a suspect: kept, never counted. */
  suspect?: string;
  action: 'keep' | 'delete';
  reason: string;
  /**
   * A deletion that leaves its period (hour, day, week...) kept by another backup of it: what a schedule that runs
   * more often than the tiers keep makes, every run. Only the other deletions (expiries) count against the limits.
   */
  routine?: boolean;
}

export interface RetentionPlan {
  now: string;
  policy: RetentionPolicy;
  items: PlanItem[];
  /** Objects whose names are not backups: never touched. */
  ignored: string[];
  /** Manifests without their object: reported; deleted only once older than the daily window. */
  orphanManifests: Array<{ key: string; action: 'keep' | 'delete'; reason: string }>;
  /** Reasons this plan must not be carried out. Empty means it may run. */
  refusals: string[];
  summary: { keep: number; delete: number; incomplete: number; suspect: number; ignored: number };
}

/** A tier: which backups it draws from (the object's folder), how it cuts time into periods, and which of a period it keeps. */
interface TierRule {
  name: 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
  pool: Tier;
  count: (policy: RetentionPolicy) => number;
  period: (at: Date) => string;
  /** Where the period starts: the window of a pool opens at the start of its oldest kept period. */
  start: (period: string) => Date;
  pick: 'newest' | 'first';
}

const pad = (n: number) => String(n).padStart(2, '0');
const hourOf = (at: Date) => `${dayFolder(at)}T${pad(at.getUTCHours())}`;

/** ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), as YYYY-Www. */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${pad(week)}`;
}

function isoWeekStart(week: string): Date {
  const [year, w] = [Number(week.slice(0, 4)), Number(week.slice(6))];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86_400_000);
  return new Date(monday.getTime() + (w - 1) * 7 * 86_400_000);
}

/** The tiers, finest first within each pool (the first that covers a period names a routine deletion). */
const TIERS: TierRule[] = [
  { name: 'hourly', pool: 'daily', count: (p) => p.keepHourly, period: hourOf, start: (h) => new Date(`${h}:00:00Z`), pick: 'newest' },
  { name: 'daily', pool: 'daily', count: (p) => p.keepDaily, period: dayFolder, start: (d) => new Date(`${d}T00:00:00Z`), pick: 'newest' },
  { name: 'weekly', pool: 'daily', count: (p) => p.keepWeekly, period: isoWeek, start: isoWeekStart, pick: 'newest' },
  { name: 'monthly', pool: 'monthly', count: (p) => p.keepMonthly, period: monthFolder, start: (m) => new Date(`${m}-01T00:00:00Z`), pick: 'first' },
  {
    name: 'yearly',
    pool: 'monthly',
    count: (p) => p.keepYearly,
    period: (at) => String(at.getUTCFullYear()),
    start: (y) => new Date(`${y}-01-01T00:00:00Z`),
    pick: 'first',
  },
];

const UNITS: Record<TierRule['name'], string> = { hourly: 'hours', daily: 'days', weekly: 'weeks', monthly: 'months', yearly: 'years' };

interface TierOutcome {
  items: PlanItem[];
  /** Oldest instant inside the pool's windows (kept), or undefined when nothing is kept. */
  windowStart: Date | undefined;
}

function item(entry: CatalogEntry, action: 'keep' | 'delete', reason: string, routine = false): PlanItem {
  return {
    key: entry.objectKey,
    manifestKey: entry.manifestKey,
    tier: entry.tier,
    time: entry.at.toISOString(),
    complete: entry.complete,
    ...(entry.suspect !== undefined ? { suspect: entry.suspect } : {}),
    action,
    reason,
    ...(action === 'delete' ? { routine } : {}),
  };
}

/** Counted as a backup: committed, and not found suspect by this run's authentication. */
const counts = (e: CatalogEntry) => e.complete && e.suspect === undefined;

/** One tier's picks: for each of its `count` most recent periods with a complete backup, one backup, with the reason. */
function tierPicks(rule: TierRule, complete: CatalogEntry[], count: number): { kept: Map<string, string>; periods: string[] } {
  const periods = new Map<string, CatalogEntry[]>();
  for (const e of complete) periods.set(rule.period(e.at), [...(periods.get(rule.period(e.at)) ?? []), e]);
  const recent = [...periods.keys()].sort().reverse().slice(0, count);
  const kept = new Map<string, string>();
  recent.forEach((period, index) => {
    const inPeriod = periods.get(period)!.sort((a, b) => a.at.getTime() - b.at.getTime());
    const chosen = rule.pick === 'newest' ? inPeriod.at(-1)! : inPeriod[0]!;
    kept.set(chosen.objectKey, `${rule.pick === 'newest' ? 'newest of' : 'first of'} ${period} (${rule.name} ${index + 1} of ${count})`);
  });
  return { kept, periods: recent };
}

/**
 * Plans one pool (the daily or the monthly folder) under its tiers. A backup kept by several tiers names them
 * all. A complete backup no tier keeps is deleted: routinely when a tier still keeps another backup of its
 * period, as an expiry when it is beyond every tier's window.
 */
function planPool(entries: CatalogEntry[], pool: Tier, policy: RetentionPolicy): TierOutcome {
  const rules = TIERS.filter((r) => r.pool === pool && r.count(policy) > 0);
  const complete = entries.filter(counts);
  const kept = new Map<string, string[]>();
  const covered: Array<{ rule: TierRule; periods: Set<string> }> = [];
  let windowStart: Date | undefined;
  for (const rule of rules) {
    const picks = tierPicks(rule, complete, rule.count(policy));
    for (const [key, reason] of picks.kept) kept.set(key, [...(kept.get(key) ?? []), reason]);
    covered.push({ rule, periods: new Set(picks.periods) });
    // The window opens at the start of the oldest kept period (not at a backup in it), so carrying out a
    // plan never moves it and a second run plans no further deletions.
    const oldest = picks.periods.at(-1);
    if (oldest !== undefined && (!windowStart || rule.start(oldest) < windowStart)) windowStart = rule.start(oldest);
  }
  const items = entries.map((e) => {
    const reasons = kept.get(e.objectKey);
    if (reasons) return item(e, 'keep', reasons.join('; '));
    if (e.suspect !== undefined) return item(e, 'keep', `suspect: failed authentication (${e.suspect}); never counted, never deleted by this tool`);
    if (!e.complete) {
      // No manifest: never counts as a backup; may be an upload in progress, so only old ones go.
      if (windowStart && e.at < windowStart) return item(e, 'delete', `incomplete (no manifest), older than the ${pool} window`);
      return item(e, 'keep', 'incomplete (no manifest): inside the window, may still be in progress');
    }
    const cover = covered.find((c) => c.periods.has(c.rule.period(e.at)));
    if (cover) {
      const period = cover.rule.period(e.at);
      return item(e, 'delete', cover.rule.pick === 'newest' ? `a newer backup of ${period} is kept` : `an earlier backup of ${period} is kept`, true);
    }
    const windows = rules.map((r) => `${r.count(policy)} most recent ${UNITS[r.name]}`).join(', ');
    return item(e, 'delete', `beyond the ${windows} with a backup`);
  });
  return { items, windowStart };
}

/**
 * While a data anomaly stands (not acknowledged), the newest good backup from before it is kept beyond
 * the windows (after 30 days of faithful backups of a damaged cluster it is the only good state left),
 * and so is the anomalous backup itself: it is the evidence, and deleting it would end the protection.
 */
export function lastGoodBeforeAnomalies(catalog: Catalog, acknowledged: ReadonlySet<string>): Map<string, string> {
  const kept = new Map<string, string>(); // objectKey -> reason
  const complete = catalog.backups.filter(counts);
  for (const anomaly of complete.filter((b) => b.anomalous && !acknowledged.has(b.backupId))) {
    const good = complete
      .filter((b) => !b.anomalous && b.at < anomaly.at)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.tier === 'daily' ? 1 : -1))
      .at(-1);
    if (good && !kept.has(good.objectKey))
      kept.set(good.objectKey, `last good state before the data anomaly in ${anomaly.objectKey}: kept until that anomaly is acknowledged`);
    if (!kept.has(anomaly.objectKey)) kept.set(anomaly.objectKey, `data anomaly (possible data loss): kept as evidence until acknowledged`);
  }
  return kept;
}

export function planRetention(catalog: Catalog, policy: RetentionPolicy, now: Date, acknowledged: ReadonlySet<string> = new Set()): RetentionPlan {
  const daily = planPool(
    catalog.backups.filter((b) => b.tier === 'daily'),
    'daily',
    policy,
  );
  const monthly = planPool(
    catalog.backups.filter((b) => b.tier === 'monthly'),
    'monthly',
    policy,
  );
  const newest = newestComplete(catalog);
  const lastGood = lastGoodBeforeAnomalies(catalog, acknowledged);
  const items = [...daily.items, ...monthly.items].map((i) => {
    // The newest complete backup is never deleted, whatever the tier rules say (e.g. a hand-made second monthly backup).
    const keep = (reason: string): PlanItem => {
      const { routine: _routine, ...rest } = i;
      return { ...rest, action: 'keep', reason };
    };
    if (i.key === newest?.objectKey && i.action === 'delete') return keep('newest complete backup: always kept');
    const protectedBecause = lastGood.get(i.key);
    return protectedBecause && i.action === 'delete' ? keep(protectedBecause) : i;
  });
  items.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.tier < b.tier ? -1 : 1));

  const orphanManifests = catalog.orphanManifests.map((key) => {
    const parsed = parseBackupKey(key);
    const window = parsed?.tier === 'monthly' ? monthly.windowStart : daily.windowStart;
    const old = parsed !== undefined && window !== undefined && parsed.at < window;
    return old
      ? { key, action: 'delete' as const, reason: 'manifest of a deleted object, older than its tier window' }
      : { key, action: 'keep' as const, reason: 'manifest without its object: investigate (was the object deleted by hand?)' };
  });

  const deletions = items.filter((i) => i.action === 'delete');
  const refusals = safetyRefusals(catalog, policy, now, items, orphanManifests.filter((o) => o.action === 'delete').length, newest);
  // Kept by construction above; checked again because this is the one mistake that must never ship.
  if (newest && items.some((i) => i.key === newest.objectKey && i.action === 'delete')) {
    throw new Error(`internal: retention plan would delete the newest complete backup ${newest.objectKey}`);
  }

  return {
    now: now.toISOString(),
    policy,
    items,
    ignored: catalog.ignored,
    orphanManifests,
    refusals,
    summary: {
      keep: items.filter((i) => i.action === 'keep').length,
      delete: deletions.length,
      incomplete: items.filter((i) => !i.complete).length,
      suspect: items.filter((i) => i.suspect !== undefined).length,
      ignored: catalog.ignored.length,
    },
  };
}

/**
 * The safety rules: each refusal fails the job and raises an alert; nothing is deleted. Orphan manifests are
 * deletions too: they count against every rule, so a flood of them cannot slip past the limits.
 */
function safetyRefusals(
  catalog: Catalog,
  policy: RetentionPolicy,
  now: Date,
  items: RetentionPlan['items'],
  orphanDeletions: number,
  newest: ReturnType<typeof newestComplete>,
): string[] {
  const refusals: string[] = [];
  const future = [
    ...catalog.backups.map((b) => ({ key: b.objectKey, at: b.at })),
    ...catalog.orphanManifests.map((key) => ({ key, at: parseBackupKey(key)?.at })),
  ].filter((b): b is { key: string; at: Date } => b.at !== undefined && b.at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS);
  for (const b of future)
    refusals.push(`${b.key} is dated in the future (now is ${now.toISOString()}): a clock is wrong or the object was not made by this tool`);

  // Routine deletions (another backup of the same period stays) are what the schedule makes: only expiries count.
  const deletions = items.filter((i) => i.action === 'delete' && !i.routine);
  const deleteCount = deletions.length + orphanDeletions;
  if (deleteCount === 0) return refusals;
  if (!newest) refusals.push('no complete backup exists: nothing is deleted until a backup succeeds');
  else {
    const ageHours = (now.getTime() - newest.at.getTime()) / 3_600_000;
    if (ageHours > policy.requireFreshHours) {
      refusals.push(
        `the newest complete backup (${newest.objectKey}) is ${ageHours.toFixed(1)} h old, more than ${policy.requireFreshHours} h: backups are failing, so nothing is pruned until one succeeds`,
      );
    }
  }
  if (policy.allowMassDelete) return refusals;
  if (deleteCount > policy.maxDeletes) {
    const what = orphanDeletions ? `${deletions.length} backups and ${orphanDeletions} orphan manifests` : `${deletions.length} backups`;
    // (beyond every tier's window; backups superseded within a period that stays kept are not counted)
    refusals.push(
      `the plan deletes ${what}, more than the limit of ${policy.maxDeletes} (raise prune-max-deletes or set prune-allow-mass-delete after checking the plan)`,
    );
  }
  for (const tier of ['daily', 'monthly'] as const) {
    const inTier = items.filter((i) => i.tier === tier && i.complete && i.suspect === undefined);
    const gone = inTier.filter((i) => i.action === 'delete').length;
    if (inTier.length >= 4 && gone > inTier.length / 2) {
      refusals.push(
        `the plan deletes ${gone} of ${inTier.length} complete ${tier} backups, more than half the tier (set prune-allow-mass-delete after checking the plan)`,
      );
    }
  }
  return refusals;
}

/** "24 hourly + 30 daily + 12 monthly": the tiers that keep anything. */
export function describePolicy(policy: RetentionPolicy): string {
  const tiers: Array<[number, string]> = [
    [policy.keepHourly, 'hourly'],
    [policy.keepDaily, 'daily'],
    [policy.keepWeekly, 'weekly'],
    [policy.keepMonthly, 'monthly'],
    [policy.keepYearly, 'yearly'],
  ];
  return tiers
    .filter(([n]) => n > 0)
    .map(([n, name]) => `${n} ${name}`)
    .join(' + ');
}
