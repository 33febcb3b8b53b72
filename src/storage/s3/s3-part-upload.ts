/**
 * A stream uploaded to S3 in parts filled from a fixed set of part buffers. The SDK's uploader
 * (lib-storage) joins each part into a new buffer: a GiB left 128 parts of 8 MiB to the garbage collector,
 * and with them most of the S3 path's collections and memory. Here each part is copied into a buffer that
 * is reused once S3 has taken it, and hashed as it is filled: its SHA-256 is the part's checksum, which S3
 * recomputes and refuses on a mismatch. A stream no longer than one part goes as a single PutObject.
 * Both refuse to replace an object (If-None-Match: *).
 */
import { createHash, type Hash } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { freeBuffer } from '../../util/owned-chunks.js';
import { PASS_THROUGH_HIGH_WATER_MARK } from '../../util/stream-buffering.js';

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
  /** The multipart upload was completed or aborted: there is nothing left to abort. */
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly etags: string[] = [];
  private readonly partDigests: Buffer[] = [];
  private failure: unknown;
  /** The part being filled, its digest so far, and the whole object's. */
  private part: Buffer | undefined;
  private partHash = createHash('sha256');
  private filled = 0;
  private readonly whole = createHash('sha256');
  private size = 0;
  private multipartPromise: Promise<string> | undefined;

  constructor(
    private readonly target: PartUploadTarget,
    private readonly settings: PartUploadSettings,
  ) {}

  /** Uploads all of `body`; on failure nothing is completed (abort() then removes the parts sent). */
  async run(body: Readable): Promise<PartUploadResult> {
    // A Writable takes the chunks as they were written; iterating the stream would join what it has
    // buffered into a new buffer per read (a copy of every byte, and garbage).
    let result: PartUploadResult | undefined;
    const parts = new Writable({
      highWaterMark: PASS_THROUGH_HIGH_WATER_MARK,
      write: (data: Buffer, _enc, done) => this.take(data).then(() => done(), done),
      final: (done) =>
        this.finish().then((finished) => {
          result = finished;
          done();
        }, done),
    });
    await pipeline(body, parts);
    return result!;
  }

  /** Copies `data` into the part being filled, sending each full part once a byte beyond it exists. */
  private async take(data: Buffer): Promise<void> {
    const { partSize, freeInput } = this.settings;
    this.part ??= Buffer.allocUnsafeSlow(partSize);
    let offset = 0;
    while (offset < data.length) {
      // Only the end shows whether a full part is the only one (then it goes as one PutObject).
      if (this.filled === partSize) {
        await this.send(this.part, this.filled, this.partHash);
        this.part = this.spare.pop() ?? Buffer.allocUnsafeSlow(partSize);
        this.partHash = createHash('sha256');
        this.filled = 0;
      }
      const copied = data.copy(this.part, this.filled, offset);
      const piece = data.subarray(offset, offset + copied);
      this.partHash.update(piece);
      this.whole.update(piece);
      this.filled += copied;
      offset += copied;
    }
    this.size += data.length;
    if (freeInput) freeBuffer(data);
    this.throwIfFailed();
  }

  private async finish(): Promise<PartUploadResult> {
    const sha256 = this.whole.digest();
    const last = (this.part ?? Buffer.alloc(0)).subarray(0, this.filled);
    if (this.partDigests.length === 0) {
      await this.putSingle(last, sha256);
      return { size: this.size, sha256, partDigests: [] };
    }
    await this.send(this.part!, this.filled, this.partHash);
    await this.settled();
    this.throwIfFailed();
    await this.complete();
    return { size: this.size, sha256, partDigests: this.partDigests };
  }

  /** Stops the requests in flight and aborts the multipart upload, so no part stays stored (and billed). */
  async abort(): Promise<void> {
    this.stop.abort(new Error('the upload was stopped'));
    await this.settled();
    const UploadId = await this.multipartPromise?.catch(() => undefined);
    if (!UploadId || this.closed) return;
    this.closed = true;
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
      .then((out) => {
        if (!out.ETag) throw new Error(`S3 answered part ${number} without an ETag`);
        this.etags[number - 1] = out.ETag;
        this.spare.push(buffer);
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /**
   * The multipart upload's id, created with the first part. Its request is not stopped with the others: once
   * sent, S3 may create the upload whether or not anyone waits for the answer, and only its id lets abort()
   * remove it (a listing straight after can run before S3 has created it). abort() waits for the answer
   * instead, which the client's own timeouts bound.
   */
  private multipartId(): Promise<string> {
    this.multipartPromise ??= (async () => {
      const { client, bucket, key, contentType } = this.target;
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }));
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
    this.closed = true;
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
