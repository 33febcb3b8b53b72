/**
 * An S3 target's store and client: loaded only for S3 (and s3:// files), like the Azure and Cloud
 * Storage stores, so a run against a local directory never loads the AWS SDK.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings, TargetSettings } from '../store-settings.js';
import type { Logger } from '../../log.js';
import { S3BackupStore } from './s3-store.js';
import { errorCode, errorName } from '../../util/error-text.js';
import { sendBodiesInSlices } from './s3-body-slices.js';
import { STORE_MAX_ATTEMPTS } from '../retry-policy.js';

export function createS3Client(s3: S3Settings, log?: Logger): S3Client {
  const client = new S3Client({
    // How long a request may go without a byte moving either way before its attempt fails (and is retried).
    // Without it a request whose answer never comes waits forever: a backup to moto over https was seen waiting
    // 15 minutes on two parts, both connections quiet both ways. A healthy part moves bytes every few
    // milliseconds; S3 keeps a long CompleteMultipartUpload alive with whitespace.
    requestHandler: { socketTimeout: s3.idleTimeoutMs },
    ...(s3.region ? { region: s3.region } : {}),
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    // Several S3-compatible stores reject the SDK's default CRC32 request checksums.
    ...(s3.checksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    maxAttempts: STORE_MAX_ATTEMPTS,
  });
  sendBodiesInSlices(client);
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
          log.warn(`S3 ${context.commandName ?? 'request'} attempt failed: ${what} (the SDK makes up to ${STORE_MAX_ATTEMPTS} attempts)`);
          throw error;
        }
      },
      { step: 'deserialize', priority: 'high', name: 'vaultBackupAttemptLog' },
    );
  }
  return client;
}

export function openS3Store(target: Extract<TargetSettings, { kind: 's3' }>, log?: Logger): S3BackupStore {
  return new S3BackupStore({
    client: createS3Client(target.s3, log),
    bucket: target.bucket,
    prefix: target.prefix,
    partSize: target.s3.partSize,
    queueSize: target.s3.queueSize,
  });
}
