export const id = 946;
export const ids = [946];
export const modules = {

/***/ 7080:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   mM: () => (/* binding */ planParts)
/* harmony export */ });
/* unused harmony exports PART_HEADROOM, largestUpload */
/**
 * Part sizes for stores that upload in parts, pure. A snapshot stream has no length, so the part size
 * comes from the previous backup's size (the manifest records it), with room to double: a store's
 * part-count limit (S3 10,000 parts, Azure 50,000 blocks) must not end a backup that grew. The memory
 * the parts in flight take stays near the configured part size × queue.
 */
const MiB = 1024 * 1024;
/** The growth a backup may show over the previous one before the part count could run out. */
const PART_HEADROOM = 2;
function planParts(configured, expectedBytes, limits) {
    if (!expectedBytes)
        return configured;
    const needed = Math.ceil((expectedBytes * PART_HEADROOM) / limits.maxParts);
    const partSize = Math.min(limits.maxPartSize, Math.max(configured.partSize, Math.ceil(needed / MiB) * MiB));
    if (partSize === configured.partSize)
        return configured;
    // Larger parts, fewer in flight: the buffer budget stays that of the configured settings (at least two in flight).
    const queueSize = Math.max(2, Math.min(configured.queueSize, Math.floor((configured.partSize * configured.queueSize) / partSize)));
    return { partSize, queueSize };
}
/** The largest object a store accepts in parts of at most `maxPartSize`, `maxParts` of them. */
const largestUpload = (limits) => limits.maxParts * limits.maxPartSize;


/***/ }),

/***/ 6008:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   r: () => (/* binding */ readAtMost)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);

async function readAtMost(body, maxBytes, where) {
    const parts = [];
    let size = 0;
    for await (const part of body) {
        const buffer = Buffer.isBuffer(part) ? part : Buffer.from(part);
        size += buffer.length;
        if (size > maxBytes) {
            body.destroy();
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .StorageError */ .aq(`${where} is larger than the ${maxBytes} bytes expected`);
        }
        parts.push(buffer);
    }
    return Buffer.concat(parts);
}


/***/ }),

/***/ 7946:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  S3BackupStore: () => (/* binding */ S3BackupStore),
  S3_PART_LIMITS: () => (/* binding */ S3_PART_LIMITS),
  s3Error: () => (/* binding */ s3Error)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var dist_cjs = __webpack_require__(3711);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/util/owned-chunks.ts
var owned_chunks = __webpack_require__(2376);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/util/stream-buffering.ts
var stream_buffering = __webpack_require__(9621);
;// CONCATENATED MODULE: ./src/storage/s3/s3-part-upload.ts
/**
 * A stream uploaded to S3 in parts filled from a fixed set of part buffers. The SDK's uploader
 * (lib-storage) joins each part into a new buffer: a GiB left 128 parts of 8 MiB to the garbage collector,
 * and with them most of the S3 path's collections and memory. Here each part is copied into a buffer that
 * is reused once S3 has taken it, and hashed as it is filled: its SHA-256 is the part's checksum, which S3
 * recomputes and refuses on a mismatch. A stream no longer than one part goes as a single PutObject.
 * Both refuse to replace an object (If-None-Match: *).
 */






class PartUpload {
    target;
    settings;
    stop = new AbortController();
    spare = [];
    /** The multipart upload was completed or aborted: there is nothing left to abort. */
    closed = false;
    inFlight = new Set();
    etags = [];
    partDigests = [];
    failure;
    /** The part being filled, its digest so far, and the whole object's. */
    part;
    partHash = (0,external_node_crypto_.createHash)('sha256');
    filled = 0;
    whole = (0,external_node_crypto_.createHash)('sha256');
    size = 0;
    multipartPromise;
    constructor(target, settings) {
        this.target = target;
        this.settings = settings;
    }
    /** Uploads all of `body`; on failure nothing is completed (abort() then removes the parts sent). */
    async run(body) {
        // A Writable takes the chunks as they were written; iterating the stream would join what it has
        // buffered into a new buffer per read (a copy of every byte, and garbage).
        let result;
        const parts = new external_node_stream_.Writable({
            highWaterMark: stream_buffering/* PASS_THROUGH_HIGH_WATER_MARK */.H,
            write: (data, _enc, done) => this.take(data).then(() => done(), done),
            final: (done) => this.finish().then((finished) => {
                result = finished;
                done();
            }, done),
        });
        await (0,promises_.pipeline)(body, parts);
        return result;
    }
    /** Copies `data` into the part being filled, sending each full part once a byte beyond it exists. */
    async take(data) {
        const { partSize, freeInput } = this.settings;
        this.part ??= Buffer.allocUnsafeSlow(partSize);
        let offset = 0;
        while (offset < data.length) {
            // Only the end shows whether a full part is the only one (then it goes as one PutObject).
            if (this.filled === partSize) {
                await this.send(this.part, this.filled, this.partHash);
                this.part = this.spare.pop() ?? Buffer.allocUnsafeSlow(partSize);
                this.partHash = (0,external_node_crypto_.createHash)('sha256');
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
        if (freeInput)
            (0,owned_chunks/* freeBuffer */.HR)(data);
        this.throwIfFailed();
    }
    async finish() {
        const sha256 = this.whole.digest();
        const last = (this.part ?? Buffer.alloc(0)).subarray(0, this.filled);
        if (this.partDigests.length === 0) {
            await this.putSingle(last, sha256);
            return { size: this.size, sha256, partDigests: [] };
        }
        await this.send(this.part, this.filled, this.partHash);
        await this.settled();
        this.throwIfFailed();
        await this.complete();
        return { size: this.size, sha256, partDigests: this.partDigests };
    }
    /** Stops the requests in flight and aborts the multipart upload, so no part stays stored (and billed). */
    async abort() {
        this.stop.abort(new Error('the upload was stopped'));
        await this.settled();
        const UploadId = await this.multipartPromise?.catch(() => undefined);
        if (!UploadId || this.closed)
            return;
        this.closed = true;
        const { client, bucket, key } = this.target;
        await client.send(new dist_cjs.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    }
    throwIfFailed() {
        if (this.failure)
            throw this.failure;
        this.stop.signal.throwIfAborted();
    }
    async putSingle(body, sha256) {
        const { client, bucket, key, contentType } = this.target;
        await client.send(new dist_cjs.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentLength: body.length,
            ContentType: contentType,
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: sha256.toString('base64'),
            IfNoneMatch: '*',
        }), { abortSignal: this.stop.signal });
    }
    /**
     * Starts the upload of one filled part, once fewer than queueSize are in flight; its buffer becomes
     * spare again once S3 has taken it. So at most queueSize + 1 part buffers exist.
     */
    async send(buffer, length, hash) {
        while (this.inFlight.size >= this.settings.queueSize)
            await Promise.race(this.inFlight);
        this.throwIfFailed();
        const number = this.partDigests.length + 1;
        const digest = hash.digest();
        this.partDigests.push(digest);
        const { client, bucket, key } = this.target;
        const sending = this.multipartId()
            .then((UploadId) => client.send(new dist_cjs.UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: number,
            Body: buffer.subarray(0, length),
            ContentLength: length,
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: digest.toString('base64'),
        }), { abortSignal: this.stop.signal }))
            .then((out) => {
            if (!out.ETag)
                throw new Error(`S3 answered part ${number} without an ETag`);
            this.etags[number - 1] = out.ETag;
            this.spare.push(buffer);
        })
            .catch((error) => {
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
    multipartId() {
        this.multipartPromise ??= (async () => {
            const { client, bucket, key, contentType } = this.target;
            const created = await client.send(new dist_cjs.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }));
            if (!created.UploadId)
                throw new Error('S3 answered CreateMultipartUpload without an upload id');
            return created.UploadId;
        })();
        return this.multipartPromise;
    }
    async complete() {
        const { client, bucket, key } = this.target;
        const UploadId = await this.multipartId();
        const Parts = this.etags.map((ETag, index) => ({ PartNumber: index + 1, ETag, ChecksumSHA256: this.partDigests[index].toString('base64') }));
        await client.send(new dist_cjs.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts } }), {
            abortSignal: this.stop.signal,
        });
        this.closed = true;
    }
    async settled() {
        while (this.inFlight.size)
            await Promise.allSettled([...this.inFlight]);
    }
}

// EXTERNAL MODULE: ./src/util/interrupts.ts
var interrupts = __webpack_require__(2806);
// EXTERNAL MODULE: ./src/naming/backup-names.ts
var backup_names = __webpack_require__(2569);
// EXTERNAL MODULE: ./src/util/error-text.ts
var error_text = __webpack_require__(1992);
// EXTERNAL MODULE: ./src/storage/part-size.ts
var part_size = __webpack_require__(7080);
// EXTERNAL MODULE: ./src/storage/read-small.ts
var read_small = __webpack_require__(6008);
;// CONCATENATED MODULE: ./src/storage/s3/s3-store.ts
/**
 * S3 as a backup target. Uploads stream in parts (s3-part-upload.ts) with SHA-256 part checksums and
 * `If-None-Match: *`, so a backup never replaces another; the checksum S3 reports afterwards is compared
 * with one computed here from the bytes sent.
 */










/** S3's multipart limits: 10,000 parts of at most 5 GiB (and 5 TiB an object). */
const S3_PART_LIMITS = { maxParts: 10_000, maxPartSize: 5 * 1024 ** 3 };
/** Object size above which S3 refuses CopyObject: larger copies go in parts. */
const MAX_SINGLE_COPY = 5 * 1024 ** 3;
class S3BackupStore {
    options;
    location;
    constructor(options) {
        this.options = options;
        this.location = `s3://${options.bucket}/${options.prefix}`;
        new PayloadDigests().install(options.client);
    }
    parts(expectedBytes) {
        return (0,part_size/* planParts */.mM)({ partSize: this.options.partSize, queueSize: this.options.queueSize }, expectedBytes, S3_PART_LIMITS);
    }
    uploadPartSize(expectedBytes) {
        return this.parts(expectedBytes).partSize;
    }
    fullKey(key) {
        return this.options.prefix + key;
    }
    async checkAccess() {
        try {
            await this.options.client.send(new dist_cjs.HeadBucketCommand({ Bucket: this.options.bucket }));
        }
        catch (error) {
            throw s3Error(`checking bucket ${this.options.bucket}`, error, this.options.bucket);
        }
    }
    async putNew(key, body, hint = {}) {
        const { client, bucket } = this.options;
        const { partSize, queueSize } = this.parts(hint.expectedBytes);
        const upload = new PartUpload({ client, bucket, key: this.fullKey(key), contentType: 'application/octet-stream' }, { partSize, queueSize, freeInput: (0,owned_chunks/* hasOwnedChunks */.IW)(body) });
        // A cancelled job must not leave an open (and billed) multipart upload behind.
        const release = (0,interrupts/* onInterrupt */.nA)(`multipart upload of ${this.location}${key} aborted`, async () => {
            await upload.abort().catch(() => undefined);
            await this.abortLeftoverUploads(key);
        });
        let sent;
        try {
            sent = await upload.run(body);
        }
        catch (error) {
            // The upload's pipeline has destroyed the body already.
            await upload.abort().catch(() => undefined);
            await this.abortLeftoverUploads(key);
            throw s3Error(`uploading ${this.location}${key}`, error, bucket, key, this.location);
        }
        finally {
            release();
        }
        // One part went as a plain PutObject, whose checksum is the whole object's; S3 reports parts' as a composite.
        const sentChecksum = sent.partDigests.length
            ? compositeChecksum(sent.partDigests)
            : { algorithm: 'SHA256', value: sent.sha256.toString('base64') };
        return { key, size: sent.size, sentChecksum, sha256: sent.sha256.toString('hex') };
    }
    /** Belt and braces after a failed upload: no multipart upload for this key may stay open (and billed). */
    async abortLeftoverUploads(key) {
        const { client, bucket } = this.options;
        try {
            const open = await client.send(new dist_cjs.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: this.fullKey(key) }));
            for (const upload of open.Uploads ?? []) {
                if (upload.Key === this.fullKey(key) && upload.UploadId) {
                    await client.send(new dist_cjs.AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
                }
            }
        }
        catch {
            // The upload already failed and that error is reported; a failed clean-up is left to the bucket's lifecycle rule.
        }
    }
    async putSmallNew(key, data) {
        try {
            await this.options.client.send(new dist_cjs.PutObjectCommand({
                Bucket: this.options.bucket,
                Key: this.fullKey(key),
                Body: data,
                IfNoneMatch: '*',
                ContentType: 'application/json',
                ChecksumAlgorithm: 'SHA256',
            }));
        }
        catch (error) {
            throw s3Error(`writing ${this.location}${key}`, error, this.options.bucket, key, this.location);
        }
    }
    async copyNew(fromKey, toKey) {
        const source = await this.stat(fromKey);
        if (!source)
            throw new errors/* StorageError */.aq(`cannot copy ${this.location}${fromKey}: it does not exist`);
        // If-None-Match below makes this atomic where the store honours it on copies; some S3-compatible
        // stores (moto among them) ignore it there, and would replace the object without this check.
        if (await this.stat(toKey))
            throw new errors/* ObjectExistsError */.qs(toKey, this.location);
        const copySource = `${this.options.bucket}/${this.fullKey(fromKey)}`.split('/').map(encodeURIComponent).join('/');
        try {
            if (source.size > (this.options.maxSingleCopy ?? MAX_SINGLE_COPY))
                return await this.multipartCopy(copySource, source.size, toKey, fromKey);
            const out = await this.options.client.send(new dist_cjs.CopyObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(toKey), CopySource: copySource, ChecksumAlgorithm: 'SHA256', IfNoneMatch: '*' }));
            const value = out.CopyObjectResult?.ChecksumSHA256;
            return { size: source.size, checksum: value ? { algorithm: 'SHA256', value } : undefined };
        }
        catch (error) {
            throw s3Error(`copying ${fromKey} to ${toKey}`, error, this.options.bucket, toKey, this.location);
        }
    }
    /**
     * Server-side copy of a large object in parts. The parts have the upload's part size, so the copy's
     * composite SHA-256 equals the original's and proves the copy; an unfinished copy is aborted.
     */
    async multipartCopy(copySource, size, toKey, fromKey) {
        const { client, bucket } = this.options;
        // The original's own part size (it may have grown with the backups): the copy's composite then equals the upload's.
        const partSize = (await this.firstPartSize(fromKey)) ?? this.options.partSize;
        const Key = this.fullKey(toKey);
        const created = await client.send(new dist_cjs.CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: 'SHA256' }));
        const UploadId = created.UploadId;
        try {
            const parts = [];
            const digests = [];
            for (let at = 0, PartNumber = 1; at < size; at += partSize, PartNumber++) {
                const out = await client.send(new dist_cjs.UploadPartCopyCommand({
                    Bucket: bucket,
                    Key,
                    UploadId,
                    PartNumber,
                    CopySource: copySource,
                    CopySourceRange: `bytes=${at}-${Math.min(at + partSize, size) - 1}`,
                }));
                const checksum = out.CopyPartResult?.ChecksumSHA256;
                parts.push({ PartNumber, ETag: out.CopyPartResult.ETag, ...(checksum ? { ChecksumSHA256: checksum } : {}) });
                if (checksum)
                    digests.push(Buffer.from(checksum, 'base64'));
            }
            await client.send(new dist_cjs.CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: parts } }));
            if (digests.length === parts.length) {
                return { size, checksum: compositeChecksum(digests) };
            }
            // Some stores return no per-part checksums for copied parts: ask for the object's own.
            const stored = await this.stat(toKey);
            return { size: stored?.size ?? 0, checksum: stored?.checksum ? { ...stored.checksum, algorithm: 'SHA256-COMPOSITE', parts: parts.length } : undefined };
        }
        catch (error) {
            await client.send(new dist_cjs.AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })).catch(() => undefined);
            throw error;
        }
    }
    /** Bytes in part 1 of a multipart object (HeadObject with PartNumber), or undefined for a single-part one. */
    async firstPartSize(key) {
        const head = await this.options.client.send(new dist_cjs.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), PartNumber: 1 }));
        return head.PartsCount && head.PartsCount > 1 ? head.ContentLength : undefined;
    }
    async stat(key) {
        try {
            const head = await this.options.client.send(new dist_cjs.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), ChecksumMode: 'ENABLED' }));
            // S3 prints a multipart checksum as "digest-N"; some stores drop the suffix and say COMPOSITE in ChecksumType.
            const raw = head.ChecksumSHA256;
            const suffix = raw ? /-(\d+)$/.exec(raw) : null;
            const composite = Boolean(suffix) || head.ChecksumType === 'COMPOSITE';
            const checksum = raw
                ? {
                    algorithm: composite ? 'SHA256-COMPOSITE' : 'SHA256',
                    value: suffix ? raw.slice(0, suffix.index) : raw,
                    ...(suffix ? { parts: Number(suffix[1]) } : {}),
                }
                : undefined;
            return { size: head.ContentLength ?? 0, checksum };
        }
        catch (error) {
            if (error instanceof dist_cjs.S3ServiceException && error.$metadata.httpStatusCode === 404)
                return undefined;
            throw s3Error(`reading the checksum of ${this.location}${key}`, error, this.options.bucket, key);
        }
    }
    async get(key) {
        try {
            const out = await this.options.client.send(new dist_cjs.GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key) }));
            return out.Body;
        }
        catch (error) {
            throw s3Error(`downloading ${this.location}${key}`, error, this.options.bucket, key);
        }
    }
    async getSmall(key, maxBytes = 1024 * 1024) {
        return (0,read_small/* readAtMost */.r)(await this.get(key), maxBytes, `${this.location}${key}`);
    }
    async getRange(key, start, length) {
        if (length <= 0)
            return Buffer.alloc(0);
        try {
            const out = await this.options.client.send(new dist_cjs.GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), Range: `bytes=${start}-${start + length - 1}` }));
            return await (0,read_small/* readAtMost */.r)(out.Body, length, `${this.location}${key}`);
        }
        catch (error) {
            if (error instanceof dist_cjs.S3ServiceException && error.$metadata.httpStatusCode === 416)
                return Buffer.alloc(0);
            throw error instanceof errors/* StorageError */.aq ? error : s3Error(`reading ${this.location}${key}`, error, this.options.bucket, key);
        }
    }
    async *list(prefix = '') {
        try {
            for await (const page of (0,dist_cjs.paginateListObjectsV2)({ client: this.options.client }, { Bucket: this.options.bucket, Prefix: this.fullKey(prefix) })) {
                for (const object of page.Contents ?? []) {
                    if (object.Key)
                        yield { key: object.Key.slice(this.options.prefix.length), size: object.Size ?? 0, storedAt: object.LastModified ?? new Date(0) };
                }
            }
        }
        catch (error) {
            throw s3Error(`listing ${this.location}${prefix}`, error, this.options.bucket);
        }
    }
    async listDebris(before) {
        const { client, bucket, prefix } = this.options;
        const debris = [];
        let KeyMarker;
        let UploadIdMarker;
        try {
            for (;;) {
                const page = await client.send(new dist_cjs.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
                for (const upload of page.Uploads ?? []) {
                    if (!upload.Key || !upload.UploadId)
                        continue;
                    const key = upload.Key.slice(prefix.length);
                    // Only uploads this tool names; their age is the later of the name's time and Initiated (some
                    // S3-compatible servers report a fixed Initiated date), so nothing in progress looks old.
                    const named = (0,backup_names/* parseBackupKey */.lG)(key);
                    if (!named)
                        continue;
                    const since = new Date(Math.max(named.at.getTime(), upload.Initiated?.getTime() ?? 0));
                    if (since < before)
                        debris.push({ key, kind: 'multipart-upload', since: since.toISOString(), id: upload.UploadId });
                }
                if (!page.IsTruncated)
                    return debris;
                KeyMarker = page.NextKeyMarker;
                UploadIdMarker = page.NextUploadIdMarker;
            }
        }
        catch (error) {
            throw s3Error(`listing incomplete multipart uploads under ${this.location}`, error, bucket);
        }
    }
    async removeDebris(items) {
        const { client, bucket } = this.options;
        for (const item of items) {
            try {
                await client.send(new dist_cjs.AbortMultipartUploadCommand({ Bucket: bucket, Key: this.fullKey(item.key), UploadId: item.id }));
            }
            catch (error) {
                throw s3Error(`aborting the incomplete upload of ${this.location}${item.key}`, error, bucket, item.key, this.location);
            }
        }
    }
    async delete(keys) {
        const outcomes = [];
        for (let at = 0; at < keys.length; at += 1000) {
            const batch = keys.slice(at, at + 1000);
            let out;
            try {
                out = await this.options.client.send(new dist_cjs.DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.fullKey(k) })), Quiet: false } }));
            }
            catch (error) {
                throw s3Error(`deleting ${batch.length} objects from ${this.location}`, error, this.options.bucket);
            }
            const failed = new Map((out.Errors ?? []).map((e) => [e.Key?.slice(this.options.prefix.length) ?? '', e]));
            for (const key of batch) {
                const error = failed.get(key);
                if (!error)
                    outcomes.push({ key, deleted: true });
                else if (isRetention(error.Code, error.Message))
                    outcomes.push({ key, deleted: false, retainedBecause: `${error.Code}: ${error.Message ?? 'retained by Object Lock'}` });
                else
                    throw new errors/* StorageError */.aq(`S3 refused to delete ${this.location}${key}: ${error.Code} ${error.Message ?? ''}`, {
                        hint: 'the role needs s3:DeleteObject on the backup prefix',
                    });
            }
        }
        return outcomes;
    }
}
function isRetention(code, message) {
    return (code === 'AccessDenied' && /object lock|retention|legal hold|worm/i.test(message ?? '')) || code === 'ObjectLocked';
}
/** Maps SDK errors to StorageErrors that say what to change. */
function s3Error(what, error, bucket, key, location = `s3://${bucket}/`) {
    if (error instanceof errors/* StorageError */.aq)
        return error;
    const status = error.$metadata?.httpStatusCode;
    const name = (0,error_text/* errorName */.Is)(error);
    if (key !== undefined && (status === 412 || name === 'PreconditionFailed'))
        return new errors/* ObjectExistsError */.qs(key, location);
    if (name === 'NoSuchBucket' || (status === 404 && key === undefined)) {
        return new errors/* StorageError */.aq(`${what} failed: bucket ${bucket} does not exist`, {
            hint: 'create the bucket or fix the bucket name in the target',
            cause: error,
        });
    }
    if (status === 403 || name === 'AccessDenied') {
        return new errors/* StorageError */.aq(`${what} failed: access denied by S3`, { hint: `grant the role the needed s3: permissions on ${bucket}`, cause: error });
    }
    if (name === 'TimeoutError') {
        return new errors/* StorageError */.aq(`${what} failed: S3 stopped answering: the last attempt moved no byte either way for s3-idle-timeout-seconds`, {
            hint: 'check that the S3 endpoint is up and answering; raise s3-idle-timeout-seconds only for a gateway known to pause longer',
            cause: error,
        });
    }
    const detail = (0,error_text/* errorMessage */.gJ)(error) || name || 'unknown error';
    return new errors/* StorageError */.aq(`${what} failed: ${detail}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
}
/**
 * One SHA-256 per request body serves all that want one: S3's x-amz-checksum-sha256 (so the SDK does not
 * hash the body again) and SigV4's payload hash (the signer hashes the body itself on http:// endpoints
 * otherwise). A part comes with the digest made while it was filled (s3-part-upload.ts); a small object
 * without one (a manifest) is hashed here, where the SDK builds the request. S3 recomputes the checksum
 * and refuses the request on a mismatch.
 */
class PayloadDigests {
    install(client) {
        const name = 'vaultBackupPayloadDigest';
        client.middlewareStack.remove(name);
        client.middlewareStack.add((next, context) => async (args) => {
            const input = args.input;
            const request = args.request;
            const command = context.commandName;
            if ((command === 'UploadPartCommand' || command === 'PutObjectCommand') &&
                input.ChecksumAlgorithm === 'SHA256' &&
                request?.headers &&
                request.body instanceof Uint8Array) {
                const digest = input.ChecksumSHA256 ? Buffer.from(input.ChecksumSHA256, 'base64') : (0,external_node_crypto_.createHash)('sha256').update(request.body).digest();
                request.headers['x-amz-checksum-sha256'] = digest.toString('base64');
                request.headers['x-amz-content-sha256'] = digest.toString('hex');
            }
            return next(args);
        }, 
        // Before the SDK's own checksum step, which leaves a request that already carries one alone.
        { step: 'build', priority: 'high', name });
    }
}
/** The checksum S3 reports for an object in parts: SHA-256 over the part SHA-256s, in part order. */
function compositeChecksum(partDigests) {
    return { algorithm: 'SHA256-COMPOSITE', value: (0,external_node_crypto_.createHash)('sha256').update(Buffer.concat(partDigests)).digest('base64'), parts: partDigests.length };
}


/***/ })

};
