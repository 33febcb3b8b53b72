/** restore: a backup into a named cluster, for real (jobs/restore.ts); the operator confirms the address. */
import { canaries, clusterSettings, requireConfirmation, restoredLogin, sourceSeal, targetSettings, unsealKeys } from '../config/settings.js';
import type { Inputs } from '../config/settings.js';
import { runRestore } from '../jobs/restore.js';
import { formatDuration } from '../log.js';
import { openStore } from '../storage/open/open-store.js';
import { quiet, type CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';

/** What restore and restore-test share: the source's seal and keys, how to get a token in the restored data, the canaries. */
export function restoredDataSettings(inputs: Inputs) {
  return { sourceSeal: sourceSeal(inputs), sourceUnsealKeys: unsealKeys(inputs), restoredLogin: restoredLogin(inputs), canaries: canaries(inputs) };
}

export const restoreCommand: CommandDefinition<'restore'> = {
  inAction: true,
  async run(inputs, { log, clock, sleep }) {
    const address = inputs.url('restore-vault-address')!;
    requireConfirmation(inputs, address, 'restore-vault-address', 'confirm-restore-into', 'everything in that cluster is replaced by the backup');
    const store = await openStore(targetSettings(inputs), log);
    const opener = readOpener(inputs);
    const options = {
      which: inputs.required('backup'),
      target: clusterSettings(inputs, address, { method: 'token', token: inputs.optional('restore-vault-token') ?? '' }, 'restore-vault'),
      ...restoredDataSettings(inputs),
      timeoutMs: inputs.integer('restore-timeout-seconds', 5, 86_400) * 1000,
      now: clock(),
    };
    return { command: 'restore', restore: await runRestore({ store, opener, log, clock, sleep }, options) };
  },
  present: {
    ...quiet,
    json: ({ restore }) => ({ command: 'restore', restore }),
    report: ({ restore: r }) => ({
      headline: `restored ${r.backupKey} into ${r.targetAddress}`,
      facts: [
        ['Backup', r.backupKey],
        ['Restored into', r.targetAddress],
        ['Restart needed for the seal', r.restartedForSeal ? 'yes' : 'no'],
        ['RTO (total)', formatDuration(r.timings.totalMs)],
        ['Canaries', r.canaries.map((c) => c.path).join(', ')],
      ],
    }),
    outputs: ({ restore: r }) => ({
      'backup-key': r.backupKey,
      'rto-seconds': (r.timings.totalMs / 1000).toFixed(1),
      'canaries-checked': String(r.canaries.length),
    }),
  },
};
