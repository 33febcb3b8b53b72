/** Builds the store a target names. */
import type { TargetSettings } from '../store-settings.js';
import type { Logger } from '../../log.js';
import type { BackupStore } from '../backup-store.js';
import { LocalDirectoryStore } from '../local/local-store.js';

/**
 * The cloud SDKs are loaded only for their targets: each adds tens of MiB to a run's memory, and a larger
 * heap makes every full garbage collection slower (the measured difference is in docs/BENCHMARKS.md).
 */
export async function openStore(target: TargetSettings, log?: Logger): Promise<BackupStore> {
  if (target.kind === 'local') return new LocalDirectoryStore(target.directory);
  if (target.kind === 'azure') return (await import('../azure/azure-open.js')).openAzureStore(target);
  if (target.kind === 'gcs') return (await import('../gcs/gcs-open.js')).openGcsStore(target);
  return (await import('../s3/s3-open.js')).openS3Store(target, log);
}
