/** restore-test: the weekly rehearsal (jobs/restore-test.ts) into a throwaway cluster or a staging one. */
import { canaries, clusterSettings, targetSettings } from '../config/settings.js';
import { runRestoreTest } from '../jobs/restore-test.js';
import { formatDuration } from '../log.js';
import { describeInventory } from '../restore/inventory.js';
import { openStore } from '../storage/open/open-store.js';
import { quiet, type CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';
import { throwawayRestoreOptions } from './throwaway-options.js';

export const restoreTestCommand: CommandDefinition<'restore-test'> = {
  inAction: true,
  async run(inputs, { log, clock, sleep, env }) {
    const store = await openStore(targetSettings(inputs), log);
    const opener = readOpener(inputs);
    const stagingAddress = inputs.url('staging-vault-address', false);
    const sourceAddress = inputs.url('vault-address', false);
    const options = {
      which: inputs.required('backup'),
      staging: stagingAddress
        ? clusterSettings(inputs, stagingAddress, { method: 'token', token: inputs.optional('staging-vault-token') ?? '' }, 'staging-vault')
        : undefined,
      // Read without a token (sys/health, sys/leader): only to tell production from a clone.
      source: sourceAddress ? clusterSettings(inputs, sourceAddress, { method: 'token', token: '' }) : undefined,
      ...throwawayRestoreOptions(inputs, env),
      canaries: canaries(inputs),
      allowSameCluster: inputs.boolean('allow-same-cluster'),
      now: clock(),
      shrinkLimitPercent: inputs.integer('data-shrink-limit-percent', 1, 100),
    };
    return { command: 'restore-test', restoreTest: await runRestoreTest({ store, opener, log, clock, sleep }, options) };
  },
  present: {
    ...quiet,
    json: ({ restoreTest }) => ({ command: 'restore-test', restoreTest }),
    report: ({ restoreTest: r }) => ({
      headline: `restore test passed: RTO ${formatDuration(r.timings.totalMs)}, RPO ${r.rpoHours.toFixed(1)} h`,
      facts: [
        ['Backup', r.backupKey],
        [
          'Restored into',
          r.cluster === 'throwaway'
            ? `a throwaway cluster${r.networkIsolated ? ' in its own network namespace' : ' on loopback (not network-isolated)'}`
            : `staging ${r.stagingAddress}`,
        ],
        ['RPO (data age)', `${r.rpoHours.toFixed(1)} h`],
        ['RTO (total)', formatDuration(r.timings.totalMs)],
        ['Download + verify', formatDuration(r.timings.downloadAndVerifyMs)],
        ...(r.cluster === 'throwaway' ? ([['Start cluster', formatDuration(r.timings.startMs)]] as Array<[string, string]>) : []),
        ['Restore', formatDuration(r.timings.restoreMs)],
        ['Restart + unseal', formatDuration(r.timings.unsealMs)],
        ['Login + first read', formatDuration(r.timings.loginAndFirstReadMs)],
        ['Canaries', r.canaries.map((c) => `${c.path}${c.hashChecked ? ' (hash)' : ''}`).join(', ')],
        ['Inventory', r.inventory ? describeInventory(r.inventory) : 'not taken (the token may not list mounts)'],
      ],
    }),
    outputs: ({ restoreTest: r }) => ({
      'backup-key': r.backupKey,
      'rpo-hours': r.rpoHours.toFixed(2),
      'rto-seconds': (r.timings.totalMs / 1000).toFixed(1),
      'canaries-checked': String(r.canaries.length),
    }),
  },
};
