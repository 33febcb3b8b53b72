/** recover: secrets, policies or auth roles from a backup into a file or a live cluster (jobs/recover.ts). */
import { InputError } from '../errors.js';
import { clusterSettings, requireConfirmation, targetSettings, vaultAuth } from '../config/settings.js';
import { parseSelections } from '../content/selection.js';
import { runRecover } from '../jobs/recover.js';
import { openStore } from '../storage/open/open-store.js';
import { quiet, type CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';
import { throwawayRestoreOptions } from './throwaway-options.js';

export const recoverCommand: CommandDefinition<'recover'> = {
  inAction: true,
  async run(inputs, { log, clock, sleep, env }) {
    const selections = parseSelections(inputs.lines('recover-paths'));
    const output = inputs.optional('recover-output');
    const into = inputs.url('recover-into', false);
    if (!output && !into)
      throw new InputError('recover-output', 'or recover-into is required: say where what is recovered goes (a new file, or a live cluster)');
    if (into) requireConfirmation(inputs, into, 'recover-into', 'confirm-recover-into', 'recover writes into that live cluster');
    const store = await openStore(targetSettings(inputs), log);
    const options = {
      which: inputs.required('backup'),
      ...throwawayRestoreOptions(inputs, env),
      selections,
      maxPaths: inputs.integer('recover-max-paths', 1, 100_000),
      output,
      into: into ? clusterSettings(inputs, into, vaultAuth(inputs)) : undefined,
      force: inputs.boolean('recover-force'),
    };
    return { command: 'recover', recover: await runRecover({ store, opener: readOpener(inputs), log, clock, sleep }, options) };
  },
  present: {
    ...quiet,
    text: ({ recover: r }) =>
      [
        '',
        `from       ${r.backupKey}`,
        ...r.items.map((i) => `recovered  ${i}`),
        ...(r.output ? [`file       ${r.output} (mode 0600)`] : []),
        ...(r.into?.outcomes.map((o) => `into       ${r.into!.address}: ${o.item}: ${o.detail}`) ?? []),
        '',
      ].join('\n'),
    json: ({ recover }) => ({ command: 'recover', recover }),
    report: ({ recover: r }) => ({
      headline: `recovered ${r.items.length} item(s) from ${r.backupKey}`,
      facts: [
        ['Backup', r.backupKey],
        ['Recovered', r.items.join('; ')],
        ...(r.output ? ([['Written to', `${r.output} (mode 0600)`]] as Array<[string, string]>) : []),
        ...(r.into
          ? ([['Written into', `${r.into.address}: ${r.into.outcomes.map((o) => `${o.item}: ${o.detail}`).join('; ')}`]] as Array<[string, string]>)
          : []),
      ],
    }),
    outputs: ({ recover: r }) => ({ 'backup-key': r.backupKey, 'recovered-count': String(r.items.length) }),
  },
};
