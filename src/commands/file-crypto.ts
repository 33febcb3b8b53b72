/** decrypt and encrypt: single files or S3 objects, for operators (jobs/file-crypto.ts); CLI only. */
import { chunkSize, readKeys, s3Settings, targetSettings, writeKeySettings, type Inputs } from '../config/settings.js';
import { InputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BackupStore } from '../storage/backup-store.js';
import { openStore } from '../storage/open/open-store.js';
import { createKeySource, createOpener } from '../crypto/key-setup.js';
import { decryptFile, encryptFile } from '../jobs/file-crypto.js';
import { quiet, type CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';

/** An az:// or gs:// --in: its container or bucket opened as a target (same settings), and the object's key in it. */
async function remoteObject(inputs: Inputs, log: Logger): Promise<{ store: BackupStore; key: string }> {
  const settings = targetSettings(inputs, false, 'in');
  if (settings.kind !== 'azure' && settings.kind !== 'gcs') throw new Error('internal: not an az:// or gs:// input');
  const path = settings.prefix.replace(/\/$/, '');
  const cut = path.lastIndexOf('/');
  const key = path.slice(cut + 1);
  if (!key) throw new InputError('in', 'names a container or bucket but no object key');
  return { store: await openStore({ ...settings, prefix: path.slice(0, cut + 1) }, log), key };
}

export const decryptCommand: CommandDefinition<'decrypt'> = {
  inAction: false,
  async run(inputs, { log }) {
    const keys = readKeys(inputs);
    const input = inputs.optional('in') ?? '';
    const remote = /^(az|gs):\/\//.test(input) ? await remoteObject(inputs, log) : undefined;
    const endpoints = { input, output: inputs.optional('out') ?? '', s3: s3Settings(inputs), ...(remote ? { remote } : {}) };
    const legacy = inputs.boolean('legacy');
    const backupId = inputs.optional('backup-id');
    const flags = { legacy, skipBackupIdCheck: inputs.boolean('skip-backup-id-check'), force: inputs.boolean('force') };
    const out = await decryptFile(
      endpoints,
      { opener: legacy ? createOpener(keys, undefined) : readOpener(inputs), legacyKeys: keys },
      { ...flags, ...(backupId ? { backupId } : {}) },
      log,
    );
    return { command: 'decrypt', ...out };
  },
  present: {
    ...quiet,
    json: (r) => r,
    report: (r) => ({ headline: `decrypted${r.backupId ? ` backup ${r.backupId}` : ''}`, facts: r.keyId ? [['Key', r.keyId]] : [] }),
    outputs: () => ({}),
  },
};

export const encryptCommand: CommandDefinition<'encrypt'> = {
  inAction: false,
  async run(inputs, { log }) {
    const keys = writeKeySettings(inputs);
    const endpoints = { input: inputs.optional('in') ?? '', output: inputs.optional('out') ?? '', s3: s3Settings(inputs) };
    const backupId = inputs.optional('backup-id');
    const out = await encryptFile(
      endpoints,
      createKeySource(keys),
      { chunkSize: chunkSize(inputs), force: inputs.boolean('force'), ...(backupId ? { backupId } : {}) },
      log,
    );
    return { command: 'encrypt', ...out };
  },
  present: {
    ...quiet,
    json: (r) => r,
    report: (r) => ({ headline: `encrypted as backup ${r.backupId}`, facts: [] }),
    outputs: () => ({}),
  },
};
