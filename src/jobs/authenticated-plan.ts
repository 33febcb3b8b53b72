/**
 * The retention plan, counting only backups this run authenticated. Plan on what the catalog says, then
 * authenticate every complete backup the plan keeps (they are the reasons others are deleted); one that fails
 * becomes a suspect, is never counted, and the plan is made again without it, until everything the plan
 * keeps is authenticated. Then the raft history of the authenticated backups is checked: an index or term
 * that goes back is held as a data anomaly even when no manifest recorded it (a forged old snapshot under a
 * new name, or a manifest stripped of its record), which may keep more, so the loop runs again.
 */
import { authenticateEntry, type Authentication, type AuthenticationCost, type RaftFacts } from '../catalog/authenticate.js';
import type { Catalog, CatalogEntry } from '../catalog/backup-catalog.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { raftWentBack } from '../data/anomaly.js';
import type { Logger } from '../log.js';
import { timeOfBackupId } from '../naming/backup-names.js';
import { planRetention, type RetentionPlan, type RetentionPolicy } from '../retention/plan-retention.js';
import type { BackupStore } from '../storage/backup-store.js';
import { forEachConcurrently } from '../util/concurrently.js';

export interface PlanCost extends AuthenticationCost {
  authenticated: number;
}

/** Backups authenticated at once: range reads and unwraps are small requests that wait on the network. */
const CONCURRENCY = 8;

export async function planOnAuthenticated(
  catalog: Catalog,
  policy: RetentionPolicy,
  now: Date,
  acknowledged: ReadonlySet<string>,
  deps: { store: BackupStore; opener: DataKeyOpener },
  log: Logger,
): Promise<{ plan: RetentionPlan; rollbacks: string[]; cost: PlanCost }> {
  const results = new Map<string, Authentication>();
  const cost: PlanCost = { authenticated: 0, unwraps: 0, rangeReads: 0, bytesRead: 0 };
  const byKey = new Map(catalog.backups.map((b) => [b.objectKey, b]));
  const rollbacks: string[] = [];
  for (;;) {
    const plan = planRetention(catalog, policy, now, acknowledged);
    const unchecked = plan.items
      .filter((i) => i.action === 'keep' && i.complete && i.suspect === undefined && !results.has(i.key))
      .map((i) => byKey.get(i.key)!);
    if (unchecked.length) {
      await authenticateAll(unchecked, deps, results, cost);
      for (const entry of unchecked) {
        const result = results.get(entry.objectKey)!;
        if (result.ok) continue;
        entry.suspect = result.problem;
        log.warn(`suspect: ${entry.objectKey} failed authentication: ${result.problem}`);
      }
      continue;
    }
    // Each marks its backup anomalous, and a marked one is not reported again: the loop ends.
    const found = unrecordedRollbacks(catalog, results, acknowledged);
    if (!found.length) return { plan, rollbacks, cost };
    rollbacks.push(...found);
    for (const r of found) log.warn(`raft history goes back: ${r}`);
  }
}

async function authenticateAll(
  entries: CatalogEntry[],
  deps: { store: BackupStore; opener: DataKeyOpener },
  results: Map<string, Authentication>,
  cost: PlanCost,
): Promise<void> {
  await forEachConcurrently(entries, CONCURRENCY, async (entry) => {
    results.set(entry.objectKey, await authenticateEntry(deps.store, deps.opener, entry, cost));
    cost.authenticated++;
  });
}

/**
 * Raft index or term going back from one authenticated backup to the next (by the time in their names) that
 * nothing explains: no backup between them (the later one included) records a data anomaly, and no
 * acknowledged anomaly falls between them (an acknowledged one stays an explanation after its backup is
 * pruned, so the months it spans do not raise it again). Each marks the later backup anomalous, so retention
 * holds it and the last good backup before it.
 */
export function unrecordedRollbacks(catalog: Catalog, results: ReadonlyMap<string, Authentication>, acknowledged: ReadonlySet<string>): string[] {
  const trusted = catalog.backups
    .map((entry) => ({ entry, auth: results.get(entry.objectKey) }))
    .filter((x): x is { entry: CatalogEntry; auth: { ok: true; raft: RaftFacts } } => x.auth?.ok === true)
    .sort((a, b) => a.entry.at.getTime() - b.entry.at.getTime());
  const found: string[] = [];
  for (let i = 1; i < trusted.length; i++) {
    const before = trusted[i - 1]!;
    const after = trusted[i]!;
    const between = (t: Date | undefined) => t !== undefined && t > before.entry.at && t <= after.entry.at;
    if ([...acknowledged].some((id) => between(timeOfBackupId(id)))) continue;
    if (catalog.backups.some((b) => b.anomalous && b.suspect === undefined && between(b.at))) continue;
    const backwards = raftWentBack({ objectKey: before.entry.objectKey, raft: before.auth.raft }, after.auth.raft);
    if (!backwards.length) continue;
    for (const entry of catalog.backups) if (entry.backupId === after.entry.backupId) entry.anomalous = true;
    found.push(
      `${after.entry.objectKey}: ${backwards.map((a) => a.detail).join('; ')} (compared with ${before.entry.objectKey}; its manifest records no anomaly)`,
    );
  }
  return found;
}
