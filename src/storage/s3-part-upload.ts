/**
 * A stream uploaded to S3 in parts filled from a fixed set of part buffers. The SDK's uploader
 * (lib-storage) joins each part into a new buffer: a GiB left 128 parts of 8 MiB to the garbage collector,
 * and with them most of the S3 path's collections and memory. Here each part is copied into a buffer that
 * is reused once S3 has taken it, and hashed as it is filled: its SHA-256 is the part's checksum, which S3
 * recomputes and refuses on a mismatch. A stream no longer than one part goes as a single PutObject.
 * Both refuse to replace an object (If-None-Match: *).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { freeBuffer } from '../util/owned-chunks.js';

export interface PartUploadTarget {
  client: S3Client;
  bucket: string;
  key: string;
  contentType: string;
}

export interface PartUploadSettings {
  partSize: number;
  /** Parts in flight at once; one more buffer is being filled meanwhile. */
  queueSize: number;
  /** The body's chunks are this upload's to free once copied (withOwnedChunks). */
  freeInput: boolean;
}

export interface PartUploadResult {
  size: number;
  /** SHA-256 of the whole object. */
  sha256: Buffer;
  /** SHA-256 of each part, in order; empty when the object went as a single PutObject. */
  partDigests: Buffer[];
}

export class PartUpload {
  private readonly stop = new AbortController();
  private readonly spare: Buffer[] = [];
  private completed = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly etags: string[] = [];
  private readonly partDigests: Buffer[] = [];
  private failure: unknown;

  constructor(
    private readonly target: PartUploadTarget,
    private readonly settings: PartUploadSettings,
  ) {}

  /** Uploads all of `body`; on failure nothing is completed (abort() then removes the parts sent). */
  async run(body: Readable): Promise<PartUploadResult> {
    const { partSize, freeInput } = this.settings;
    const whole = createHash('sha256');
    let part: Buffer = Buffer.allocUnsafeSlow(partSize);
    let partHash = createHash('sha256');
    let filled = 0;
    let size = 0;
    for await (const data of body as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < data.length) {
        // A full part goes once a byte beyond it exists: only the end shows whether it is the only one.
        if (filled === partSize) {
          await this.send(part, filled, partHash);
          part = this.spare.pop() ?? Buffer.allocUnsafeSlow(partSize);
          partHash = createHash('sha256');
          filled = 0;
        }
        const copied = data.copy(part, filled, offset);
        const piece = data.subarray(offset, offset + copied);
        partHash.update(piece);
        whole.update(piece);
        filled += copied;
        offset += copied;
      }
      size += data.length;
      if (freeInput) freeBuffer(data);
      this.throwIfFailed();
    }
    const sha256 = whole.digest();
    if (this.partDigests.length === 0) {
      await this.putSingle(part.subarray(0, filled), sha256);
      return { size, sha256, partDigests: [] };
    }
    await this.send(part, filled, partHash);
    await this.settled();
    this.throwIfFailed();
    await this.complete();
    return { size, sha256, partDigests: this.partDigests };
  }

  /** Stops the requests in flight and aborts the multipart upload, so no part stays stored (and billed). */
  async abort(): Promise<void> {
    this.stop.abort(new Error('the upload was stopped'));
    await this.settled();
    const UploadId = await this.multipartPromise?.catch(() => undefined);
    if (!UploadId || this.completed) return;
    this.completed = true;
    const { client, bucket, key } = this.target;
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
    this.stop.signal.throwIfAborted();
  }

  private async putSingle(body: Buffer, sha256: Buffer): Promise<void> {
    const { client, bucket, key, contentType } = this.target;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType,
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: sha256.toString('base64'),
        IfNoneMatch: '*',
      }),
      { abortSignal: this.stop.signal },
    );
  }

  /**
   * Starts the upload of one filled part, once fewer than queueSize are in flight; its buffer becomes
   * spare again once S3 has taken it. So at most queueSize + 1 part buffers exist.
   */
  private async send(buffer: Buffer, length: number, hash: Hash): Promise<void> {
    while (this.inFlight.size >= this.settings.queueSize) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const number = this.partDigests.length + 1;
    const digest = hash.digest();
    this.partDigests.push(digest);
    const { client, bucket, key } = this.target;
    const sending: Promise<void> = this.multipartId()
      .then((UploadId) =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: number,
            Body: buffer.subarray(0, length),
            ContentLength: length,
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: digest.toString('base64'),
          }),
          { abortSignal: this.stop.signal },
        ),
      )
      .then(
        (out) => {
          if (!out.ETag) throw new Error(`S3 answered part ${number} without an ETag`);
          this.etags[number - 1] = out.ETag;
          this.spare.push(buffer);
        },
        (error: unknown) => {
          this.failure ??= error;
        },
      )
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  private multipartPromise: Promise<string> | undefined;

  /** The multipart upload's id, created with the first part. */
  private multipartId(): Promise<string> {
    this.multipartPromise ??= (async () => {
      const { client, bucket, key, contentType } = this.target;
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }), {
        abortSignal: this.stop.signal,
      });
      if (!created.UploadId) throw new Error('S3 answered CreateMultipartUpload without an upload id');
      return created.UploadId;
    })();
    return this.multipartPromise;
  }

  private async complete(): Promise<void> {
    const { client, bucket, key } = this.target;
    const UploadId = await this.multipartId();
    const Parts = this.etags.map((ETag, index) => ({ PartNumber: index + 1, ETag, ChecksumSHA256: this.partDigests[index]!.toString('base64') }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts } }), {
      abortSignal: this.stop.signal,
    });
    this.completed = true;
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
