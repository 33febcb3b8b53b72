/**
 * The S3 part uploader on moto: the object stored is the stream, in parts of the set size or as one
 * PutObject; its checksums are the ones S3 reports; it never replaces an object; a failed part leaves
 * no multipart upload open; chunks it owns are freed; at most queueSize parts are in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { startMoto, type MotoServer } from '../../../harness/moto.js';
import { startFaultProxy } from '../../../fakes/fault-proxy.js';
import { waitFor } from '../../../harness/processes.js';
import { PartUpload } from '../../../../src/storage/s3/s3-part-upload.js';
import { sendBodiesInSlices } from '../../../../src/storage/s3/s3-body-slices.js';
import { createS3Client } from '../../../../src/storage/s3/s3-open.js';

const MiB = 1024 * 1024;
const BUCKET = 'parts';
let moto: MotoServer;
let client: S3Client;
let n = 0;

beforeAll(async () => {
  moto = await startMoto();
  client = moto.s3();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60000);
afterAll(async () => moto?.stop());

/** Chunks that own their memory, of a size that does not divide the part size. */
function chunksOf(data: Buffer, size = 300_001): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = data.subarray(at, at + size);
    const own = Buffer.allocUnsafeSlow(piece.length);
    piece.copy(own);
    chunks.push(own);
  }
  return chunks;
}

async function stored(key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

function upload(key: string, settings: Partial<{ partSize: number; queueSize: number; freeInput: boolean }> = {}, via = client): PartUpload {
  return new PartUpload(
    { client: via, bucket: BUCKET, key, contentType: 'application/octet-stream' },
    { partSize: 5 * MiB, queueSize: 2, freeInput: false, ...settings },
  );
}

describe('PartUpload', () => {
  it('stores a stream in parts whose digests make the composite S3 reports', async () => {
    const key = `object-${++n}`;
    const data = randomBytes(17 * MiB + 123);
    const sent = await upload(key).run(Readable.from(chunksOf(data)));
    expect(sent.size).toBe(data.length);
    expect(sent.sha256.equals(createHash('sha256').update(data).digest())).toBe(true);
    expect(sent.partDigests).toHaveLength(4);
    expect((await stored(key)).equals(data)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    const composite = createHash('sha256').update(Buffer.concat(sent.partDigests)).digest('base64');
    // S3 appends the part count ("-4"); moto does not.
    expect(head.ChecksumSHA256?.replace(/-4$/, '')).toBe(composite);
  }, 60000);

  it.each([0, 1000, 5 * MiB])(
    'sends %i bytes as one PutObject with the whole object checksum',
    async (size) => {
      const key = `single-${++n}`;
      const data = randomBytes(size);
      const sent = await upload(key).run(Readable.from(chunksOf(data)));
      expect(sent.partDigests).toEqual([]);
      expect((await stored(key)).equals(data)).toBe(true);
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
      expect(head.ChecksumSHA256).toBe(createHash('sha256').update(data).digest('base64'));
    },
    60000,
  );

  it('frees the chunks it owns once copied, and keeps at most queueSize parts in flight', async () => {
    const key = `owned-${++n}`;
    const data = randomBytes(26 * MiB);
    const chunks = chunksOf(data);
    let inFlight = 0;
    let most = 0;
    const counting = moto.s3();
    counting.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args);
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countParts' },
    );
    await upload(key, { freeInput: true, queueSize: 2 }, counting).run(Readable.from(chunks));
    expect(chunks.every((chunk) => chunk.length === 0)).toBe(true);
    expect((await stored(key)).equals(data)).toBe(true);
    expect(most).toBe(2);
  }, 60000);

  it('refuses to replace an object, in parts and as one PutObject', async () => {
    const key = `exists-${++n}`;
    await upload(key).run(Readable.from(chunksOf(randomBytes(1000))));
    for (const size of [1000, 12 * MiB]) {
      const again = upload(key);
      await expect(again.run(Readable.from(chunksOf(randomBytes(size))))).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
      await again.abort();
    }
    expect(await stored(key)).toHaveLength(1000);
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(open.Uploads ?? []).toEqual([]);
  }, 60000);

  it('sends a part cut off mid-body again, whole, in slices from the same buffer', async () => {
    const key = `cut-${++n}`;
    const data = randomBytes(12 * MiB);
    const proxy = await startFaultProxy(moto.endpoint, [
      { method: 'PUT', path: new RegExp(`${key}\\?partNumber=2&`), fault: { kind: 'reset-request-after', bytes: 2 * MiB } },
    ]);
    try {
      const via = moto.s3(proxy.url);
      sendBodiesInSlices(via);
      const sent = await upload(key, {}, via).run(Readable.from(chunksOf(data)));
      expect((await stored(key)).equals(data)).toBe(true);
      const part2 = proxy.seen.filter((r) => r.method === 'PUT' && r.path.includes('partNumber=2&'));
      expect(part2).toHaveLength(2);
      expect(part2[1]!.bodySha256).toBe(sent.partDigests[1]!.toString('hex'));
    } finally {
      await proxy.close();
    }
  }, 60000);

  it('sends a part again whose answer never comes, once its request has been idle for the idle timeout', async () => {
    const key = `hang-${n++}`;
    const data = randomBytes(12 * MiB + 5);
    const proxy = await startFaultProxy(moto.endpoint, [{ method: 'PUT', path: new RegExp(`${key}\\?partNumber=2&`), fault: { kind: 'hang', times: 1 } }]);
    const saved = { ...process.env };
    Object.assign(process.env, moto.env());
    try {
      // The client as the tool builds it, with a 1 s idle timeout instead of minutes.
      const s3 = {
        region: 'us-east-1',
        endpoint: proxy.url,
        forcePathStyle: true,
        checksumWhenRequired: false,
        partSize: 5 * MiB,
        queueSize: 2,
        idleTimeoutMs: 1000,
      };
      const via = createS3Client(s3);
      await upload(key, {}, via).run(Readable.from(chunksOf(data)));
      expect((await stored(key)).equals(data)).toBe(true);
      expect(proxy.seen.filter((r) => r.method === 'PUT' && r.path.includes('partNumber=2&'))).toHaveLength(2);
    } finally {
      process.env = saved;
      await proxy.close();
    }
  }, 60000);

  it('fails when a part fails, and abort leaves no multipart upload open', async () => {
    const key = `failing-${++n}`;
    const failing = moto.s3();
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && (args.input as { PartNumber?: number }).PartNumber === 3) throw new Error('part 3 refused');
        return next(args);
      },
      { step: 'initialize', name: 'failPart3' },
    );
    const attempt = upload(key, {}, failing);
    await expect(attempt.run(Readable.from(chunksOf(randomBytes(30 * MiB))))).rejects.toThrow('part 3 refused');
    await attempt.abort();
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(open.Uploads ?? []).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  }, 60000);

  it('aborts a multipart upload that S3 creates after the stream failed (no upload is left open)', async () => {
    const key = `late-create-${++n}`;
    // CreateMultipartUpload reaches S3 only 800 ms after it was sent, and S3 acts on it whether or not the
    // client still waits: the upload exists only after the failure below.
    const proxy = await startFaultProxy(moto.endpoint, [{ method: 'POST', path: new RegExp(`${key}\\?uploads`), fault: { kind: 'delay', ms: 800 } }]);
    try {
      const attempt = upload(key, {}, moto.s3(proxy.url));
      const body = new PassThrough();
      const running = attempt.run(body);
      // One byte past the first part starts its upload, and with it the multipart upload's creation.
      body.write(randomBytes(5 * MiB + 1));
      await waitFor('the CreateMultipartUpload to reach S3', async () =>
        proxy.seen.some((r) => r.method === 'POST' && r.path.includes('?uploads')) ? true : undefined,
      );
      body.destroy(new Error('the snapshot stream broke'));
      await expect(running).rejects.toThrow('the snapshot stream broke');
      await attempt.abort();
      // Past the delay: whatever S3 was going to create, it has.
      await new Promise((r) => setTimeout(r, 1200));
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
      expect(open.Uploads ?? []).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60000);
});
