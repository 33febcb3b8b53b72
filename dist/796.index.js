export const id = 796;
export const ids = [796,947];
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

/***/ 3796:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3_MAX_ATTEMPTS: () => (/* binding */ S3_MAX_ATTEMPTS),
/* harmony export */   createS3Client: () => (/* binding */ createS3Client),
/* harmony export */   openS3Store: () => (/* binding */ openS3Store)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3711);
/* harmony import */ var _s3_store_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8947);
/* harmony import */ var _util_error_text_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1992);
/**
 * An S3 target's store and client: loaded only for S3 (and s3:// files), like the Azure and Cloud
 * Storage stores, so a run against a local directory never loads the AWS SDK.
 */



/** Attempts per S3 request: the SDK's standard retry mode, exponential backoff with jitter (at most 20 s apart). */
const S3_MAX_ATTEMPTS = 5;
function createS3Client(s3, log) {
    const client = new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_1__.S3Client({
        ...(s3.region ? { region: s3.region } : {}),
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        forcePathStyle: s3.forcePathStyle,
        // Several S3-compatible stores reject the SDK's default CRC32 request checksums.
        ...(s3.checksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
        maxAttempts: S3_MAX_ATTEMPTS,
    });
    if (log) {
        // Runs once per attempt (inside the retry loop), so every failed attempt is visible in the log.
        client.middlewareStack.add((next, context) => async (args) => {
            try {
                return await next(args);
            }
            catch (error) {
                const status = error.$metadata?.httpStatusCode;
                const what = status ? `HTTP ${status} ${(0,_util_error_text_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error)}` : ((0,_util_error_text_js__WEBPACK_IMPORTED_MODULE_2__/* .errorCode */ .CA)(error) ?? (0,_util_error_text_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error));
                // Only what the SDK retries (5xx, throttling, network); a 404 from an existence check is an answer.
                if (status !== undefined && status < 500 && status !== 429)
                    throw error;
                log.warn(`S3 ${context.commandName ?? 'request'} attempt failed: ${what} (the SDK makes up to ${S3_MAX_ATTEMPTS} attempts)`);
                throw error;
            }
        }, { step: 'deserialize', priority: 'high', name: 'vaultBackupAttemptLog' });
    }
    return client;
}
function openS3Store(target, log) {
    return new _s3_store_js__WEBPACK_IMPORTED_MODULE_0__.S3BackupStore({
        client: createS3Client(target.s3, log),
        bucket: target.bucket,
        prefix: target.prefix,
        partSize: target.s3.partSize,
        queueSize: target.s3.queueSize,
    });
}


/***/ }),

/***/ 8947:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3BackupStore: () => (/* binding */ S3BackupStore),
/* harmony export */   S3_PART_LIMITS: () => (/* binding */ S3_PART_LIMITS),
/* harmony export */   s3Error: () => (/* binding */ s3Error)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(3711);
/* harmony import */ var _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2358);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _util_hashing_meter_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5624);
/* harmony import */ var _util_interrupts_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2806);
/* harmony import */ var _naming_backup_names_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(2569);
/* harmony import */ var _util_error_text_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(1992);
/* harmony import */ var _part_size_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7080);
/* harmony import */ var _read_small_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6008);
/**
 * S3 as a backup target. Uploads stream through the SDK's multipart uploader with SHA-256 part
 * checksums and `If-None-Match: *`, so a backup never replaces another; the checksum S3 reports
 * afterwards is compared with one computed here from the bytes sent.
 */










/** S3's multipart limits: 10,000 parts of at most 5 GiB (and 5 TiB an object). */
const S3_PART_LIMITS = { maxParts: 10_000, maxPartSize: 5 * 1024 ** 3 };
/** Object size above which S3 refuses CopyObject: larger copies go in parts. */
const MAX_SINGLE_COPY = 5 * 1024 ** 3;
class S3BackupStore {
    options;
    location;
    partDigests = new PartDigests();
    constructor(options) {
        this.options = options;
        this.location = `s3://${options.bucket}/${options.prefix}`;
        this.partDigests.install(options.client);
    }
    parts(expectedBytes) {
        return (0,_part_size_js__WEBPACK_IMPORTED_MODULE_6__/* .planParts */ .mM)({ partSize: this.options.partSize, queueSize: this.options.queueSize }, expectedBytes, S3_PART_LIMITS);
    }
    uploadPartSize(expectedBytes) {
        return this.parts(expectedBytes).partSize;
    }
    fullKey(key) {
        return this.options.prefix + key;
    }
    async checkAccess() {
        try {
            await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.HeadBucketCommand({ Bucket: this.options.bucket }));
        }
        catch (error) {
            throw s3Error(`checking bucket ${this.options.bucket}`, error, this.options.bucket);
        }
    }
    async putNew(key, body, hint = {}) {
        const { client, bucket } = this.options;
        const { partSize, queueSize } = this.parts(hint.expectedBytes);
        // The uploader joins chunks into parts itself: hand it chunks, not reads joined into new buffers.
        const hasher = new _util_hashing_meter_js__WEBPACK_IMPORTED_MODULE_3__/* .HashingMeter */ .y({ chunkByChunk: true });
        const parts = this.partDigests.track(this.fullKey(key));
        const upload = new _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_1__/* .Upload */ ._({
            client,
            partSize,
            queueSize,
            leavePartsOnError: false,
            params: {
                Bucket: bucket,
                Key: this.fullKey(key),
                Body: body.pipe(hasher),
                ChecksumAlgorithm: 'SHA256',
                IfNoneMatch: '*',
                ContentType: 'application/octet-stream',
            },
        });
        // pipe() does not forward errors: fail the upload when the source fails.
        body.once('error', (error) => hasher.destroy(error));
        // A cancelled job must not leave an open (and billed) multipart upload behind.
        const release = (0,_util_interrupts_js__WEBPACK_IMPORTED_MODULE_4__/* .onInterrupt */ .nA)(`multipart upload of ${this.location}${key} aborted`, async () => {
            await upload.abort().catch(() => undefined);
            await this.abortLeftoverUploads(key);
        });
        try {
            await upload.done();
        }
        catch (error) {
            await this.abortLeftoverUploads(key);
            throw s3Error(`uploading ${this.location}${key}`, error, bucket, key, this.location);
        }
        finally {
            release();
            parts.release();
        }
        return { key, size: hasher.byteCount, sentChecksum: parts.checksum(), sha256: hasher.sha256() };
    }
    /** Belt and braces after a failed upload: no multipart upload for this key may stay open (and billed). */
    async abortLeftoverUploads(key) {
        const { client, bucket } = this.options;
        try {
            const open = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: this.fullKey(key) }));
            for (const upload of open.Uploads ?? []) {
                if (upload.Key === this.fullKey(key) && upload.UploadId) {
                    await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
                }
            }
        }
        catch {
            // The upload already failed and that error is reported; a failed clean-up is left to the bucket's lifecycle rule.
        }
    }
    async putSmallNew(key, data) {
        try {
            await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.PutObjectCommand({
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
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq(`cannot copy ${this.location}${fromKey}: it does not exist`);
        // If-None-Match below makes this atomic where the store honours it on copies; some S3-compatible
        // stores (moto among them) ignore it there, and would replace the object without this check.
        if (await this.stat(toKey))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs(toKey, this.location);
        const copySource = `${this.options.bucket}/${this.fullKey(fromKey)}`.split('/').map(encodeURIComponent).join('/');
        try {
            if (source.size > (this.options.maxSingleCopy ?? MAX_SINGLE_COPY))
                return await this.multipartCopy(copySource, source.size, toKey, fromKey);
            const out = await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.CopyObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(toKey), CopySource: copySource, ChecksumAlgorithm: 'SHA256', IfNoneMatch: '*' }));
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
        const created = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: 'SHA256' }));
        const UploadId = created.UploadId;
        try {
            const parts = [];
            const digests = [];
            for (let at = 0, PartNumber = 1; at < size; at += partSize, PartNumber++) {
                const out = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.UploadPartCopyCommand({
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
            await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: parts } }));
            if (digests.length === parts.length) {
                return { size, checksum: compositeChecksum(digests) };
            }
            // Some stores return no per-part checksums for copied parts: ask for the object's own.
            const stored = await this.stat(toKey);
            return { size: stored?.size ?? 0, checksum: stored?.checksum ? { ...stored.checksum, algorithm: 'SHA256-COMPOSITE', parts: parts.length } : undefined };
        }
        catch (error) {
            await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId })).catch(() => undefined);
            throw error;
        }
    }
    /** Bytes in part 1 of a multipart object (HeadObject with PartNumber), or undefined for a single-part one. */
    async firstPartSize(key) {
        const head = await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), PartNumber: 1 }));
        return head.PartsCount && head.PartsCount > 1 ? head.ContentLength : undefined;
    }
    async stat(key) {
        try {
            const head = await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key), ChecksumMode: 'ENABLED' }));
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
            if (error instanceof _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.S3ServiceException && error.$metadata.httpStatusCode === 404)
                return undefined;
            throw s3Error(`reading the checksum of ${this.location}${key}`, error, this.options.bucket, key);
        }
    }
    async get(key) {
        try {
            const out = await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.GetObjectCommand({ Bucket: this.options.bucket, Key: this.fullKey(key) }));
            return out.Body;
        }
        catch (error) {
            throw s3Error(`downloading ${this.location}${key}`, error, this.options.bucket, key);
        }
    }
    async getSmall(key, maxBytes = 1024 * 1024) {
        return (0,_read_small_js__WEBPACK_IMPORTED_MODULE_5__/* .readAtMost */ .r)(await this.get(key), maxBytes, `${this.location}${key}`);
    }
    async *list(prefix = '') {
        try {
            for await (const page of (0,_aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.paginateListObjectsV2)({ client: this.options.client }, { Bucket: this.options.bucket, Prefix: this.fullKey(prefix) })) {
                for (const object of page.Contents ?? []) {
                    if (object.Key)
                        yield { key: object.Key.slice(this.options.prefix.length), size: object.Size ?? 0 };
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
                const page = await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, UploadIdMarker }));
                for (const upload of page.Uploads ?? []) {
                    if (!upload.Key || !upload.UploadId)
                        continue;
                    const key = upload.Key.slice(prefix.length);
                    // Only uploads this tool names; their age is the later of the name's time and Initiated (some
                    // S3-compatible servers report a fixed Initiated date), so nothing in progress looks old.
                    const named = (0,_naming_backup_names_js__WEBPACK_IMPORTED_MODULE_8__/* .parseBackupKey */ .lG)(key);
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
                await client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.AbortMultipartUploadCommand({ Bucket: bucket, Key: this.fullKey(item.key), UploadId: item.id }));
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
                out = await this.options.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_7__.DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.fullKey(k) })), Quiet: false } }));
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
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq(`S3 refused to delete ${this.location}${key}: ${error.Code} ${error.Message ?? ''}`, {
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
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq)
        return error;
    const status = error.$metadata?.httpStatusCode;
    const name = (0,_util_error_text_js__WEBPACK_IMPORTED_MODULE_9__/* .errorName */ .Is)(error);
    if (key !== undefined && (status === 412 || name === 'PreconditionFailed'))
        return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ObjectExistsError */ .qs(key, location);
    if (name === 'NoSuchBucket' || (status === 404 && key === undefined)) {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq(`${what} failed: bucket ${bucket} does not exist`, {
            hint: 'create the bucket or fix the bucket name in the target',
            cause: error,
        });
    }
    if (status === 403 || name === 'AccessDenied') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq(`${what} failed: access denied by S3`, { hint: `grant the role the needed s3: permissions on ${bucket}`, cause: error });
    }
    const detail = (0,_util_error_text_js__WEBPACK_IMPORTED_MODULE_9__/* .errorMessage */ .gJ)(error) || name || 'unknown error';
    return new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq(`${what} failed: ${detail}${status ? ` (HTTP ${status})` : ''}`, { cause: error });
}
/**
 * Hashes each part body once, where the SDK builds its request, and hands that one digest to all that
 * want it: S3's x-amz-checksum-sha256 (so the SDK does not hash the part again), SigV4's payload hash
 * (the signer hashes the body itself on http:// endpoints otherwise), and the composite checksum that
 * is compared with the one S3 reports. S3 recomputes the part's SHA-256 and refuses it on a mismatch.
 */
class PartDigests {
    uploads = new Map();
    install(client) {
        const name = 'vaultBackupPartDigest';
        client.middlewareStack.remove(name);
        client.middlewareStack.add((next, context) => async (args) => {
            const input = args.input;
            const request = args.request;
            const command = context.commandName;
            if ((command === 'UploadPartCommand' || command === 'PutObjectCommand') &&
                input.ChecksumAlgorithm === 'SHA256' &&
                !input.ChecksumSHA256 &&
                request?.headers &&
                request.body instanceof Uint8Array) {
                const digest = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(request.body).digest();
                request.headers['x-amz-checksum-sha256'] = digest.toString('base64');
                request.headers['x-amz-content-sha256'] = digest.toString('hex');
                this.uploads.get(input.Key ?? '')?.set(input.PartNumber ?? 1, digest);
            }
            return next(args);
        }, 
        // Before the SDK's own checksum step, which leaves a request that already carries one alone.
        { step: 'build', priority: 'high', name });
    }
    /** Collects the part digests of one upload; S3 reports its checksum over them in part order. */
    track(fullKey) {
        const digests = new Map();
        this.uploads.set(fullKey, digests);
        return {
            checksum: () => {
                const ordered = [...digests.entries()].sort(([a], [b]) => a - b).map(([, d]) => d);
                // One part: the SDK's uploader sent a plain PutObject, whose checksum is the whole object's.
                if (ordered.length === 1)
                    return { algorithm: 'SHA256', value: ordered[0].toString('base64') };
                if (!ordered.length)
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .StorageError */ .aq('internal: no part of the upload was hashed');
                return compositeChecksum(ordered);
            },
            release: () => {
                if (this.uploads.get(fullKey) === digests)
                    this.uploads.delete(fullKey);
            },
        };
    }
}
/** The checksum S3 reports for an object in parts: SHA-256 over the part SHA-256s, in part order. */
function compositeChecksum(partDigests) {
    return { algorithm: 'SHA256-COMPOSITE', value: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(Buffer.concat(partDigests)).digest('base64'), parts: partDigests.length };
}


/***/ })

};
