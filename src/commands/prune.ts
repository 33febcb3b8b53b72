/** prune: apply retention (jobs/prune.ts), and how its plan is shown. */
import { targetSettings, type Inputs } from '../config/settings.js';
import { runPrune, type PruneResult } from '../jobs/prune.js';
import { describePolicy, type PlanItem, type RetentionPlan, type RetentionPolicy } from '../retention/plan-retention.js';
import { openStore } from '../storage/open/open-store.js';
import type { CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';

const MAX_PLAN_ROWS = 400;

export function retentionPolicy(inputs: Inputs): RetentionPolicy {
  return {
    keepHourly: inputs.integer('keep-hourly', 0, 100_000),
    keepDaily: inputs.integer('keep-daily', 1, 100_000),
    keepWeekly: inputs.integer('keep-weekly', 0, 100_000),
    keepMonthly: inputs.integer('keep-monthly', 1, 100_000),
    keepYearly: inputs.integer('keep-yearly', 0, 100_000),
    requireFreshHours: inputs.integer('prune-require-fresh-hours', 1, 100_000),
    maxDeletes: inputs.integer('prune-max-deletes', 0, 1_000_000),
    allowMassDelete: inputs.boolean('prune-allow-mass-delete'),
  };
}

/** The prune --json document: of a run (`done`), or of a refused plan, where nothing was done. */
export function pruneJson(plan: RetentionPlan, done?: PruneResult) {
  const { dryRun = true, deleted = [], retained = [], debris = [], rollbacks = [], authentication } = done ?? {};
  return {
    command: 'prune',
    dryRun,
    now: plan.now,
    policy: plan.policy,
    summary: plan.summary,
    refusals: plan.refusals,
    items: plan.items,
    orphanManifests: plan.orphanManifests,
    ignored: plan.ignored,
    suspects: plan.items.filter((i) => i.suspect !== undefined).map((i) => ({ key: i.key, problem: i.suspect })),
    rollbacks,
    ...(authentication ? { authentication } : {}),
    deleted,
    retained,
    debris,
  };
}

/** How a plan row's backup stands: suspect (failed authentication), complete, or incomplete (no manifest). */
export function planState(item: PlanItem): string {
  return item.suspect !== undefined ? 'SUSPECT' : item.complete ? 'complete' : 'INCOMPLETE';
}

export const pruneCommand: CommandDefinition<'prune'> = {
  inAction: true,
  async run(inputs, { log, clock }) {
    const store = await openStore(targetSettings(inputs), log);
    const now = inputs.instant('now') ?? clock();
    const prune = await runPrune(
      { store, opener: readOpener(inputs), log, planText: formatPlanTable },
      {
        policy: retentionPolicy(inputs),
        now,
        dryRun: inputs.boolean('dry-run'),
        acknowledged: inputs.list('acknowledged-anomalies'),
      },
    );
    return { command: 'prune', prune };
  },
  present: {
    text: ({ prune: p }) =>
      `\n${p.dryRun ? 'dry run: nothing deleted' : `deleted ${p.deleted.length} objects`}${p.retained.length ? `, ${p.retained.length} retained by Object Lock` : ''}\n`,
    json: ({ prune: p }) => pruneJson(p.plan, p),
    report: ({ prune: p }) => ({
      headline: p.dryRun
        ? `prune dry run: would delete ${p.plan.summary.delete} backups`
        : `prune kept ${p.plan.summary.keep} backups and deleted ${p.plan.summary.delete}`,
      facts: [
        ['Policy', describePolicy(p.plan.policy)],
        ['Kept', String(p.plan.summary.keep)],
        ['Deleted', String(p.deleted.length)],
        ['Retained by Object Lock', String(p.retained.length)],
        ['Incomplete', String(p.plan.summary.incomplete)],
        ['Suspect (failed authentication; kept, not counted)', String(p.plan.summary.suspect)],
        ['Authenticated', `${p.authentication.authenticated} (${p.authentication.rangeReads} range reads)`],
        ['Other objects (untouched)', String(p.plan.summary.ignored)],
      ],
    }),
    outputs: ({ prune: p }) => ({
      'kept-count': String(p.plan.summary.keep),
      'deleted-count': String(p.deleted.length),
      'retained-count': String(p.retained.length),
      'dry-run': String(p.dryRun),
    }),
    sections: ({ prune: p }) => {
      const items = p.plan.items;
      return [
        {
          kind: 'table',
          title: `Retention plan${p.dryRun ? ' (dry run)' : ''}`,
          ...(items.length > MAX_PLAN_ROWS ? { note: `Newest ${MAX_PLAN_ROWS} of ${items.length} rows; the full plan is in the run log.` } : {}),
          header: ['action', 'tier', 'time', 'state', 'key', 'reason'],
          rows: items
            .slice(-MAX_PLAN_ROWS)
            .reverse()
            .map((i) => [i.action, i.tier, i.time.replace('.000Z', 'Z'), planState(i), i.key, i.reason]),
        },
      ];
    },
    logLines: () => [],
  },
};

/** The plan as a text table: what the log shows before prune acts, and what a refusal leaves to read. */
export function formatPlanTable(plan: RetentionPlan): string {
  const rows = plan.items.map(
    (i) =>
      `${i.action.padEnd(6)} ${i.tier.padEnd(7)} ${i.time.replace('.000Z', 'Z').padEnd(20)} ${(i.suspect !== undefined ? 'SUSPECT' : i.complete ? 'complete' : 'INCOMPLETE').padEnd(10)} ${i.key}  (${i.reason})`,
  );
  return [
    `retention plan as of ${plan.now}: keep ${describePolicy(plan.policy)}`,
    `action tier    time                 state      key  (reason)`,
    ...rows,
    `${plan.summary.keep} kept, ${plan.summary.delete} to delete (${plan.items.filter((i) => i.routine).length} superseded within a kept period), ${plan.summary.incomplete} incomplete, ${plan.summary.suspect} suspect, ${plan.summary.ignored} other objects ignored`,
  ].join('\n');
}
