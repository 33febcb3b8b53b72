/**
 * A backup target as someone with its write right sees it (a plain PutObject, a file written in place: both
 * replace what is there), for tests of what such a writer can do: the CLI's arguments for it, writes, and reads.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { MotoServer } from './moto.js';

export interface WritableTarget {
  /** --target (and the S3 endpoint) for the CLI. */
  args: string[];
  put(key: string, body: Buffer): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every key, sorted. */
  keys(): Promise<string[]>;
  /** Multipart uploads left open (none for a directory). */
  openUploads(): Promise<number>;
}

export function s3Target(moto: MotoServer, bucket: string, prefix: string): WritableTarget {
  const s3 = moto.s3();
  return {
    args: ['--target', `s3://${bucket}/${prefix}`, '--s3-endpoint', moto.endpoint, '--s3-region', 'us-east-1'],
    // No If-None-Match: it replaces whatever is there, as an uploader may.
    put: async (key, body) => void (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: body }))),
    exists: (key) =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}` })).then(
        () => true,
        () => false,
      ),
    keys: async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }))).Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort(),
    openUploads: async () => ((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }))).Uploads ?? []).length,
  };
}

export function directoryTarget(root: string): WritableTarget {
  const walk = (d: string): string[] =>
    existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])) : [];
  return {
    args: ['--target', root],
    put: async (key, body) => {
      mkdirSync(dirname(join(root, key)), { recursive: true });
      writeFileSync(join(root, key), body);
    },
    exists: async (key) => existsSync(join(root, key)),
    keys: async () =>
      walk(root)
        .map((p) => p.slice(root.length + 1))
        .sort(),
    openUploads: async () => 0,
  };
}
