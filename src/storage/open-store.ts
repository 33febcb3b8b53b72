/** Builds the store a target names. */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings, TargetSettings } from '../config/settings.js';
import type { BackupStore } from './backup-store.js';
import { LocalDirectoryStore } from './local-store.js';
import { S3BackupStore } from './s3-store.js';

export function createS3Client(s3: S3Settings): S3Client {
  return new S3Client({
    ...(s3.region ? { region: s3.region } : {}),
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    // Several S3-compatible stores reject the SDK's default CRC32 request checksums.
    ...(s3.checksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    maxAttempts: 5,
  });
}

export function openStore(target: TargetSettings): BackupStore {
  if (target.kind === 'local') return new LocalDirectoryStore(target.directory);
  return new S3BackupStore({
    client: createS3Client(target.s3),
    bucket: target.bucket,
    prefix: target.prefix,
    partSize: target.s3.partSize,
    queueSize: target.s3.queueSize,
  });
}
