/** Builds the Cloud Storage store from its settings: the one place the Cloud Storage client is made. */
import { Storage } from '@google-cloud/storage';
import { GcsBackupStore } from './gcs-store.js';
import type { TargetSettings } from '../store-settings.js';
import { CLOUD_BACKOFF, STORE_MAX_ATTEMPTS } from '../retry-policy.js';

export function openGcsStore(target: Extract<TargetSettings, { kind: 'gcs' }>): GcsBackupStore {
  const { endpoint, keyFile, chunkSize } = target.gcs;
  const storage = new Storage({
    ...(endpoint ? { apiEndpoint: endpoint } : {}),
    ...(keyFile ? { keyFilename: keyFile, useAuthWithCustomEndpoint: true } : {}),
    // Retries idempotent requests (a create with ifGenerationMatch is one) with exponential backoff, at most 8 s apart.
    retryOptions: {
      autoRetry: true,
      maxRetries: STORE_MAX_ATTEMPTS - 1,
      maxRetryDelay: CLOUD_BACKOFF.maxDelayMs / 1000,
      totalTimeout: CLOUD_BACKOFF.totalTimeoutSeconds,
    },
  });
  return new GcsBackupStore({ bucket: storage.bucket(target.bucket), prefix: target.prefix, chunkSize });
}
