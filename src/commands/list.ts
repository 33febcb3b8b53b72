/** list: what a target holds (jobs/list.ts), as a table and a trend. */
import { targetSettings } from '../config/settings.js';
import { runList, type ListResult } from '../jobs/list.js';
import { formatBytes } from '../log.js';
import { trendTable } from '../report/trend.js';
import { openStore } from '../storage/open/open-store.js';
import type { CommandDefinition } from './command.js';
import { trendSections } from './trend-sections.js';

const MAX_ROWS = 400;

export const listCommand: CommandDefinition<'list'> = {
  inAction: true,
  async run(inputs, { log, clock }) {
    const store = await openStore(targetSettings(inputs), log);
    return { command: 'list', list: await runList({ store }, { now: inputs.instant('now') ?? clock() }) };
  },
  present: {
    text: ({ list }) => `${formatListTable(list)}\n`,
    json: ({ list }) => ({ command: 'list', ...list }),
    report: ({ list }) => {
      const newest = list.backups.find((b) => b.complete);
      return {
        headline: `${list.backups.length} backups in ${list.location}`,
        facts: [
          ['Backups', String(list.backups.length)],
          ['Newest complete', newest ? `${newest.key} (${newest.ageHours} h old)` : 'none'],
        ],
      };
    },
    outputs: ({ list }) => {
      const newest = list.backups.find((b) => b.complete);
      return { count: String(list.backups.length), 'newest-key': newest?.key ?? '', 'age-hours': newest ? String(newest.ageHours) : '' };
    },
    sections: ({ list }) => [
      ...trendSections(list.trend),
      {
        kind: 'table',
        ...(list.backups.length > MAX_ROWS ? { note: `Newest ${MAX_ROWS} of ${list.backups.length} backups; the full list is in the run log.` } : {}),
        header: ['tier', 'time', 'age', 'bytes', 'state', 'key', 'raft index'],
        rows: list.backups
          .slice(0, MAX_ROWS)
          .map((b) => [
            b.tier,
            b.time.replace('.000Z', 'Z'),
            `${b.ageHours} h`,
            String(b.size),
            b.complete ? (b.anomalous ? 'complete, data anomaly' : 'complete') : 'incomplete',
            b.key,
            String(b.raftIndex ?? ''),
          ]),
      },
    ],
    logLines: ({ list }) => [formatListTable(list)],
  },
};

/** The list as a compact text table with sizes in human units (the CLI prints it; the action logs it). */
export function formatListTable(list: ListResult): string {
  const keyWidth = Math.max(3, ...list.backups.map((b) => b.key.length));
  const rows = list.backups.map((b) => {
    const facts = [b.raftIndex !== undefined ? `raft index ${b.raftIndex}` : '', b.anomalous ? 'DATA ANOMALY' : ''].filter(Boolean).join(', ');
    return `${b.tier.padEnd(8)}${b.time.replace('.000Z', 'Z').padEnd(22)}${`${b.ageHours} h`.padEnd(12)}${formatBytes(b.size).padEnd(12)}${b.complete ? 'complete  ' : 'INCOMPLETE'}  ${b.key.padEnd(keyWidth)}  ${facts}`.trimEnd();
  });
  return [
    `${list.backups.length} backups in ${list.location}`,
    `${'tier    time                  age         size        state       key'.padEnd(66 + keyWidth)}  facts`,
    ...rows,
    ...(list.orphanManifests.length ? [`manifests without object: ${list.orphanManifests.join(', ')}`] : []),
    '',
    trendTable(list.trend),
  ].join('\n');
}
