/** Builds the Azure Blob store from its settings: the one place the Azure SDK clients are made. */
import { AnonymousCredential, BlobServiceClient, StorageRetryPolicyType } from '@azure/storage-blob';
import { ClientAssertionCredential, DefaultAzureCredential } from '@azure/identity';
import { AzureBlobStore } from './azure-blob-store.js';
import type { AzureSettings, TargetSettings } from '../store-settings.js';
import { CLOUD_BACKOFF, STORE_MAX_ATTEMPTS } from '../retry-policy.js';

function azureService(settings: AzureSettings): BlobServiceClient {
  // 0.5, 1, 2, 4 s between attempts: a short outage is ridden out, a dead endpoint fails within seconds.
  const retryOptions = {
    maxTries: STORE_MAX_ATTEMPTS,
    retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
    retryDelayInMs: CLOUD_BACKOFF.firstDelayMs,
    maxRetryDelayInMs: CLOUD_BACKOFF.maxDelayMs,
  };
  const { auth, endpoint } = settings;
  // The connection string names its own endpoint (an emulator's, for one).
  if (auth.kind === 'connection-string') return BlobServiceClient.fromConnectionString(auth.connectionString, { retryOptions });
  if (auth.kind === 'sas') return new BlobServiceClient(`${endpoint}?${auth.sasToken}`, new AnonymousCredential(), { retryOptions });
  const credential =
    auth.kind === 'federated' ? new ClientAssertionCredential(auth.tenantId, auth.clientId, async () => auth.federatedToken) : new DefaultAzureCredential();
  return new BlobServiceClient(endpoint, credential, { retryOptions });
}

export function openAzureStore(target: Extract<TargetSettings, { kind: 'azure' }>): AzureBlobStore {
  const container = azureService(target.azure).getContainerClient(target.container);
  return new AzureBlobStore({
    container,
    account: target.account,
    prefix: target.prefix,
    blockSize: target.azure.blockSize,
    queueSize: target.azure.queueSize,
  });
}
