/**
 * prune: list, plan, show the plan, refuse when a safety rule says so, then delete (object first,
 * then its manifest, so a manifest never outlives nothing but its own object). Objects held by
 * Object Lock are reported as retained.
 */
import { RetentionRefusedError } from '../errors.js';
import { ACKNOWLEDGED_ANOMALIES_FILE, readCatalog } from '../catalog/backup-catalog.js';
import type { Logger } from '../log.js';
import { planRetention, type RetentionPlan, type RetentionPolicy } from '../retention/plan-retention.js';
import type { BackupStore, Debris } from '../storage/backup-store.js';

export interface PruneResult {
  plan: RetentionPlan;
  dryRun: boolean;
  deleted: string[];
  retained: Array<{ key: string; because: string }>;
  /** Leftovers of interrupted writes older than a day: removed (or, in a dry run, would be). */
  debris: Debris[];
}

/** Debris younger than this may be a write still in progress. */
const DEBRIS_AGE_MS = 24 * 3_600_000;

const BATCH = 200;

/** Acknowledged anomalies: the setting's backup ids and those listed in the target's acknowledgement file. */
async function acknowledgedAnomalies(store: BackupStore, fromSetting: string[]): Promise<Set<string>> {
  const ids = new Set(fromSetting);
  if (await store.stat(ACKNOWLEDGED_ANOMALIES_FILE)) {
    const text = (await store.getSmall(ACKNOWLEDGED_ANOMALIES_FILE, 64 * 1024)).toString('utf8');
    for (const line of text.split(/\r?\n/)) if (line.trim() && !line.trim().startsWith('#')) ids.add(line.trim());
  }
  return ids;
}

export async function runPrune(
  store: BackupStore,
  policy: RetentionPolicy,
  options: { now: Date; dryRun: boolean; acknowledged?: string[] },
  log: Logger,
): Promise<PruneResult> {
  const catalog = await log.group(`List ${store.location}`, async () => {
    const c = await readCatalog(store);
    log.info(`${c.backups.length} backup objects, ${c.orphanManifests.length} orphan manifests, ${c.ignored.length} other objects (never touched)`);
    return c;
  });
  const plan = planRetention(catalog, policy, options.now, await acknowledgedAnomalies(store, options.acknowledged ?? []));
  log.info(formatPlanTable(plan));
  const debris = await store.listDebris(new Date(options.now.getTime() - DEBRIS_AGE_MS));
  for (const d of debris)
    log.info(
      `debris   ${d.kind.padEnd(16)} since ${d.since}  ${d.key}  (left by an interrupted write more than a day ago: ${options.dryRun ? 'would be removed' : 'removed'})`,
    );
  for (const orphan of plan.orphanManifests) log.warn(`manifest without its object: ${orphan.key} (${orphan.reason})`);
  if (plan.refusals.length) {
    throw new RetentionRefusedError(
      `prune refused, nothing was deleted: ${plan.refusals.join('; ')}`,
      'fix the cause above (or review the plan and adjust the prune settings), then run prune again',
      plan,
    );
  }
  const result: PruneResult = { plan, dryRun: options.dryRun, deleted: [], retained: [], debris };
  if (options.dryRun) {
    log.info(`dry run: would delete ${plan.summary.delete} backups${debris.length ? ` and remove ${debris.length} debris` : ''}; nothing changed`);
    return result;
  }
  if (debris.length) {
    await store.removeDebris(debris);
    log.info(`removed ${debris.length} leftovers of interrupted writes`);
  }
  const doomed = plan.items.filter((i) => i.action === 'delete');
  if (doomed.length === 0) {
    log.info('nothing to delete');
  }
  await log.group(`Delete ${doomed.length} backups`, async () => {
    for (let at = 0; at < doomed.length; at += BATCH) {
      const batch = doomed.slice(at, at + BATCH);
      const outcomes = await store.delete(batch.map((i) => i.key));
      const gone = new Set<string>();
      for (const o of outcomes) {
        if (o.deleted) {
          gone.add(o.key);
          result.deleted.push(o.key);
        } else {
          result.retained.push({ key: o.key, because: o.retainedBecause ?? 'kept by the store' });
          log.warn(`${o.key} is retained by the bucket (${o.retainedBecause}); it will be deleted once its retention ends`);
        }
      }
      // Manifests only of objects that are really gone.
      const manifests = batch.filter((i) => gone.has(i.key) && i.manifestKey).map((i) => i.manifestKey!);
      if (manifests.length) for (const o of await store.delete(manifests)) if (o.deleted) result.deleted.push(o.key);
      log.info(`deleted ${Math.min(at + BATCH, doomed.length)} of ${doomed.length}`);
    }
    const orphans = plan.orphanManifests.filter((o) => o.action === 'delete').map((o) => o.key);
    if (orphans.length) for (const o of await store.delete(orphans)) if (o.deleted) result.deleted.push(o.key);
  });
  return result;
}

export function formatPlanTable(plan: RetentionPlan): string {
  const rows = plan.items.map(
    (i) =>
      `${i.action.padEnd(6)} ${i.tier.padEnd(7)} ${i.time.replace('.000Z', 'Z').padEnd(20)} ${i.complete ? 'complete  ' : 'INCOMPLETE'} ${i.key}  (${i.reason})`,
  );
  return [
    `retention plan as of ${plan.now}: keep ${plan.policy.keepDaily} daily + ${plan.policy.keepMonthly} monthly`,
    `action tier    time                 state      key  (reason)`,
    ...rows,
    `${plan.summary.keep} kept, ${plan.summary.delete} to delete, ${plan.summary.incomplete} incomplete, ${plan.summary.ignored} other objects ignored`,
  ].join('\n');
}
