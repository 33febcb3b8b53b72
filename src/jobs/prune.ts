/**
 * prune: list, plan, show the plan, refuse when a safety rule says so, then delete (object first,
 * then its manifest, so a manifest never outlives nothing but its own object). Objects held by
 * Object Lock are reported as retained.
 */
import { RetentionRefusedError, UntrustedBackupsError } from '../errors.js';
import { readCatalog } from '../catalog/backup-catalog.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { planOnAuthenticated, type PlanCost } from './authenticated-plan.js';
import type { Logger } from '../log.js';
import { type RetentionPlan, type RetentionPolicy } from '../retention/plan-retention.js';
import type { BackupStore, Debris } from '../storage/backup-store.js';

export interface PruneResult {
  plan: RetentionPlan;
  dryRun: boolean;
  deleted: string[];
  retained: Array<{ key: string; because: string }>;
  /** Leftovers of interrupted writes older than a day: removed (or, in a dry run, would be). */
  debris: Debris[];
  /** Raft index or term going back between authenticated backups, unrecorded and unacknowledged. */
  rollbacks: string[];
  authentication: PlanCost;
}

/** Debris younger than this may be a write still in progress. */
const DEBRIS_AGE_MS = 24 * 3_600_000;

const BATCH = 200;

/** The acknowledgement file older releases read at the target: a bucket's contents are not an operator's decision. */
const RETIRED_ACKNOWLEDGEMENT_FILE = 'acknowledged-anomalies.txt';

export interface PruneDeps {
  store: BackupStore;
  /** Opens backups' data keys: every backup the plan keeps is authenticated with it first. */
  opener: DataKeyOpener;
  log: Logger;
  /** The plan as the log shows it before anything is done (the presenter's table). */
  planText: (plan: RetentionPlan) => string;
}

export async function runPrune(
  deps: PruneDeps,
  options: { policy: RetentionPolicy; now: Date; dryRun: boolean; acknowledged?: string[] },
): Promise<PruneResult> {
  const { store, log } = deps;
  const { policy } = options;
  const catalog = await log.group(`List ${store.location}`, async () => {
    const c = await readCatalog(store);
    log.info(`${c.backups.length} backup objects, ${c.orphanManifests.length} orphan manifests, ${c.ignored.length} other objects (never touched)`);
    if (c.ignored.includes(RETIRED_ACKNOWLEDGEMENT_FILE))
      log.warn(
        `${RETIRED_ACKNOWLEDGEMENT_FILE} at the target is not read: anyone who can write to the target could write it. Acknowledge anomalies with the acknowledged-anomalies setting`,
      );
    return c;
  });
  const acknowledged = new Set(options.acknowledged ?? []);
  const trusted = await log.group('Authenticate the backups the plan keeps', () => planOnAuthenticated(catalog, policy, options.now, acknowledged, deps, log));
  const { plan, rollbacks, cost } = trusted;
  log.info(deps.planText(plan));
  log.info(`authenticated ${cost.authenticated} backups (${cost.unwraps} data keys unwrapped, ${cost.rangeReads} range reads, ${cost.bytesRead} bytes)`);
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
  const result: PruneResult = { plan, dryRun: options.dryRun, deleted: [], retained: [], debris, rollbacks, authentication: cost };
  if (options.dryRun) {
    log.info(`dry run: would delete ${plan.summary.delete} backups${debris.length ? ` and remove ${debris.length} debris` : ''}; nothing changed`);
    return alarmOnUntrusted(result);
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
  return alarmOnUntrusted(result);
}

/** The result, unless the target holds suspects or an unrecorded rollback: then the run fails, with the result attached. */
function alarmOnUntrusted(result: PruneResult): PruneResult {
  const suspects = result.plan.items.filter((i) => i.suspect !== undefined);
  if (!suspects.length && !result.rollbacks.length) return result;
  const what = [
    ...suspects.slice(0, 5).map((i) => `${i.key}: ${i.suspect}`),
    ...(suspects.length > 5 ? [`and ${suspects.length - 5} more suspect backups (see the plan)`] : []),
    ...result.rollbacks,
  ];
  throw new UntrustedBackupsError(
    `prune ${result.dryRun ? 'planned' : 'deleted'} only what authenticated backups justify, but the target holds ${suspects.length} backup${suspects.length === 1 ? '' : 's'} that failed authentication${result.rollbacks.length ? ` and ${result.rollbacks.length} unrecorded raft rollback${result.rollbacks.length === 1 ? '' : 's'}` : ''}: ${what.join('; ')}`,
    'these objects were not written by your backup job as they stand (or were damaged, or need a key missing from encryption-keyring / kms-key-id): they are never counted or deleted by this tool. Check who can write to the target, then remove them by hand once investigated',
    result,
  );
}
