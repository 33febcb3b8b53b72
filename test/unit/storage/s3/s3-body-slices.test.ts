/**
 * The S3 client hands its HTTP handler a body held in memory as a stream of slices, a fresh one per
 * attempt, while the SDK itself keeps the buffer (so it signs it and retries the request). The handler
 * here records what it was given instead of sending it.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BODY_SLICE_BYTES, sendBodiesInSlices } from '../../../../src/storage/s3/s3-body-slices.js';

interface Attempt {
  streamed: boolean;
  slices: number[];
  body: Buffer;
  contentSha256: string | undefined;
}

/** A client whose handler reads each request's body, failing the first `failures` attempts as a dropped connection would. */
function recordingClient(failures: number): { client: S3Client; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const handler = {
    async handle(request: { body?: unknown; headers: Record<string, string> }) {
      const attempt: Attempt = {
        streamed: request.body instanceof Readable,
        slices: [],
        body: Buffer.alloc(0),
        contentSha256: request.headers['x-amz-content-sha256'],
      };
      const pieces: Buffer[] = [];
      if (request.body instanceof Readable) {
        for await (const piece of request.body) {
          attempt.slices.push((piece as Buffer).length);
          pieces.push(piece as Buffer);
        }
      } else if (request.body instanceof Uint8Array) pieces.push(Buffer.from(request.body));
      attempt.body = Buffer.concat(pieces);
      attempts.push(attempt);
      if (attempts.length <= failures) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return { response: { statusCode: 200, reason: 'OK', headers: { etag: '"stored"' }, body: Readable.from([]) } };
    },
  };
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 3,
    requestHandler: handler as never,
  });
  sendBodiesInSlices(client);
  return { client, attempts };
}

const put = (body: Buffer) => new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body, ContentLength: body.length });

describe('request bodies in slices', () => {
  it.each([BODY_SLICE_BYTES + 1, 3 * BODY_SLICE_BYTES, 8 * 1024 * 1024 + 17])('sends %i bytes as slices of at most the slice size, in order', async (size) => {
    const { client, attempts } = recordingClient(0);
    const data = randomBytes(size);
    await client.send(put(data));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.streamed).toBe(true);
    expect(attempts[0]!.slices.length).toBe(Math.ceil(size / BODY_SLICE_BYTES));
    expect(Math.max(...attempts[0]!.slices)).toBeLessThanOrEqual(BODY_SLICE_BYTES);
    expect(attempts[0]!.body.equals(data)).toBe(true);
  });

  it('gives every attempt the whole body again, so the SDK still retries a dropped request', async () => {
    const { client, attempts } = recordingClient(2);
    const data = randomBytes(2 * 1024 * 1024 + 5);
    await client.send(put(data));
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) {
      expect(attempt.streamed).toBe(true);
      expect(attempt.body.equals(data)).toBe(true);
    }
  });

  it('signs the bytes themselves, as before: the payload hash is the body digest, not UNSIGNED-PAYLOAD', async () => {
    const { client, attempts } = recordingClient(0);
    const data = randomBytes(1024 * 1024);
    await client.send(put(data));
    expect(attempts[0]!.contentSha256).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('leaves a small body as it is', async () => {
    const { client, attempts } = recordingClient(0);
    const data = randomBytes(BODY_SLICE_BYTES);
    await client.send(put(data));
    expect(attempts[0]!.streamed).toBe(false);
    expect(attempts[0]!.body.equals(data)).toBe(true);
  });
});
