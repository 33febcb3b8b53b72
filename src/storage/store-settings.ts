/** What opening a store needs, as the settings parser produces it (config/settings.ts). */
export interface S3Settings {
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  checksumWhenRequired: boolean;
  partSize: number;
  queueSize: number;
  /** s3-idle-timeout-seconds: how long a request may go without a byte moving either way (see s3-open.ts). */
  idleTimeoutMs: number;
}

/** How to authenticate to Blob Storage: in that order of precedence, the first one given. */
export type AzureAuth =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'sas'; sasToken: string }
  /** GitHub OIDC token exchanged for an Entra ID token (workload identity federation). */
  | { kind: 'federated'; tenantId: string; clientId: string; federatedToken: string }
  /** @azure/identity's DefaultAzureCredential (e.g. after azure/login, or a managed identity). */
  | { kind: 'default' };

export interface AzureSettings {
  /** The blob endpoint; https://ACCOUNT.blob.core.windows.net unless azure-blob-endpoint says otherwise. */
  endpoint: string;
  auth: AzureAuth;
  blockSize: number;
  queueSize: number;
}

export interface GcsSettings {
  /** Custom API endpoint (an emulator); the real service otherwise. */
  endpoint: string | undefined;
  /** A service-account key file; Application Default Credentials otherwise. */
  keyFile: string | undefined;
  chunkSize: number;
}

export type TargetSettings =
  | { kind: 's3'; bucket: string; prefix: string; s3: S3Settings }
  | { kind: 'azure'; account: string; container: string; prefix: string; azure: AzureSettings }
  | { kind: 'gcs'; bucket: string; prefix: string; gcs: GcsSettings }
  | { kind: 'local'; directory: string };
