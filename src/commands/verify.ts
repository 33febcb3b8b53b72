/** verify: prove a stored backup restorable without Vault (jobs/verify.ts). */
import { targetSettings } from '../config/settings.js';
import { runVerify } from '../jobs/verify.js';
import { formatBytes, formatDuration } from '../log.js';
import { trendTable } from '../report/trend.js';
import { openStore } from '../storage/open/open-store.js';
import type { CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';
import { trendSections } from './trend-sections.js';

export const verifyCommand: CommandDefinition<'verify'> = {
  inAction: true,
  async run(inputs, { log, clock }) {
    const store = await openStore(targetSettings(inputs), log);
    const opener = readOpener(inputs);
    const options = {
      which: inputs.required('backup'),
      maxAgeHours: inputs.integer('max-age-hours', 1, 100_000),
      now: inputs.instant('now') ?? clock(),
      clock,
    };
    return { command: 'verify', verify: await runVerify({ store, opener, log }, options) };
  },
  present: {
    text: ({ verify }) => `\n${trendTable(verify.trend)}\n`,
    json: ({ verify }) => ({ command: 'verify', verify }),
    report: ({ verify: v }) => ({
      headline: `backup ${v.key} verified: decrypts to a valid snapshot`,
      facts: [
        ['Backup', v.key],
        ['Age', `${v.ageHours.toFixed(1)} h`],
        ['Newest complete backup', `${v.newestKey} (${v.newestAgeHours.toFixed(1)} h old)`],
        ['Size', formatBytes(v.encryptedSize)],
        ['Raft index / term', `${v.snapshot.meta.Index} / ${v.snapshot.meta.Term}`],
        ['Download + check', formatDuration(v.downloadMs)],
      ],
    }),
    outputs: ({ verify: v }) => ({
      'backup-key': v.key,
      'age-hours': v.ageHours.toFixed(2),
      'newest-key': v.newestKey,
      'encrypted-size': String(v.encryptedSize),
      'raft-index': String(v.snapshot.meta.Index),
    }),
    sections: ({ verify }) => trendSections(verify.trend),
    logLines: () => [],
  },
};
