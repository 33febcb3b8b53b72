/** backup: snapshot, encrypt, store, prove, commit (jobs/backup.ts), and how its result is shown. */
import { chunkSize, targetSettings, vaultSettings, writeKeySettings } from '../config/settings.js';
import { createKeySource, createOpener } from '../crypto/key-setup.js';
import { runBackup } from '../jobs/backup.js';
import { formatBytes, formatDuration } from '../log.js';
import { describeChecksum } from '../storage/backup-store.js';
import { openStore } from '../storage/open/open-store.js';
import { openVault } from '../vault/vault-client.js';
import { quiet, type CommandDefinition, type RunContext } from './command.js';
import { countsLine, diffOutputs, diffSections } from './diff.js';
import { readOpener } from './read-opener.js';
import { throwawayRestoreOptions } from './throwaway-options.js';
import { runDiffWithPrevious, type DiffResult } from '../jobs/diff.js';
import type { BackupResult } from '../jobs/backup.js';
import type { BackupStore } from '../storage/backup-store.js';
import { BackupError, InputError, RestoreError } from '../errors.js';
import { errorMessage } from '../util/error-text.js';
import type { Inputs } from '../config/settings.js';

export const backupCommand: CommandDefinition<'backup'> = {
  inAction: true,
  async run(inputs, context) {
    const { log, clock } = context;
    // Checked before the backup, so a missing setting refuses now rather than after the backup.
    const diffSetup = inputs.boolean('diff-with-previous') ? diffWithPreviousSetup(inputs, context) : undefined;
    const target = targetSettings(inputs, true);
    const vault = vaultSettings(inputs);
    const keys = writeKeySettings(inputs);
    const deadline =
      inputs.optional('vault-snapshot-deadline-seconds') === 'auto' ? ('auto' as const) : inputs.integer('vault-snapshot-deadline-seconds', 1, 86_400) * 1000;
    const runUrl = inputs.optional('run-url');
    const options = {
      chunkSize: chunkSize(inputs),
      snapshotDeadline: deadline,
      shrinkLimitPercent: inputs.integer('data-shrink-limit-percent', 1, 100),
      monthly: inputs.choice('monthly', ['auto', 'never'] as const) === 'auto',
      ...(runUrl ? { runUrl } : {}),
    };
    const replica = inputs.optional('replica-target') ? await openStore(targetSettings(inputs, true, 'replica-target'), log) : undefined;
    const client = openVault(vault);
    try {
      // The key that encrypts can open what it encrypted; a KMS key the backup role may only encrypt with cannot.
      const opener = keys.kind === 'raw' ? createOpener([keys.key], undefined) : undefined;
      const deps = {
        store: await openStore(target, log),
        vault: client,
        keySource: createKeySource(keys),
        log,
        clock,
        ...(replica ? { replica } : {}),
        ...(opener ? { opener } : {}),
      };
      const backup = await runBackup(deps, options);
      const changes = diffSetup ? await changesSincePrevious(diffSetup, context, deps.store, backup) : undefined;
      return { command: 'backup', backup, ...(changes ? { changes } : {}) };
    } finally {
      await client.close();
    }
  },
  present: {
    ...quiet,
    text: ({ backup: b }) =>
      [
        '',
        `backup     ${b.backupId} (${b.type})`,
        `object     ${b.location}${b.objectKey}`,
        ...(b.monthlyKey ? [`monthly    ${b.location}${b.monthlyKey}`] : []),
        `size       ${formatBytes(b.encryptedSize)} encrypted, ${formatBytes(b.snapshotSize)} snapshot`,
        `sha256     ${b.encryptedSha256}`,
        `raft       index ${b.raftIndex}, term ${b.raftTerm}`,
        ...(b.replica ? [`replica    ${b.replica.location}${b.replica.objectKey} (${describeChecksum(b.replica.storedChecksum)})`] : []),
        `duration   ${formatDuration(b.durationMs)}`,
        '',
      ].join('\n'),
    json: ({ backup, changes }) => ({ command: 'backup', ...backup, ...(changes ? { changes: { from: changes.from, to: changes.to, ...changes.diff } } : {}) }),
    sections: ({ changes }) => (changes ? diffSections(changes) : []),
    report: ({ backup: b, changes }) => ({
      headline: `backup ${b.backupId} stored and verified (${b.type})`,
      facts: [
        ['Object', b.objectKey],
        ...(b.monthlyKey ? ([['Monthly copy', b.monthlyKey]] as Array<[string, string]>) : []),
        ['Encrypted size', formatBytes(b.encryptedSize)],
        ['Snapshot size', formatBytes(b.snapshotSize)],
        ['SHA-256 (encrypted)', b.encryptedSha256],
        ['Stored checksum', describeChecksum(b.storedChecksum)],
        ['Raft index / term', `${b.raftIndex} / ${b.raftTerm}`],
        ...(b.replica
          ? ([
              ['Replica', `${b.replica.location}${b.replica.objectKey}`],
              ['Replica checksum', describeChecksum(b.replica.storedChecksum)],
            ] as Array<[string, string]>)
          : []),
        ['Key', b.keyId],
        ['Vault version', b.vaultVersion],
        ['Duration', formatDuration(b.durationMs)],
        ...(changes ? ([['Changes since the previous backup', `${countsLine(changes.diff)} (from ${changes.from.label})`]] as Array<[string, string]>) : []),
      ],
    }),
    outputs: ({ backup: b, changes }) => ({
      ...(changes ? diffOutputs(changes.diff) : {}),
      'backup-id': b.backupId,
      'object-key': b.objectKey,
      'manifest-key': b.manifestKey,
      'monthly-key': b.monthlyKey ?? '',
      type: b.type,
      location: b.location,
      'encrypted-size': String(b.encryptedSize),
      'snapshot-size': String(b.snapshotSize),
      sha256: b.encryptedSha256,
      'state-sha256': b.stateSha256,
      checksum: `${b.storedChecksum.algorithm}:${b.storedChecksum.value}`,
      'raft-index': String(b.raftIndex),
      'duration-ms': String(b.durationMs),
      'replica-location': b.replica?.location ?? '',
      'replica-checksum': b.replica ? `${b.replica.storedChecksum.algorithm}:${b.replica.storedChecksum.value}` : '',
    }),
  },
};

function diffWithPreviousSetup(inputs: Inputs, context: RunContext) {
  const options = throwawayRestoreOptions(inputs, context.env);
  if (!options.sourceUnsealKeys.length)
    throw new InputError('source-unseal-keys', 'is required for diff-with-previous: the previous backup and this one are opened in throwaway clusters');
  return { opener: readOpener(inputs), options };
}

/** diff-with-previous: the backup is stored and verified by now, so a failure here says so. */
async function changesSincePrevious(
  setup: ReturnType<typeof diffWithPreviousSetup>,
  context: RunContext,
  store: BackupStore,
  backup: BackupResult,
): Promise<DiffResult | undefined> {
  const { log, clock, sleep, random } = context;
  try {
    const options = { objectKey: backup.objectKey, backupId: backup.backupId, hashKey: random(32), ...setup.options };
    return await log.group('What changed since the previous backup', () => runDiffWithPrevious({ store, opener: setup.opener, log, clock, sleep }, options));
  } catch (error) {
    const text = errorMessage(error);
    throw new RestoreError(`backup ${backup.objectKey} was stored and verified, but diff-with-previous failed: ${text}`, {
      hint: error instanceof BackupError && error.hint ? error.hint : 'see the log above; the backup itself is good',
      cause: error,
    });
  }
}
