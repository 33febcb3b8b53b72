/** What opening a store needs, as the settings parser produces it (config/settings.ts). */
export interface S3Settings {
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  checksumWhenRequired: boolean;
  partSize: number;
  queueSize: number;
}

export type TargetSettings = { kind: 's3'; bucket: string; prefix: string; s3: S3Settings } | { kind: 'local'; directory: string };
