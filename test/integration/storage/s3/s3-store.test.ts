/**
 * The S3 store on its own against moto: server-side copies, whole and in parts, proven by checksums,
 * never replacing an object, never leaving a multipart upload open.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { ObjectExistsError } from '../../../../src/errors.js';
import { S3BackupStore } from '../../../../src/storage/s3/s3-store.js';
import { startMoto, type MotoServer } from '../../../harness/moto.js';
import { startFaultProxy } from '../../../fakes/fault-proxy.js';
import { uploadProblem } from '../../../../src/storage/checksum-proof.js';
import { collect } from '../../../unit/crypto-helpers.js';

const MiB = 1024 * 1024;
let moto: MotoServer;
let store: S3BackupStore;

beforeAll(async () => {
  moto = await startMoto();
  await moto.s3().send(new CreateBucketCommand({ Bucket: 'store' }));
  // Copies above 1 MiB go in parts here (5 GiB in production), with 5 MiB parts like the upload.
  store = new S3BackupStore({ client: moto.s3(), bucket: 'store', prefix: 'p/', partSize: 5 * MiB, queueSize: 2, maxSingleCopy: MiB });
}, 60000);

afterAll(async () => moto?.stop());

async function download(key: string): Promise<Buffer> {
  const out = await moto.s3().send(new GetObjectCommand({ Bucket: 'store', Key: `p/${key}` }));
  return collect(out.Body as Readable);
}

describe('S3 server-side copies', () => {
  it("copies a large object in parts whose composite checksum equals the upload's", async () => {
    const data = randomBytes(11 * MiB);
    const put = await store.putNew('big.enc', Readable.from([data]));
    expect(put.sentChecksum).toMatchObject({ algorithm: 'SHA256-COMPOSITE', parts: 3 });
    const copy = await store.copyNew('big.enc', 'big-copy.enc');
    expect(copy).toEqual({ size: data.length, checksum: { algorithm: 'SHA256-COMPOSITE', value: put.sentChecksum.value, parts: 3 } });
    expect((await download('big-copy.enc')).equals(data)).toBe(true);
    await expect(store.copyNew('big.enc', 'big-copy.enc')).rejects.toBeInstanceOf(ObjectExistsError);
    const open = await moto.s3().send(new ListMultipartUploadsCommand({ Bucket: 'store' }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('copies a small object whole, with its full SHA-256', async () => {
    const data = randomBytes(100_000);
    const put = await store.putNew('small.enc', Readable.from([data]));
    const copy = await store.copyNew('small.enc', 'small-copy.enc');
    expect(copy.checksum).toEqual({ algorithm: 'SHA256', value: createHash('sha256').update(data).digest('base64') });
    expect(put.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    await expect(store.putNew('small.enc', Readable.from([data]))).rejects.toBeInstanceOf(ObjectExistsError);
  });
});

describe('S3 part sizes', () => {
  it("grows the parts from the previous backup's size, so a grown backup stays within 10,000 parts", async () => {
    const data = randomBytes(25 * MiB);
    // As if the previous backup were 25,000 MiB: 5 MiB parts would allow 48.8 GiB, less than twice that.
    const put = await store.putNew('grown.enc', Readable.from([data]), { expectedBytes: 25_000 * MiB });
    expect(store.uploadPartSize(25_000 * MiB)).toBe(5 * MiB);
    const bigger = await store.putNew('grown-more.enc', Readable.from([data]), { expectedBytes: 40_000 * MiB });
    expect(store.uploadPartSize(40_000 * MiB)).toBe(8 * MiB);
    expect(put.sentChecksum.parts).toBe(5);
    expect(bigger.sentChecksum.parts).toBe(4);
    expect((await store.stat('grown-more.enc'))?.checksum?.value).toBe(bigger.sentChecksum.value);
    // A copy in parts uses the original's part size, not the configured one: the composite proves it.
    const copy = await store.copyNew('grown-more.enc', 'grown-more-copy.enc');
    expect(copy.checksum).toEqual({ algorithm: 'SHA256-COMPOSITE', value: bigger.sentChecksum.value, parts: 4 });
  });
});

describe('S3 part checksums', () => {
  it('hashes each part once: the payload hash and the S3 checksum of every part are the SHA-256 of the bytes on the wire', async () => {
    const proxy = await startFaultProxy(moto.endpoint);
    try {
      const client = moto.s3(proxy.url);
      const viaProxy = new S3BackupStore({ client, bucket: 'store', prefix: 'p/', partSize: 5 * MiB, queueSize: 2 });
      const data = randomBytes(11 * MiB);
      const put = await viaProxy.putNew('hashed.enc', Readable.from([data]));
      const parts = proxy.seen.filter((r) => r.method === 'PUT' && /partNumber=/.test(r.path));
      expect(parts).toHaveLength(3);
      const digests = [0, 1, 2].map((i) =>
        createHash('sha256')
          .update(data.subarray(i * 5 * MiB, (i + 1) * 5 * MiB))
          .digest(),
      );
      for (const [i, part] of parts.sort((a, b) => a.path.localeCompare(b.path)).entries()) {
        // Signed with the real payload hash (not UNSIGNED-PAYLOAD), and both headers carry the same digest.
        expect(part.bodySha256).toBe(digests[i]!.toString('hex'));
        expect(part.contentSha256).toBe(digests[i]!.toString('hex'));
        expect(part.checksumSha256).toBe(digests[i]!.toString('base64'));
      }
      const composite = createHash('sha256').update(Buffer.concat(digests)).digest('base64');
      expect(put.sentChecksum).toEqual({ algorithm: 'SHA256-COMPOSITE', value: composite, parts: 3 });
      // moto labels a composite digest without its "-N"; the proof goes by the digest.
      expect(uploadProblem({ size: data.length, checksum: put.sentChecksum }, await viaProxy.stat('hashed.enc'))).toBeUndefined();
      expect(put.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await proxy.close();
    }
  });
});
