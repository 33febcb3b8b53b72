/** diff: what changed between two backups, or a backup and the live cluster (jobs/diff.ts). */
import { targetSettings, vaultSettings, type Inputs } from '../config/settings.js';
import { InputError } from '../errors.js';
import { isBackupChoice } from '../catalog/stored-backup.js';
import { describeChanges, type ContentDiff } from '../content/content-diff.js';
import { LIVE, runDiff, type DiffResult } from '../jobs/diff.js';
import { openStore } from '../storage/open/open-store.js';
import type { CommandDefinition, SummarySection } from './command.js';
import { readOpener } from './read-opener.js';
import { throwawayRestoreOptions } from './throwaway-options.js';

/** How many changes the job summary lists (the log and --json have them all). */
const SUMMARY_ROWS = 50;

export const diffCommand: CommandDefinition<'diff'> = {
  inAction: true,
  async run(inputs, { log, clock, sleep, env, random }) {
    const from = backupChoice(inputs, 'diff-from');
    const to = backupChoice(inputs, 'diff-to');
    const live = from === LIVE || to === LIVE ? vaultSettings(inputs) : undefined;
    const store = await openStore(targetSettings(inputs), log);
    const options = { from, to, live, hashKey: random(32), ...throwawayRestoreOptions(inputs, env) };
    return { command: 'diff', diff: await runDiff({ store, opener: readOpener(inputs), log, clock, sleep }, options) };
  },
  present: {
    text: ({ diff: d }) => ['', `from ${d.from.label}`, `to   ${d.to.label}`, countsLine(d.diff), ...describeChanges(d.diff.changes), ''].join('\n'),
    json: ({ diff: d }) => ({ command: 'diff', from: d.from, to: d.to, ...d.diff }),
    report: ({ diff: d }) => diffReport(d),
    sections: ({ diff: d }) => diffSections(d),
    outputs: ({ diff: d }) => diffOutputs(d.diff),
    logLines: () => [],
  },
};

/** diff-from / diff-to: a backup as every command names one, or live; checked before anything is read. */
function backupChoice(inputs: Inputs, name: 'diff-from' | 'diff-to'): string {
  const value = inputs.required(name);
  if (value === LIVE || isBackupChoice(value)) return value;
  throw new InputError(name, `${JSON.stringify(value)} is not a backup: latest, latest-monthly, a date (YYYY-MM-DD), an object key, or live`);
}

export const countsLine = (d: ContentDiff) => `${d.counts.added} added, ${d.counts.removed} removed, ${d.counts.changed} changed`;

export function diffReport(d: DiffResult): { headline: string; facts: Array<[string, string]> } {
  return {
    headline: `${countsLine(d.diff)} from ${d.from.label} to ${d.to.label}`,
    facts: [
      ['From', d.from.label],
      ['To', d.to.label],
      ['Added', String(d.diff.counts.added)],
      ['Removed', String(d.diff.counts.removed)],
      ['Changed', String(d.diff.counts.changed)],
      ...(d.diff.truncated.length ? ([['Not compared', `KV listing stopped at its bound in ${d.diff.truncated.join(', ')}`]] as Array<[string, string]>) : []),
    ],
  };
}

/** The summary's table of changes: the first ones, by area and path; values are never in it. */
export function diffSections(d: DiffResult): SummarySection[] {
  if (!d.diff.changes.length) return [];
  const shown = d.diff.changes.slice(0, SUMMARY_ROWS);
  return [
    {
      kind: 'table',
      title: `What changed from ${d.from.label} to ${d.to.label}`,
      ...(d.diff.changes.length > shown.length ? { note: `the first ${shown.length} of ${d.diff.changes.length}; the log lists all` } : {}),
      header: ['Change', 'Area', 'Path', 'Detail'],
      rows: shown.map((c) => [c.change, c.area, c.path, c.detail]),
    },
  ];
}

export const diffOutputs = (d: ContentDiff): Record<string, string> => ({
  'added-count': String(d.counts.added),
  'removed-count': String(d.counts.removed),
  'changed-count': String(d.counts.changed),
});
