/** The settings every command that opens a backup in a throwaway cluster shares (restore-test, recover, diff, backup's diff-with-previous). */
import { tmpdir } from 'node:os';
import { restoredLogin, sourceSeal, throwawaySettings, unsealKeys, type Inputs } from '../config/settings.js';
import type { ThrowawayRestoreOptions } from '../restore/throwaway-restore.js';
import type { RunContext } from './command.js';

export function throwawayRestoreOptions(inputs: Inputs, env: RunContext['env']): Omit<ThrowawayRestoreOptions, 'which'> {
  return {
    throwaway: throwawaySettings(inputs, env.PATH ?? '', env.TMPDIR || tmpdir()),
    sourceSeal: sourceSeal(inputs),
    sourceUnsealKeys: unsealKeys(inputs),
    restoredLogin: restoredLogin(inputs),
    timeoutMs: inputs.integer('restore-timeout-seconds', 5, 86_400) * 1000,
  };
}
