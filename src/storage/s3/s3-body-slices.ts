/**
 * Request bodies held in memory (the parts) reach the socket in slices; one no larger than a slice (a
 * manifest) goes as it is. Over TLS, Node encrypts a whole write at once and keeps the ciphertext until
 * the socket has taken it: an 8 MiB part written in one piece held 8 MiB more for each part in flight
 * (measured in docs/BENCHMARKS.md).
 *
 * The SDK still sees the buffer: its signer and checksum steps have run on it, and it retries the request
 * (it never retries a body it was given as a stream). Each attempt gets a fresh stream over the same
 * bytes, since this step runs inside the retry loop.
 */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/** Small enough that TLS holds little per request, large enough that writes stay few. */
export const BODY_SLICE_BYTES = 256 * 1024;

export function sendBodiesInSlices(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown } | undefined;
      const body = request?.body;
      if (!(body instanceof Uint8Array) || body.byteLength <= BODY_SLICE_BYTES) return next(args);
      // A copy of the request, so the next attempt finds the buffer again.
      return next({ ...args, request: { ...request, body: Readable.from(slicesOf(body), { objectMode: false }) } });
    },
    // The deserialize step runs once per attempt, after signing; the handler writes what it is given.
    { step: 'deserialize', priority: 'low', name: 'vaultBackupBodySlices' },
  );
}

function* slicesOf(body: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < body.byteLength; at += BODY_SLICE_BYTES) yield body.subarray(at, at + BODY_SLICE_BYTES);
}
