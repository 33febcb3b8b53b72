/** Text of a thrown value of unknown type, without casts. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error code (ECONNREFUSED, ENOENT...) when the value carries one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** A bug, not a typed failure: keep the stack for the report. */
export function describeUnexpected(error: unknown): string {
  return `unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** The error's class name (S3 exceptions are told apart by it). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
