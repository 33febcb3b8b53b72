/**
 * One entry point for every command: raw inputs (CLI flags or action inputs) are turned into typed
 * settings — all validation happens here, before any network call — and the job is run.
 * The CLI and the action both call this and only differ in how they present the result.
 */
import { InputError } from '../errors.js';
import type { CommandName } from '../config/input-definitions.js';
import { Inputs, canaries, chunkSize, clusterSettings, readKeys, restoredLogin, s3Settings, sourceSeal, targetSettings, throwawaySettings, trustedKms, unsealKeys, vaultSettings, writeKeySettings, type RawInputs } from '../config/settings.js';
import { createKeySource, createOpener } from '../crypto/key-setup.js';
import type { Logger } from '../log.js';
import { openStore } from '../storage/open-store.js';
import { VaultClient } from '../vault/vault-client.js';
import { runBackup, type BackupResult } from './backup.js';
import { decryptFile, encryptFile } from './file-crypto.js';
import { runList, type ListResult } from './list.js';
import { runPrune, type PruneResult } from './prune.js';
import { runRestore, type RestoreResult } from './restore.js';
import { runRestoreTest, type RestoreTestResult } from './restore-test.js';
import { runVerify, type VerifyResult } from './verify.js';

export type CommandResult =
  | { command: 'backup'; backup: BackupResult }
  | { command: 'prune'; prune: PruneResult }
  | { command: 'list'; list: ListResult }
  | { command: 'verify'; verify: VerifyResult }
  | { command: 'restore-test'; restoreTest: RestoreTestResult }
  | { command: 'restore'; restore: RestoreResult }
  | { command: 'decrypt'; backupId: string | undefined; keyId: string | undefined }
  | { command: 'encrypt'; backupId: string };

/** Keys that open existing backups: keyring / key, and KMS under the named KMS keys only. */
function readOpener(inputs: Inputs) {
  const keys = readKeys(inputs);
  const kms = trustedKms(inputs);
  if (!keys.length && !kms) {
    // A KMS region or endpoint alone (often inherited from the environment) names no key to trust.
    if (inputs.optional('kms-region') || inputs.optional('kms-endpoint')) {
      throw new InputError('kms-key-id', 'is required to read KMS-wrapped backups (kms-region or kms-endpoint is set): name the KMS key(s) they may be wrapped under (id, ARN or alias)', 'a backup wrapped by a key you did not name is refused before KMS is called');
    }
    throw new InputError('encryption-keyring', 'is required to read backups (or encryption-key; for KMS-wrapped backups name the key in kms-key-id)');
  }
  return createOpener(keys, kms);
}

export interface RunContext {
  log: Logger;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export async function runCommand(command: CommandName, raw: RawInputs, context: RunContext): Promise<CommandResult> {
  const inputs = new Inputs(raw);
  const { log } = context;
  const clock = context.clock ?? (() => new Date());
  const sleep = context.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  switch (command) {
    case 'backup': {
      const target = targetSettings(inputs, true);
      const vault = vaultSettings(inputs);
      const keys = writeKeySettings(inputs);
      const deadline = inputs.optional('vault-snapshot-deadline-seconds') === 'auto' ? ('auto' as const) : inputs.integer('vault-snapshot-deadline-seconds', 1, 86_400) * 1000;
      const options = { chunkSize: chunkSize(inputs), snapshotDeadline: deadline, shrinkLimitPercent: inputs.integer('data-shrink-limit-percent', 1, 100), monthly: inputs.choice('monthly', ['auto', 'never'] as const) === 'auto', ...(inputs.optional('run-url') ? { runUrl: inputs.optional('run-url')! } : {}) };
      const client = new VaultClient(vault);
      try {
        const backup = await runBackup({ store: openStore(target, log), vault: client, keySource: createKeySource(keys), log, ...(context.clock ? { clock: context.clock } : {}) }, options);
        return { command, backup };
      } finally {
        await client.close();
      }
    }
    case 'prune': {
      const store = openStore(targetSettings(inputs), log);
      const policy = {
        keepDaily: inputs.integer('keep-daily', 1, 100_000),
        keepMonthly: inputs.integer('keep-monthly', 1, 100_000),
        requireFreshHours: inputs.integer('prune-require-fresh-hours', 1, 100_000),
        maxDeletes: inputs.integer('prune-max-deletes', 0, 1_000_000),
        allowMassDelete: inputs.boolean('prune-allow-mass-delete'),
      };
      const now = inputs.instant('now') ?? clock();
      const acknowledged = inputs.list('acknowledged-anomalies');
      return { command, prune: await runPrune(store, policy, { now, dryRun: inputs.boolean('dry-run'), acknowledged }, log) };
    }
    case 'list': {
      const store = openStore(targetSettings(inputs), log);
      return { command, list: await runList(store, inputs.instant('now') ?? clock()) };
    }
    case 'verify': {
      const store = openStore(targetSettings(inputs), log);
      const opener = readOpener(inputs);
      const options = { which: inputs.required('backup'), maxAgeHours: inputs.integer('max-age-hours', 1, 100_000), now: inputs.instant('now') ?? clock() };
      return { command, verify: await runVerify(store, opener, options, log) };
    }
    case 'restore-test': {
      const store = openStore(targetSettings(inputs), log);
      const opener = readOpener(inputs);
      const stagingAddress = inputs.url('staging-vault-address', false);
      const sourceAddress = inputs.url('vault-address', false);
      const options = {
        which: inputs.required('backup'),
        staging: stagingAddress ? clusterSettings(inputs, stagingAddress, { method: 'token', token: inputs.optional('staging-vault-token') ?? '' }) : undefined,
        throwaway: throwawaySettings(inputs),
        // Read without a token (sys/health, sys/leader): only to tell production from a clone.
        source: sourceAddress ? clusterSettings(inputs, sourceAddress, { method: 'token', token: '' }) : undefined,
        sourceSeal: sourceSeal(inputs),
        sourceUnsealKeys: unsealKeys(inputs),
        restoredLogin: restoredLogin(inputs),
        canaries: canaries(inputs),
        allowSameCluster: inputs.boolean('allow-same-cluster'),
        timeoutMs: inputs.integer('restore-timeout-seconds', 5, 86_400) * 1000,
        now: clock(),
        shrinkLimitPercent: inputs.integer('data-shrink-limit-percent', 1, 100),
      };
      return { command, restoreTest: await runRestoreTest(store, opener, options, log, { clock, sleep }) };
    }
    case 'restore': {
      const address = inputs.url('restore-vault-address')!;
      const confirm = inputs.optional('confirm-restore-into');
      if (confirm === undefined || inputs.url('confirm-restore-into') !== address) {
        throw new InputError('confirm-restore-into', `must repeat restore-vault-address (${address}) exactly${confirm === undefined ? '' : `, got ${JSON.stringify(confirm)}`}`, 'everything in that cluster is replaced by the backup: confirm by naming it');
      }
      const store = openStore(targetSettings(inputs), log);
      const opener = readOpener(inputs);
      const options = {
        which: inputs.required('backup'),
        target: clusterSettings(inputs, address, { method: 'token', token: inputs.optional('restore-vault-token') ?? '' }),
        sourceSeal: sourceSeal(inputs),
        sourceUnsealKeys: unsealKeys(inputs),
        restoredLogin: restoredLogin(inputs),
        canaries: canaries(inputs),
        timeoutMs: inputs.integer('restore-timeout-seconds', 5, 86_400) * 1000,
        now: clock(),
      };
      return { command, restore: await runRestore(store, opener, options, log, { clock, sleep }) };
    }
    case 'decrypt': {
      const keys = readKeys(inputs);
      const endpoints = { input: inputs.optional('in') ?? '', output: inputs.optional('out') ?? '', s3: s3Settings(inputs) };
      const legacy = inputs.boolean('legacy');
      const backupId = inputs.optional('backup-id');
      const flags = { legacy, skipBackupIdCheck: inputs.boolean('skip-backup-id-check'), force: inputs.boolean('force') };
      const out = await decryptFile(endpoints, { opener: legacy ? createOpener(keys, undefined) : readOpener(inputs), legacyKeys: keys }, { ...flags, ...(backupId ? { backupId } : {}) }, log);
      return { command, ...out };
    }
    case 'encrypt': {
      const keys = writeKeySettings(inputs);
      const endpoints = { input: inputs.optional('in') ?? '', output: inputs.optional('out') ?? '', s3: s3Settings(inputs) };
      const backupId = inputs.optional('backup-id');
      const out = await encryptFile(endpoints, createKeySource(keys), { chunkSize: chunkSize(inputs), force: inputs.boolean('force'), ...(backupId ? { backupId } : {}) }, log);
      return { command, ...out };
    }
    default:
      throw new InputError('command', `${command} is not available yet`);
  }
}
