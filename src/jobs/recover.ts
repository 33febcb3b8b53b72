/**
 * recover: one secret (or a bounded prefix, a policy, an auth role) from a backup, without touching the
 * cluster it came from. The backup is restored into a throwaway cluster (as the restore test does), what was
 * asked is read with every KV version and its metadata, and the cluster is gone before anything is written:
 * to a file the operator named (JSON, mode 0600, never overwriting one) and/or into a live cluster as new
 * versions. Values never reach the log or the summary.
 */
import { open, rm } from 'node:fs/promises';
import { RestoreError } from '../errors.js';
import type { Logger } from '../log.js';
import { describeRecovered, readRecovered, type Recovered } from '../content/recover-read.js';
import { writeRecovered, type WriteOutcome } from '../content/recover-write.js';
import type { Selection } from '../content/selection.js';
import { removeLeftovers } from '../restore/private-dirs.js';
import type { RestoreDeps } from '../restore/restore-into.js';
import { withBackupInThrowaway, type ThrowawayRestoreOptions } from '../restore/throwaway-restore.js';
import { openVault, type Vault } from '../vault/vault-client.js';
import type { VaultSettings } from '../vault/vault-settings.js';
import { errorCode, errorMessage } from '../util/error-text.js';

export interface RecoverOptions extends ThrowawayRestoreOptions {
  selections: Selection[];
  /** Most secrets a prefix may select. */
  maxPaths: number;
  /** A file to write (must not exist). */
  output: string | undefined;
  /** A live cluster to write into, reached with the vault-* login settings. */
  into: VaultSettings | undefined;
  /** Write over live values newer than (or differing from) the backup's. */
  force: boolean;
}

export interface RecoverResult {
  backupKey: string;
  backupTime: string;
  /** What was recovered, by path and version (never values). */
  items: string[];
  output: string | undefined;
  into: { address: string; outcomes: WriteOutcome[] } | undefined;
}

export async function runRecover(deps: RestoreDeps, options: RecoverOptions): Promise<RecoverResult> {
  const { log } = deps;
  await removeLeftovers(log, options.throwaway.tempRoot);
  // Everything that can refuse does so before the backup is restored.
  const file = options.output ? await createPrivateFile(options.output) : undefined;
  const live = options.into ? openVault(options.into) : undefined;
  let written = false;
  try {
    const liveToken = live ? await loginLive(live, log) : undefined;
    const { entry, items } = await withBackupInThrowaway(deps, options, async ({ entry, cluster, token }) => {
      const read = await log.group('Read what was asked', () => readRecovered(cluster, token, options.selections, options.maxPaths));
      for (const item of read) log.info(`recovered ${describeRecovered(item)}`);
      return { entry, items: read };
    });
    if (file) await writeFile(file, { recoveredFrom: entry.objectKey, backupTime: entry.at.toISOString(), items }, options.output!, log);
    written = true;
    const outcomes = live
      ? await log.group(`Write into ${live.address}`, () => writeRecovered(live, liveToken!, items, { backupTime: entry.at, force: options.force }, log))
      : undefined;
    return {
      backupKey: entry.objectKey,
      backupTime: entry.at.toISOString(),
      items: items.map(describeRecovered),
      output: options.output,
      into: live ? { address: live.address, outcomes: outcomes! } : undefined,
    };
  } catch (error) {
    // A file made for this run and left empty would only mislead; one already written stays.
    if (file && !written) {
      await file.close();
      await rm(options.output!, { force: true });
    }
    throw error;
  } finally {
    await live?.close();
  }
}

/** The output file, created now (exclusive, mode 0600) so a name that exists or cannot be written refuses before the restore. */
async function createPrivateFile(path: string) {
  try {
    return await open(path, 'wx', 0o600);
  } catch (error) {
    throw new RestoreError(
      errorCode(error) === 'EEXIST'
        ? `recover-output ${path} already exists: a recovered secret is never written over a file`
        : `cannot create recover-output ${path}: ${errorMessage(error)}`,
      { hint: 'name a new file in a directory only you can read', cause: error },
    );
  }
}

async function writeFile(
  file: Awaited<ReturnType<typeof open>>,
  document: { recoveredFrom: string; backupTime: string; items: Recovered[] },
  path: string,
  log: Logger,
) {
  await file.writeFile(`${JSON.stringify(document, null, 2)}\n`);
  await file.sync();
  await file.close();
  log.info(`wrote ${document.items.length} item(s) to ${path} (mode 0600)`);
}

async function loginLive(live: Vault, log: Logger): Promise<string> {
  await live.requireUnsealed();
  const token = await live.login();
  if (!(await live.tokenWorks(token)))
    throw new RestoreError(`the vault-* login is not valid on ${live.address}`, { hint: 'give a token (or login) of the cluster recover-into names' });
  log.info(`logged in to ${live.address}; it is written only after the backup has been read`);
  return token;
}
