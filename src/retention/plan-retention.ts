/**
 * Retention as a pure function: backups found (from object names, in UTC), a policy and "now" in;
 * keep/delete for each, with the reason, and any refusal out. Counts, not calendar windows:
 * days or months without a backup do not use up the count, so a month-long outage never empties a tier.
 */
import { definitionOf } from '../config/input-definitions.js';
import { newestComplete, type Catalog, type CatalogEntry } from '../catalog/backup-catalog.js';
import { dayFolder, monthFolder, parseBackupKey, type Tier } from '../naming/backup-names.js';

export interface RetentionPolicy {
  /** Days (with a backup) whose newest complete daily backup is kept. */
  keepDaily: number;
  /** Months (with a monthly backup) whose first complete monthly backup is kept. */
  keepMonthly: number;
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
  keepDaily: defaultNumber('keep-daily'),
  keepMonthly: defaultNumber('keep-monthly'),
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

interface TierOutcome {
  items: PlanItem[];
  /** Oldest instant inside the tier's window (kept), or undefined when nothing is kept. */
  windowStart: Date | undefined;
}

function item(entry: CatalogEntry, action: 'keep' | 'delete', reason: string): PlanItem {
  return {
    key: entry.objectKey,
    manifestKey: entry.manifestKey,
    tier: entry.tier,
    time: entry.at.toISOString(),
    complete: entry.complete,
    ...(entry.suspect !== undefined ? { suspect: entry.suspect } : {}),
    action,
    reason,
  };
}

/** Counted as a backup: committed, and not found suspect by this run's authentication. */
const counts = (e: CatalogEntry) => e.complete && e.suspect === undefined;

/**
 * Keeps, for each of the `count` most recent periods that have a complete backup, one backup:
 * the newest of the day (daily tier) or the first of the month (monthly tier).
 */
function planTier(entries: CatalogEntry[], tier: Tier, count: number): TierOutcome {
  const periodOf = tier === 'daily' ? dayFolder : monthFolder;
  const complete = entries.filter(counts);
  const periods = new Map<string, CatalogEntry[]>();
  for (const e of complete) periods.set(periodOf(e.at), [...(periods.get(periodOf(e.at)) ?? []), e]);
  const recent = [...periods.keys()].sort().reverse().slice(0, count);
  const kept = new Map<string, string>(); // objectKey -> reason
  recent.forEach((period, index) => {
    const inPeriod = periods.get(period)!.sort((a, b) => a.at.getTime() - b.at.getTime());
    const chosen = tier === 'daily' ? inPeriod.at(-1)! : inPeriod[0]!;
    kept.set(chosen.objectKey, `${tier === 'daily' ? 'newest of' : 'first of'} ${period} (${tier} ${index + 1} of ${count})`);
  });
  // The window opens at the start of the oldest kept period (not at a backup in it), so carrying out a
  // plan never moves it and a second run plans no further deletions.
  const oldest = recent.at(-1);
  const windowStart = oldest === undefined ? undefined : new Date(tier === 'daily' ? `${oldest}T00:00:00Z` : `${oldest}-01T00:00:00Z`);

  const items = entries.map((e) => {
    const reason = kept.get(e.objectKey);
    if (reason) return item(e, 'keep', reason);
    if (e.suspect !== undefined) return item(e, 'keep', `suspect: failed authentication (${e.suspect}); never counted, never deleted by this tool`);
    if (!e.complete) {
      // No manifest: never counts as a backup; may be an upload in progress, so only old ones go.
      if (windowStart && e.at < windowStart) return item(e, 'delete', `incomplete (no manifest), older than the ${tier} window`);
      return item(e, 'keep', 'incomplete (no manifest): inside the window, may still be in progress');
    }
    const period = periodOf(e.at);
    if (recent.includes(period)) return item(e, 'delete', tier === 'daily' ? `a newer backup of ${period} is kept` : `an earlier backup of ${period} is kept`);
    return item(e, 'delete', `beyond the ${count} most recent ${tier === 'daily' ? 'days' : 'months'} with a backup`);
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
  const daily = planTier(
    catalog.backups.filter((b) => b.tier === 'daily'),
    'daily',
    policy.keepDaily,
  );
  const monthly = planTier(
    catalog.backups.filter((b) => b.tier === 'monthly'),
    'monthly',
    policy.keepMonthly,
  );
  const newest = newestComplete(catalog);
  const lastGood = lastGoodBeforeAnomalies(catalog, acknowledged);
  const items = [...daily.items, ...monthly.items].map((i) => {
    // The newest complete backup is never deleted, whatever the tier rules say (e.g. a hand-made second monthly backup).
    if (i.key === newest?.objectKey && i.action === 'delete') return { ...i, action: 'keep' as const, reason: 'newest complete backup: always kept' };
    const protectedBecause = lastGood.get(i.key);
    return protectedBecause && i.action === 'delete' ? { ...i, action: 'keep' as const, reason: protectedBecause } : i;
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

  const deletions = items.filter((i) => i.action === 'delete');
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
