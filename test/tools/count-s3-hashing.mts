// Counts the bytes an S3 upload hashes with SHA-256 per byte of the object, on the real SDK against the
// S3 endpoint given (moto). Run in its own process: createHash is counted before the SDK and the store load.
//   node --import tsx test/tools/count-s3-hashing.mts ENDPOINT  →  {"perByte": 2, "parts": 4}
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { Readable } from 'node:stream';

let hashed = 0;
const createHash = crypto.createHash;
crypto.createHash = ((algorithm: string, options?: crypto.HashOptions) => {
  const hash = createHash(algorithm, options);
  if (algorithm !== 'sha256') return hash;
  const update = hash.update.bind(hash) as (data: crypto.BinaryLike) => crypto.Hash;
  hash.update = ((data: crypto.BinaryLike) => {
    hashed += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    return update(data);
  }) as typeof hash.update;
  return hash;
}) as typeof crypto.createHash;
syncBuiltinESMExports();

const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
const { S3BackupStore } = await import('../../src/storage/s3/s3-store.js');
const client = new S3Client({
  endpoint: process.argv[2],
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
await client.send(new CreateBucketCommand({ Bucket: 'hash-passes' }));
const store = new S3BackupStore({ client, bucket: 'hash-passes', prefix: '', partSize: 5 * 1024 * 1024, queueSize: 2 });
const data = crypto.randomBytes(20 * 1024 * 1024);
hashed = 0;
const put = await store.putNew('x.enc', Readable.from([data]));
process.stdout.write(JSON.stringify({ perByte: hashed / data.length, parts: put.sentChecksum.parts }));
