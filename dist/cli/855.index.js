export const id = 855;
export const ids = [855];
export const modules = {

/***/ 4855:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openGcsStore: () => (/* binding */ openGcsStore)
});

// EXTERNAL MODULE: ./node_modules/@google-cloud/storage/build/esm/src/index.js + 27 modules
var src = __webpack_require__(3923);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/util/interrupts.ts
var interrupts = __webpack_require__(2806);
// EXTERNAL MODULE: ./src/util/error-text.ts
var error_text = __webpack_require__(1992);
// EXTERNAL MODULE: ./src/util/stream-buffering.ts
var stream_buffering = __webpack_require__(9621);
// EXTERNAL MODULE: ./src/storage/read-small.ts
var read_small = __webpack_require__(6008);
;// CONCATENATED MODULE: ./src/storage/gcs/gcs-store.ts
/**
 * Google Cloud Storage as a backup target. A new object is a resumable upload with
 * `ifGenerationMatch: 0` (create only: a backup never replaces another); the SDK checks the CRC32C the
 * service computed against the bytes it sent, and `stat` reports the service's own MD5 of the object,
 * which the backup compares with the MD5 computed here.
 */








class GcsBackupStore {
    options;
    location;
    constructor(options) {
        this.options = options;
        this.location = `gs://${options.bucket.name}/${options.prefix}`;
    }
    /** Resumable uploads have no part-count limit: the chunk size is only the request size. */
    uploadPartSize() {
        return this.options.chunkSize;
    }
    file(key) {
        return this.options.bucket.file(this.options.prefix + key);
    }
    async checkAccess() {
        let exists;
        try {
            [exists] = await this.options.bucket.exists();
        }
        catch (error) {
            throw gcsError(`checking bucket ${this.options.bucket.name}`, error);
        }
        if (!exists)
            throw new errors/* StorageError */.aq(`bucket ${this.options.bucket.name} does not exist`, { hint: 'create the bucket or fix the bucket name in the target' });
    }
    async putNew(key, body) {
        if (await this.stat(key))
            throw new errors/* ObjectExistsError */.qs(key, this.location);
        const md5 = (0,external_node_crypto_.createHash)('md5');
        const sha256 = (0,external_node_crypto_.createHash)('sha256');
        let size = 0;
        const hasher = new external_node_stream_.Transform({
            highWaterMark: stream_buffering/* STAGE_HIGH_WATER_MARK */._,
            transform(chunk, _e, done) {
                md5.update(chunk);
                sha256.update(chunk);
                size += chunk.length;
                done(null, chunk);
            },
        });
        const upload = this.file(key).createWriteStream({
            resumable: true,
            chunkSize: this.options.chunkSize,
            validation: 'crc32c',
            contentType: 'application/octet-stream',
            preconditionOpts: { ifGenerationMatch: 0 },
        });
        // A cancelled job stops the upload; the service drops an unfinished resumable session after a week.
        const release = (0,interrupts/* onInterrupt */.nA)(`upload of ${this.location}${key} stopped`, async () => {
            upload.destroy(new Error('interrupted'));
        });
        try {
            await (0,promises_.pipeline)(body, hasher, upload);
        }
        catch (error) {
            if (statusOf(error) === 412)
                throw new errors/* ObjectExistsError */.qs(key, this.location);
            throw gcsError(`uploading ${this.location}${key}`, error);
        }
        finally {
            release();
        }
        return { key, size, sentChecksum: { algorithm: 'MD5', value: md5.digest('base64') }, sha256: sha256.digest('hex') };
    }
    async putSmallNew(key, data) {
        try {
            await this.file(key).save(data, { resumable: false, validation: 'md5', contentType: 'application/json', preconditionOpts: { ifGenerationMatch: 0 } });
        }
        catch (error) {
            if (statusOf(error) === 412)
                throw new errors/* ObjectExistsError */.qs(key, this.location);
            throw gcsError(`writing ${this.location}${key}`, error);
        }
    }
    async copyNew(fromKey, toKey) {
        if (!(await this.stat(fromKey)))
            throw new errors/* StorageError */.aq(`cannot copy ${this.location}${fromKey}: it does not exist`);
        // The precondition below makes this atomic on Cloud Storage; the emulator ignores it on copies.
        if (await this.stat(toKey))
            throw new errors/* ObjectExistsError */.qs(toKey, this.location);
        try {
            await this.file(fromKey).copy(this.file(toKey), { preconditionOpts: { ifGenerationMatch: 0 } });
        }
        catch (error) {
            if (statusOf(error) === 412)
                throw new errors/* ObjectExistsError */.qs(toKey, this.location);
            throw gcsError(`copying ${fromKey} to ${toKey}`, error);
        }
        const copy = await this.stat(toKey);
        if (!copy)
            throw new errors/* StorageError */.aq(`copy to ${toKey} vanished right after it was made`);
        return copy;
    }
    async stat(key) {
        try {
            const [metadata] = await this.file(key).getMetadata();
            return { size: Number(metadata.size ?? 0), checksum: metadata.md5Hash ? { algorithm: 'MD5', value: metadata.md5Hash } : undefined };
        }
        catch (error) {
            if (statusOf(error) === 404)
                return undefined;
            throw gcsError(`reading the metadata of ${this.location}${key}`, error);
        }
    }
    async get(key) {
        if (!(await this.stat(key)))
            throw new errors/* StorageError */.aq(`${this.location}${key} does not exist`);
        // validation: false: verify checks the SHA-256 of the whole download itself, once.
        return this.file(key).createReadStream({ validation: false });
    }
    /** One request (the catalog reads every manifest this way), cut short once larger than expected. */
    async getSmall(key, maxBytes = 1024 * 1024) {
        try {
            return await (0,read_small/* readAtMost */.r)(this.file(key).createReadStream({ validation: false }), maxBytes, `${this.location}${key}`);
        }
        catch (error) {
            throw gcsError(`reading ${this.location}${key}`, error);
        }
    }
    async getRange(key, start, length) {
        if (length <= 0)
            return Buffer.alloc(0);
        try {
            const stream = this.file(key).createReadStream({ validation: false, start, end: start + length - 1 });
            return await (0,read_small/* readAtMost */.r)(stream, length, `${this.location}${key}`);
        }
        catch (error) {
            if (statusOf(error) === 416)
                return Buffer.alloc(0);
            throw error instanceof errors/* StorageError */.aq ? error : gcsError(`reading ${this.location}${key}`, error);
        }
    }
    async *list(prefix = '') {
        let pageToken;
        try {
            do {
                const [files, next] = await this.options.bucket.getFiles({
                    prefix: this.options.prefix + prefix,
                    autoPaginate: false,
                    maxResults: 1000,
                    ...(pageToken ? { pageToken } : {}),
                });
                for (const file of files)
                    yield {
                        key: file.name.slice(this.options.prefix.length),
                        size: Number(file.metadata.size ?? 0),
                        storedAt: new Date(file.metadata.timeCreated ?? file.metadata.updated ?? 0),
                    };
                pageToken = next?.pageToken;
            } while (pageToken);
        }
        catch (error) {
            throw gcsError(`listing ${this.location}${prefix}`, error);
        }
    }
    /** Cloud Storage keeps no listable trace of an unfinished resumable upload (sessions expire after a week). */
    async listDebris() {
        return [];
    }
    async removeDebris() { }
    async delete(keys) {
        const outcomes = [];
        for (const key of keys) {
            try {
                await this.file(key).delete({ ignoreNotFound: true });
                outcomes.push({ key, deleted: true });
            }
            catch (error) {
                const message = (0,error_text/* errorMessage */.gJ)(error);
                if (statusOf(error) === 403 && /retention|hold/i.test(message))
                    outcomes.push({ key, deleted: false, retainedBecause: message.split('\n')[0] });
                else
                    throw gcsError(`deleting ${this.location}${key}`, error);
            }
        }
        return outcomes;
    }
}
function statusOf(error) {
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number')
        return error.code;
    return undefined;
}
/** Maps SDK errors to StorageErrors that say what to change. */
function gcsError(what, error) {
    if (error instanceof errors/* StorageError */.aq)
        return error;
    const status = statusOf(error);
    if (status === 403 || status === 401)
        return new errors/* StorageError */.aq(`${what} failed: access denied by Cloud Storage (HTTP ${status})`, {
            cause: error,
            hint: 'grant the service account roles/storage.objectUser on the bucket (or objectCreator + objectViewer, and objectAdmin for prune)',
        });
    if (status === 404)
        return new errors/* StorageError */.aq(`${what} failed: not found (HTTP 404)`, { cause: error, hint: 'create the bucket or fix the bucket name in the target' });
    return new errors/* StorageError */.aq(`${what} failed: ${(0,error_text/* errorMessage */.gJ)(error)}${status ? ` (HTTP ${status})` : ''}`, {
        cause: error,
        hint: 'retry; check the network path to Cloud Storage',
    });
}

// EXTERNAL MODULE: ./src/storage/retry-policy.ts
var retry_policy = __webpack_require__(3414);
;// CONCATENATED MODULE: ./src/storage/gcs/gcs-open.ts
/** Builds the Cloud Storage store from its settings: the one place the Cloud Storage client is made. */



function openGcsStore(target) {
    const { endpoint, keyFile, chunkSize } = target.gcs;
    const storage = new src/* Storage */.wc({
        ...(endpoint ? { apiEndpoint: endpoint } : {}),
        ...(keyFile ? { keyFilename: keyFile, useAuthWithCustomEndpoint: true } : {}),
        // Retries idempotent requests (a create with ifGenerationMatch is one) with exponential backoff, at most 8 s apart.
        retryOptions: {
            autoRetry: true,
            maxRetries: retry_policy/* STORE_MAX_ATTEMPTS */.CN - 1,
            maxRetryDelay: retry_policy/* CLOUD_BACKOFF */.d.maxDelayMs / 1000,
            totalTimeout: retry_policy/* CLOUD_BACKOFF */.d.totalTimeoutSeconds,
        },
    });
    return new GcsBackupStore({ bucket: storage.bucket(target.bucket), prefix: target.prefix, chunkSize });
}


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

/***/ 3414:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CN: () => (/* binding */ STORE_MAX_ATTEMPTS),
/* harmony export */   Qn: () => (/* binding */ RECHECK),
/* harmony export */   d: () => (/* binding */ CLOUD_BACKOFF)
/* harmony export */ });
/**
 * How every store retries, in one place. Each SDK keeps its own exponential backoff (the AWS SDK's standard
 * mode, the Azure and Cloud Storage clients' own), bounded here to the same number of attempts.
 */
/** Attempts per request, for every store. */
const STORE_MAX_ATTEMPTS = 5;
/** Backoff bounds of the Azure and Cloud Storage clients (S3's standard mode waits at most 20 s between attempts). */
const CLOUD_BACKOFF = { firstDelayMs: 500, maxDelayMs: 8000, totalTimeoutSeconds: 120 };
/** Looking again for what a cut request may still have stored a moment later (Azure's uncommitted blocks). */
const RECHECK = { attempts: 5, delayMs: 200 };


/***/ })

};
