/** Builds the store a target names. */
import { S3Client } from '@aws-sdk/client-s3';
import type { AzureSettings, S3Settings, TargetSettings } from './store-settings.js';
import { AnonymousCredential, BlobServiceClient, StorageRetryPolicyType } from '@azure/storage-blob';
import { ClientAssertionCredential, DefaultAzureCredential } from '@azure/identity';
import { Storage } from '@google-cloud/storage';
import { AzureBlobStore } from './azure-blob-store.js';
import { GcsBackupStore } from './gcs-store.js';
import type { Logger } from '../log.js';
import type { BackupStore } from './backup-store.js';
import { LocalDirectoryStore } from './local-store.js';
import { S3BackupStore } from './s3-store.js';
import { errorCode, errorName } from '../util/error-text.js';

/** Attempts per S3 request: the SDK's standard retry mode, exponential backoff with jitter (at most 20 s apart). */
export const S3_MAX_ATTEMPTS = 5;

export function createS3Client(s3: S3Settings, log?: Logger): S3Client {
  const client = new S3Client({
    ...(s3.region ? { region: s3.region } : {}),
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    // Several S3-compatible stores reject the SDK's default CRC32 request checksums.
    ...(s3.checksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    maxAttempts: S3_MAX_ATTEMPTS,
  });
  if (log) {
    // Runs once per attempt (inside the retry loop), so every failed attempt is visible in the log.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          const what = status ? `HTTP ${status} ${errorName(error)}` : (errorCode(error) ?? errorName(error));
          // Only what the SDK retries (5xx, throttling, network); a 404 from an existence check is an answer.
          if (status !== undefined && status < 500 && status !== 429) throw error;
          log.warn(`S3 ${context.commandName ?? 'request'} attempt failed: ${what} (the SDK makes up to ${S3_MAX_ATTEMPTS} attempts)`);
          throw error;
        }
      },
      { step: 'deserialize', priority: 'high', name: 'vaultBackupAttemptLog' },
    );
  }
  return client;
}

export function openStore(target: TargetSettings, log?: Logger): BackupStore {
  if (target.kind === 'local') return new LocalDirectoryStore(target.directory);
  if (target.kind === 'azure') return openAzureStore(target);
  if (target.kind === 'gcs') return openGcsStore(target);
  return new S3BackupStore({
    client: createS3Client(target.s3, log),
    bucket: target.bucket,
    prefix: target.prefix,
    partSize: target.s3.partSize,
    queueSize: target.s3.queueSize,
  });
}

/** Retries of the Azure and Cloud Storage SDKs: their own exponential backoff, bounded like S3's. */
export const CLOUD_MAX_ATTEMPTS = 5;

function azureService(settings: AzureSettings): BlobServiceClient {
  // 0.5, 1, 2, 4 s between attempts: a short outage is ridden out, a dead endpoint fails within seconds.
  const retryOptions = { maxTries: CLOUD_MAX_ATTEMPTS, retryPolicyType: StorageRetryPolicyType.EXPONENTIAL, retryDelayInMs: 500, maxRetryDelayInMs: 8000 };
  const { auth, endpoint } = settings;
  // The connection string names its own endpoint (an emulator's, for one).
  if (auth.kind === 'connection-string') return BlobServiceClient.fromConnectionString(auth.connectionString, { retryOptions });
  if (auth.kind === 'sas') return new BlobServiceClient(`${endpoint}?${auth.sasToken}`, new AnonymousCredential(), { retryOptions });
  const credential =
    auth.kind === 'federated' ? new ClientAssertionCredential(auth.tenantId, auth.clientId, async () => auth.federatedToken) : new DefaultAzureCredential();
  return new BlobServiceClient(endpoint, credential, { retryOptions });
}

function openAzureStore(target: Extract<TargetSettings, { kind: 'azure' }>): AzureBlobStore {
  const container = azureService(target.azure).getContainerClient(target.container);
  return new AzureBlobStore({
    container,
    account: target.account,
    prefix: target.prefix,
    blockSize: target.azure.blockSize,
    queueSize: target.azure.queueSize,
  });
}

function openGcsStore(target: Extract<TargetSettings, { kind: 'gcs' }>): GcsBackupStore {
  const { endpoint, keyFile, chunkSize } = target.gcs;
  const storage = new Storage({
    ...(endpoint ? { apiEndpoint: endpoint } : {}),
    ...(keyFile ? { keyFilename: keyFile, useAuthWithCustomEndpoint: true } : {}),
    // Retries idempotent requests (a create with ifGenerationMatch is one) with exponential backoff, at most 8 s apart.
    retryOptions: { autoRetry: true, maxRetries: CLOUD_MAX_ATTEMPTS - 1, maxRetryDelay: 8, totalTimeout: 120 },
  });
  return new GcsBackupStore({ bucket: storage.bucket(target.bucket), prefix: target.prefix, chunkSize });
}
