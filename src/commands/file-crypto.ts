/** decrypt and encrypt: single files or S3 objects, for operators (jobs/file-crypto.ts); CLI only. */
import { chunkSize, readKeys, s3Settings, writeKeySettings } from '../config/settings.js';
import { createKeySource, createOpener } from '../crypto/key-setup.js';
import { decryptFile, encryptFile } from '../jobs/file-crypto.js';
import { quiet, type CommandDefinition } from './command.js';
import { readOpener } from './read-opener.js';

export const decryptCommand: CommandDefinition<'decrypt'> = {
  inAction: false,
  async run(inputs, { log }) {
    const keys = readKeys(inputs);
    const endpoints = { input: inputs.optional('in') ?? '', output: inputs.optional('out') ?? '', s3: s3Settings(inputs) };
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
