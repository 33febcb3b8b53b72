/** Attempts per request for the Azure and Cloud Storage SDKs: their own exponential backoff, bounded like S3's. */
export const CLOUD_MAX_ATTEMPTS = 5;
