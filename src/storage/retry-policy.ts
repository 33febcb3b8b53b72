/**
 * How every store retries, in one place. Each SDK keeps its own exponential backoff (the AWS SDK's standard
 * mode, the Azure and Cloud Storage clients' own), bounded here to the same number of attempts.
 */

/** Attempts per request, for every store. */
export const STORE_MAX_ATTEMPTS = 5;

/** Backoff bounds of the Azure and Cloud Storage clients (S3's standard mode waits at most 20 s between attempts). */
export const CLOUD_BACKOFF = { firstDelayMs: 500, maxDelayMs: 8000, totalTimeoutSeconds: 120 };

/** Looking again for what a cut request may still have stored a moment later (Azure's uncommitted blocks). */
export const RECHECK = { attempts: 5, delayMs: 200 };
