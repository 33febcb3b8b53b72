/**
 * S3 as a backup target. Uploads stream in parts (s3-part-upload.ts) with SHA-256 part checksums and
 * `If-None-Match: *`, so a backup never replaces another; the checksum S3 reports afterwards is compared
 * with one computed here from the bytes sent.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { ObjectExistsError, StorageError } from '../../errors.js';
import type { BackupStore, Debris, DeleteOutcome, ObjectChecksum, PutResult, StoredObject, StoredState } from '../backup-store.js';
import { hasOwnedChunks } from '../../util/owned-chunks.js';
import { PartUpload } from './s3-part-upload.js';
import { onInterrupt } from '../../util/interrupts.js';
import { parseBackupKey } from '../../naming/backup-names.js';
import { errorMessage, errorName } from '../../util/error-text.js';
import { planParts } from '../part-size.js';
import { readAtMost } from '../read-small.js';

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Normalised: empty, or ending with "/". */
  prefix: string;
  partSize: number;
  queueSize: number;
  /** Size above which copies go in parts (S3's CopyObject limit is 5 GiB); lowered by tests. */
  maxSingleCopy?: number;
}

/** S3's multipart limits: 10,000 parts of at most 5 GiB (and 5 TiB an object). */
export const S3_PART_LIMITS = { maxParts: 10_000, maxPartSize: 5 * 1024 ** 3 };

/** Object size above which S3 refuses CopyObject: larger copies go in parts. */
const MAX_SINGLE_COPY = 5 * 1024 ** 3;

export class S3BackupStore implements BackupStore {
  readonly location: string;
  constructor(private readonly options: S3StoreOptions) {
    this.location = `s3://${options.bucket}/${options.prefix}`;
    new PayloadDigests().install(options.client);
  }

  private parts(expectedBytes?: number) {
    return planParts({ partSize: this.options.partSize, queueSize: this.options.queueSize }, expectedBytes, S3_PART_LIMITS);
  }

  uploadPartSize(expectedBytes?: number): number {
    return this.parts(expectedBytes).partSize;
  }

  private fullKey(key: string): string {
    return this.options.prefix + key;
  }

  async checkAccess(): Promise<void> {
    try {
      await this.options.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      throw s3Error(`checking bucket ${this.options.bucket}`, error, this.options.bucket);
    }
  }

  async putNew(key: string, body: Readable, hint: { expectedBytes?: number } = {}): Promise<PutResult> {
    const { client, bucket } = this.options;
    const { partSize, queueSize } = this.parts(hint.expectedBytes);
    const upload = new PartUpload(
      { client, bucket, key: this.fullKey(key), contentType: 'application/octet-stream' },
      { partSize, queueSize, freeInput: hasOwnedChunks(body) },
    );
    // A cancelled job must not leave an open (and billed) multipart upload behind.
    const release = onInterrupt(`multipart upload of ${this.location}${key} aborted`, async () => {
      await upload.abort().catch(() => undefined);
      await this.abortLeftoverUploads(key);
    });
    let sent;
    try {
      sent = await upload.run(body);
    } catch (error) {
      // The upload's pipeline has destroyed the body already.
      await upload.abort().catch(() => undefined);
      await this.abortLeftoverUploads(key);
      throw s3Error(`uploading ${this.location}${key}`, error, bucket, key, this.location);
    } finally {
      release();
    }
    // One part went as a plain PutObject, whose checksum is the whole object's; S3 reports parts' as a composite.
    const sentChecksum: ObjectChecksum = sent.partDigests.length
      ? compositeChecksum(sent.partDigests)
      : { algorithm: 'SHA256', value: sent.sha256.toString('base64') };
    return { key, size: sent.size, sentChecksum, sha256: sent.sha256.toString('hex') };
  }

  /** Belt and braces after a failed upload: no multipart upload for this key may stay open (and billed). */
  private async abortLeftoverUploads(key: string): Promise<void> {
    const { client, bucket } = this.options;
    try {
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: this.fullKey(key) }));
      for (const upload of open.Uploads ?? []) {
        if (upload.Key === this.fullKey(key) && upload.UploadId) {
          await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
        }
      }
    } catch {
      // The upload already failed and that error is reported; a failed clean-up is left to the bucket's lifecycle rule.
    }
  }

  async putSmallNew(key: string, data: Buffer): Promise<void> {
    try {
      await this.options.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.fullKey(key),
          Body: data,
          IfNoneMatch: '*',
          ContentType: 'application/json',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    } catch (error) {
      throw s3Error(`writing ${this.location}${key}`, error, this.options.bucket, key, this.location);
    }
  }

  async copyNew(fromKey: string, toKey: string): Promise<StoredState> {
    const source = await this.stat(fromKey);
    if (!source) throw new StorageError(`cannot copy ${this.location}${fromKey}: it does not exist`);
    // If-None-Match below makes this atomic where the store honours it on copies; some S3-compatible
    // stores (moto among them) ignore it there, and would replace the object without this check.
    if (await this.stat(toKey)) throw new ObjectExistsError(toKey, this.location);
    const copySource = `${this.options.bucket}/${this.fullKey(fromKey)}`.split('/').map(encodeURIComponent).join('/');
    try {
      if (source.size > (this.options.maxSingleCopy ?? MAX_SINGLE_COPY)) return await this.multipartCopy(copySource, source.size, toKey, fromKey);
      const out = await this.options.client.send(
        new CopyObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(toKey), CopySource: copySource, ChecksumAlgorithm: 'SHA256', IfNoneMatch: '*' }),
      );
      const value = out.CopyObjectResult?.ChecksumSHA256;
      return { size: source.size, checksum: value ? { algorithm: 'SHA256', value } : undefined };
    } catch (error) {
      throw s3Error(`copying ${fromKey} to ${toKey}`, error, this.options.bucket, toKey, this.location);
    }
  }

  /**
   * Server-side copy of a large object in parts. The parts have the upload's part size, so the copy's
   * composite SHA-256 equals the original's and proves the copy; an unfinished copy is aborted.
   */
  private async multipartCopy(copySource: string, size: number, toKey: string, fromKey: string): Promise<StoredState> {
    const { client, bucket } = this.options;
    // The original's own part size (it may have grown with the backups): the copy's composite then equals the upload's.
    const partSize = (await this.firstPartSize(fromKey)) ?? this.options.partSize;
    const Key = this.fullKey(toKey);
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: 'SHA256' }));
    const UploadId = created.UploadId!;
    try {
      const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256?: string }> = [];
      const digests: Buffer[] = [];
      for (let at = 0, PartNumber = 1; at < size; at += partSize, PartNumber++) {
        const out = await client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key,
            UploadId,
            PartNumber,
            CopySource: copySource,
            CopySourceRange: `bytes=${at}-${Math.min(at + partSize, size) - 1}`,
          }),
        );
        const checksum = out.CopyPartResult?.ChecksumSHA256;
        parts.push({ PartNumber, ETag: out.CopyPartResult!.ETag!, ...(checksum ? { ChecksumSHA256: checksum } : {}) });
        if (checksum) digests.push(Buffer.from(checksum, 'base64'));
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: parts } }));
      if (digests.length === parts.length) {
        return { size, checksum: compositeChecksum(digests) };
      }
      // Some stores return no per-part checksums for copied parts: ask for the object's own.
      const stored = await this.stat(toKey);
      return { size: stored?.size ?? 0, checksum: stored?.checksum ? { ...stored.checksum, algorithm: 'SHA256-COMPOSITE', parts: parts.length } : undefined };
    } catch (error) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  /** Bytes in part 1 of a multipart object (HeadObject with PartNumber), or undefined for a single-part one. */
  private async firstPartSize(key: string): Promise<number | undefined> {
    const head = await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), PartNumber: 1 }));
    return head.PartsCount && head.PartsCount > 1 ? head.ContentLength : undefined;
  }

  async stat(key: string): Promise<StoredState | undefined> {
    try {
      const head = await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), ChecksumMode: 'ENABLED' }));
      // S3 prints a multipart checksum as "digest-N"; some stores drop the suffix and say COMPOSITE in ChecksumType.
      const raw = head.ChecksumSHA256;
      const suffix = raw ? /-(\d+)$/.exec(raw) : null;
      const composite = Boolean(suffix) || head.ChecksumType === 'COMPOSITE';
      const checksum: ObjectChecksum | undefined = raw
        ? {
            algorithm: composite ? 'SHA256-COMPOSITE' : 'SHA256',
            value: suffix ? raw.slice(0, suffix.index) : raw,
            ...(suffix ? { parts: Number(suffix[1]) } : {}),
          }
        : undefined;
      return { size: head.ContentLength ?? 0, checksum };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw s3Error(`reading the checksum of ${this.location}${key}`, error, this.options.bucket, key);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key) }));
      return out.Body as Readable;
    } catch (error) {
      throw s3Error(`downloading ${this.location}${key}`, error, this.options.bucket, key);
    }
  }

  async getSmall(key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    return readAtMost(await this.get(key), maxBytes, `${this.location}${key}`);
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), Range: `bytes=${start}-${start + length - 1}` }),
      );
      return await readAtMost(out.Body as Readable, length, `${this.location}${key}`);
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416) return Buffer.alloc(0);
      throw error instanceof StorageError ? error : s3Error(`reading ${this.location}${key}`, error, this.options.bucket, key);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    try {
      for await (const page of paginateListObjectsV2({ client: this.options.client }, { Bucket: this.options.bucket, Prefix: this.fullKey(prefix) })) {
        for (const object of page.Contents ?? []) {
          if (object.Key) yield { key: object.Key.slice(this.options.prefix.length), size: object.Size ?? 0, storedAt: object.LastModified ?? new Date(0) };
        }
      }
    } catch (error) {
      throw s3Error(`listing ${this.location}${prefix}`, error, this.options.bucket);
    }
  }

  async listDebris(before: Date): Promise<Debris[]> {
    const { client, bucket, prefix } = this.options;
    const debris: Debris[] = [];
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    try {
      for (;;) {
        const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId) continue;
          const key = upload.Key.slice(prefix.length);
          // Only uploads this tool names; their age is the later of the name's time and Initiated (some
          // S3-compatible servers report a fixed Initiated date), so nothing in progress looks old.
          const named = parseBackupKey(key);
          if (!named) continue;
          const since = new Date(Math.max(named.at.getTime(), upload.Initiated?.getTime() ?? 0));
          if (since < before) debris.push({ key, kind: 'multipart-upload', since: since.toISOString(), id: upload.UploadId });
        }
        if (!page.IsTruncated) return debris;
        KeyMarker = page.NextKeyMarker;
        UploadIdMarker = page.NextUploadIdMarker;
      }
    } catch (error) {
      throw s3Error(`listing incomplete multipart uploads under ${this.location}`, error, bucket);
    }
  }

  async removeDebris(items: Debris[]): Promise<void> {
    const { client, bucket } = this.options;
    for (const item of items) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: this.fullKey(item.key), UploadId: item.id }));
      } catch (error) {
        throw s3Error(`aborting the incomplete upload of ${this.location}${item.key}`, error, bucket, item.key, this.location);
      }
    }
  }

  async delete(keys: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = [];
    for (let at = 0; at < keys.length; at += 1000) {
      const batch = keys.slice(at, at + 1000);
      let out;
      try {
        out = await this.options.client.send(
          new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.fullKey(k) })), Quiet: false } }),
        );
      } catch (error) {
        throw s3Error(`deleting ${batch.length} objects from ${this.location}`, error, this.options.bucket);
      }
      const failed = new Map((out.Errors ?? []).map((e) => [e.Key?.slice(this.options.prefix.length) ?? '', e]));
      for (const key of batch) {
        const error = failed.get(key);
        if (!error) outcomes.push({ key, deleted: true });
        else if (isRetention(error.Code, error.Message))
          outcomes.push({ key, deleted: false, retainedBecause: `${error.Code}: ${error.Message ?? 'retained by Object Lock'}` });
        else
          throw new StorageError(`S3 refused to delete ${this.location}${key}: ${error.Code} ${error.Message ?? ''}`, {
            hint: 'the role needs s3:DeleteObject on the backup prefix',
          });
      }
    }
    return outcomes;
  }
}

function isRetention(code: string | undefined, message: string | undefined): boolean {
  return (code === 'AccessDenied' && /object lock|retention|legal hold|worm/i.test(message ?? '')) || code === 'ObjectLocked';
}

/** Maps SDK errors to StorageErrors that say what to change. */
export function s3Error(what: string, error: unknown, bucket: string, key?: string, location = `s3://${bucket}/`): StorageError {
  if (error instanceof StorageError) return error;
  const status = (error as S3ServiceException).$metadata?.httpStatusCode;
  const name = errorName(error);
  if (key !== undefined && (status === 412 || name === 'PreconditionFailed')) return new ObjectExistsError(key, location);
  if (name === 'NoSuchBucket' || (status === 404 && key === undefined)) {
    return new StorageError(`${what} failed: bucket ${bucket} does not exist`, {
      hint: 'create the bucket or fix the bucket name in the target',
      cause: error,
    });
  }
  if (status === 403 || name === 'AccessDenied') {
    return new StorageError(`${what} failed: access denied by S3`, { hint: `grant the role the needed s3: permissions on ${bucket}`, cause: error });
  }
  if (name === 'TimeoutError') {
    return new StorageError(`${what} failed: S3 stopped answering: the last attempt moved no byte either way for s3-idle-timeout-seconds`, {
      hint: 'check that the S3 endpoint is up and answering; raise s3-idle-timeout-seconds only for a gateway known to pause longer',
      cause: error,
    });
  }
  const detail = errorMessage(error) || name || 'unknown error';
  return new StorageError(`${what} failed: ${detail}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
}

/**
 * One SHA-256 per request body serves all that want one: S3's x-amz-checksum-sha256 (so the SDK does not
 * hash the body again) and SigV4's payload hash (the signer hashes the body itself on http:// endpoints
 * otherwise). A part comes with the digest made while it was filled (s3-part-upload.ts); a small object
 * without one (a manifest) is hashed here, where the SDK builds the request. S3 recomputes the checksum
 * and refuses the request on a mismatch.
 */
class PayloadDigests {
  install(client: S3Client): void {
    const name = 'vaultBackupPayloadDigest';
    client.middlewareStack.remove(name);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ChecksumAlgorithm?: string; ChecksumSHA256?: string };
        const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
        const command = context.commandName;
        if (
          (command === 'UploadPartCommand' || command === 'PutObjectCommand') &&
          input.ChecksumAlgorithm === 'SHA256' &&
          request?.headers &&
          request.body instanceof Uint8Array
        ) {
          const digest = input.ChecksumSHA256 ? Buffer.from(input.ChecksumSHA256, 'base64') : createHash('sha256').update(request.body).digest();
          request.headers['x-amz-checksum-sha256'] = digest.toString('base64');
          request.headers['x-amz-content-sha256'] = digest.toString('hex');
        }
        return next(args);
      },
      // Before the SDK's own checksum step, which leaves a request that already carries one alone.
      { step: 'build', priority: 'high', name },
    );
  }
}

/** The checksum S3 reports for an object in parts: SHA-256 over the part SHA-256s, in part order. */
function compositeChecksum(partDigests: Buffer[]): ObjectChecksum {
  return { algorithm: 'SHA256-COMPOSITE', value: createHash('sha256').update(Buffer.concat(partDigests)).digest('base64'), parts: partDigests.length };
}
