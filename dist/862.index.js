export const id = 862;
export const ids = [862];
export const modules = {

/***/ 4862:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openAzureStore: () => (/* binding */ openAzureStore)
});

// EXTERNAL MODULE: ./node_modules/@azure/storage-blob/dist/esm/index.js + 153 modules
var esm = __webpack_require__(728);
// EXTERNAL MODULE: ./node_modules/@azure/identity/dist/esm/index.js + 165 modules
var dist_esm = __webpack_require__(3016);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/util/interrupts.ts
var interrupts = __webpack_require__(2806);
// EXTERNAL MODULE: ./src/util/byte-queue.ts
var byte_queue = __webpack_require__(8922);
// EXTERNAL MODULE: ./src/util/error-text.ts
var error_text = __webpack_require__(1992);
// EXTERNAL MODULE: ./src/storage/part-size.ts
var part_size = __webpack_require__(7080);
// EXTERNAL MODULE: ./src/storage/read-small.ts
var read_small = __webpack_require__(6008);
// EXTERNAL MODULE: ./src/storage/retry-policy.ts
var retry_policy = __webpack_require__(3414);
;// CONCATENATED MODULE: ./src/storage/azure/azure-blob-store.ts
/**
 * Azure Blob Storage as a backup target. A new object is a block blob: the stream is cut into blocks,
 * each staged with its MD5 (the service refuses a block whose bytes do not match), then the block list
 * is committed with `If-None-Match: *`, so a backup never replaces another. The MD5 of the whole object,
 * computed here from the bytes sent, is committed as its Content-MD5; `stat` reads it back.
 * Blocks staged by a write that did not finish are discarded before the error is reported.
 */









/** Block blob limits: 50,000 blocks of at most 4000 MiB. */
const AZURE_BLOCK_LIMITS = { maxParts: 50_000, maxPartSize: 4000 * 1024 * 1024 };
/** The largest copy the service does in one synchronous call; larger ones are polled. */
const MAX_SYNC_COPY = 256 * 1024 * 1024;
class AzureBlobStore {
    options;
    location;
    constructor(options) {
        this.options = options;
        this.location = `az://${options.account}/${options.container.containerName}/${options.prefix}`;
    }
    blocks(expectedBytes) {
        return (0,part_size/* planParts */.mM)({ partSize: this.options.blockSize, queueSize: this.options.queueSize }, expectedBytes, AZURE_BLOCK_LIMITS);
    }
    uploadPartSize(expectedBytes) {
        return this.blocks(expectedBytes).partSize;
    }
    blob(key) {
        return this.options.container.getBlockBlobClient(this.options.prefix + key);
    }
    async checkAccess() {
        try {
            if (!(await this.options.container.exists())) {
                throw new errors/* StorageError */.aq(`container ${this.options.container.containerName} does not exist in account ${this.options.account}`, {
                    hint: 'create the container, or fix the container name in the target',
                });
            }
        }
        catch (error) {
            throw azureError(`checking container ${this.options.container.containerName}`, error);
        }
    }
    async putNew(key, body, hint = {}) {
        const blob = this.blob(key);
        const { partSize: blockSize, queueSize } = this.blocks(hint.expectedBytes);
        if (await this.exists(key))
            throw new errors/* ObjectExistsError */.qs(key, this.location);
        // Block ids must have one length per blob; a random upload id keeps a concurrent writer's blocks apart.
        const uploadId = (0,external_node_crypto_.randomBytes)(8).toString('hex');
        const blockId = (n) => Buffer.from(`${uploadId}-${String(n).padStart(6, '0')}`).toString('base64');
        const md5 = (0,external_node_crypto_.createHash)('md5');
        const sha256 = (0,external_node_crypto_.createHash)('sha256');
        const ids = [];
        const inFlight = new Set();
        // Stops the blocks in flight when the job is cancelled, so none lands after the discard.
        const abort = new AbortController();
        let failure;
        let size = 0;
        const pending = new byte_queue/* ByteQueue */.y();
        const stage = async (data) => {
            const id = blockId(ids.length);
            ids.push(id);
            const task = blob
                .stageBlock(id, data, data.length, { transactionalContentMD5: (0,external_node_crypto_.createHash)('md5').update(data).digest(), abortSignal: abort.signal })
                .then(() => undefined)
                .catch((error) => {
                failure ??= error;
            });
            inFlight.add(task);
            void task.finally(() => inFlight.delete(task));
            // Back-pressure: at most queueSize blocks in memory and in flight.
            while (inFlight.size >= queueSize)
                await Promise.race(inFlight);
            if (failure)
                throw failure;
        };
        const release = (0,interrupts/* onInterrupt */.nA)(`uncommitted blocks of ${this.location}${key} discarded`, async () => {
            abort.abort();
            await Promise.allSettled(inFlight);
            await this.discardUncommitted(key, true);
        });
        try {
            for await (const chunk of body) {
                const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
                md5.update(buffer);
                sha256.update(buffer);
                size += buffer.length;
                pending.push(buffer);
                while (pending.length >= blockSize)
                    await stage(pending.shift(blockSize));
            }
            if (pending.length > 0 || ids.length === 0)
                await stage(pending.shift(pending.length));
            await Promise.all(inFlight);
            if (failure)
                throw failure;
            const contentMD5 = md5.digest();
            await blob.commitBlockList(ids, {
                conditions: { ifNoneMatch: '*' },
                blobHTTPHeaders: { blobContentMD5: contentMD5, blobContentType: 'application/octet-stream' },
            });
            return { key, size, sentChecksum: { algorithm: 'MD5', value: contentMD5.toString('base64') }, sha256: sha256.digest('hex') };
        }
        catch (error) {
            await Promise.allSettled(inFlight);
            await this.discardUncommitted(key);
            if (error instanceof esm/* RestError */.pj && error.statusCode === 409 && error.code === 'BlobAlreadyExists')
                throw new errors/* ObjectExistsError */.qs(key, this.location);
            throw error instanceof errors/* StorageError */.aq ? error : azureError(`uploading ${this.location}${key}`, error);
        }
        finally {
            release();
        }
    }
    /**
     * Uncommitted blocks of a blob that does not exist cannot be deleted on their own: committing an empty
     * list (only if no blob exists) and deleting that empty blob discards them.
     */
    async discardUncommitted(key, recheck = false) {
        const blob = this.blob(key);
        // A block whose request was cut may still be stored by the service a moment later: look again, a few times.
        for (let attempt = 0; attempt < (recheck ? retry_policy/* RECHECK */.Qn.attempts : 1); attempt++) {
            try {
                if (attempt > 0) {
                    await new Promise((resolve) => setTimeout(resolve, retry_policy/* RECHECK */.Qn.delayMs));
                    if (!(await this.hasUncommittedBlocks(key)))
                        return;
                }
                const empty = await blob.commitBlockList([], { conditions: { ifNoneMatch: '*' } });
                await blob.delete({ conditions: { ifMatch: empty.etag } });
            }
            catch {
                // A blob exists there (never ours to touch), or the service is unreachable: the service discards
                // uncommitted blocks after a week, and prune lists any left as debris.
                return;
            }
        }
    }
    async hasUncommittedBlocks(key) {
        for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix + key, includeUncommitedBlobs: true })) {
            if (item.name === this.options.prefix + key)
                return true;
        }
        return false;
    }
    async exists(key) {
        try {
            return await this.blob(key).exists();
        }
        catch (error) {
            throw azureError(`checking ${this.location}${key}`, error);
        }
    }
    async putSmallNew(key, data) {
        try {
            await this.blob(key).upload(data, data.length, {
                conditions: { ifNoneMatch: '*' },
                transactionalContentMD5: (0,external_node_crypto_.createHash)('md5').update(data).digest(),
                blobHTTPHeaders: { blobContentMD5: (0,external_node_crypto_.createHash)('md5').update(data).digest(), blobContentType: 'application/json' },
            });
        }
        catch (error) {
            if (error instanceof esm/* RestError */.pj && error.statusCode === 409)
                throw new errors/* ObjectExistsError */.qs(key, this.location);
            throw azureError(`writing ${this.location}${key}`, error);
        }
    }
    async copyNew(fromKey, toKey) {
        const source = await this.stat(fromKey);
        if (!source)
            throw new errors/* StorageError */.aq(`cannot copy ${this.location}${fromKey}: it does not exist`);
        if (await this.exists(toKey))
            throw new errors/* ObjectExistsError */.qs(toKey, this.location);
        const from = this.blob(fromKey);
        const to = this.blob(toKey);
        try {
            if (source.size <= MAX_SYNC_COPY) {
                const out = await to.syncCopyFromURL(from.url, { conditions: { ifNoneMatch: '*' } });
                if (out.copyStatus !== 'success')
                    throw new errors/* StorageError */.aq(`copy to ${toKey} ended with status ${out.copyStatus}`);
            }
            else {
                const poller = await to.beginCopyFromURL(from.url, { conditions: { ifNoneMatch: '*' } });
                const done = await poller.pollUntilDone();
                if (done.copyStatus !== 'success')
                    throw new errors/* StorageError */.aq(`copy to ${toKey} ended with status ${done.copyStatus}`);
            }
        }
        catch (error) {
            if (error instanceof esm/* RestError */.pj && error.statusCode === 409)
                throw new errors/* ObjectExistsError */.qs(toKey, this.location);
            throw error instanceof errors/* StorageError */.aq ? error : azureError(`copying ${fromKey} to ${toKey}`, error);
        }
        const copy = await this.stat(toKey);
        if (!copy)
            throw new errors/* StorageError */.aq(`copy to ${toKey} vanished right after it was made`);
        return copy;
    }
    async stat(key) {
        try {
            const props = await this.blob(key).getProperties();
            return {
                size: props.contentLength ?? 0,
                checksum: props.contentMD5 ? { algorithm: 'MD5', value: Buffer.from(props.contentMD5).toString('base64') } : undefined,
            };
        }
        catch (error) {
            if (error instanceof esm/* RestError */.pj && error.statusCode === 404)
                return undefined;
            throw azureError(`reading the properties of ${this.location}${key}`, error);
        }
    }
    async get(key) {
        try {
            const out = await this.blob(key).download();
            if (!out.readableStreamBody)
                throw new errors/* StorageError */.aq(`downloading ${this.location}${key} returned no body`);
            return out.readableStreamBody;
        }
        catch (error) {
            throw error instanceof errors/* StorageError */.aq ? error : azureError(`downloading ${this.location}${key}`, error);
        }
    }
    /** One request (the catalog reads every manifest this way), cut short once larger than expected. */
    async getSmall(key, maxBytes = 1024 * 1024) {
        try {
            return await (0,read_small/* readAtMost */.r)(await this.get(key), maxBytes, `${this.location}${key}`);
        }
        catch (error) {
            throw azureError(`reading ${this.location}${key}`, error);
        }
    }
    async getRange(key, start, length) {
        if (length <= 0)
            return Buffer.alloc(0);
        try {
            const out = await this.blob(key).download(start, length);
            if (!out.readableStreamBody)
                throw new errors/* StorageError */.aq(`reading ${this.location}${key} returned no body`);
            return await (0,read_small/* readAtMost */.r)(out.readableStreamBody, length, `${this.location}${key}`);
        }
        catch (error) {
            if (error instanceof esm/* RestError */.pj && error.statusCode === 416)
                return Buffer.alloc(0);
            throw error instanceof errors/* StorageError */.aq ? error : azureError(`reading ${this.location}${key}`, error);
        }
    }
    async *list(prefix = '') {
        try {
            for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix + prefix })) {
                yield {
                    key: item.name.slice(this.options.prefix.length),
                    size: item.properties.contentLength ?? 0,
                    storedAt: item.properties.createdOn ?? item.properties.lastModified,
                };
            }
        }
        catch (error) {
            throw azureError(`listing ${this.location}${prefix}`, error);
        }
    }
    /** Blobs that hold only uncommitted blocks: a write that never committed (the service drops them after a week). */
    async listDebris(before) {
        const committed = new Set();
        for await (const object of this.list())
            committed.add(object.key);
        const debris = [];
        try {
            for await (const item of this.options.container.listBlobsFlat({ prefix: this.options.prefix, includeUncommitedBlobs: true })) {
                const key = item.name.slice(this.options.prefix.length);
                const since = item.properties.lastModified;
                if (!committed.has(key) && since < before)
                    debris.push({ key, kind: 'uncommitted-blocks', since: since.toISOString() });
            }
        }
        catch (error) {
            throw azureError(`listing uncommitted blobs in ${this.location}`, error);
        }
        return debris;
    }
    async removeDebris(items) {
        for (const item of items)
            await this.discardUncommitted(item.key);
    }
    async delete(keys) {
        const outcomes = [];
        for (const key of keys) {
            try {
                await this.blob(key).delete();
                outcomes.push({ key, deleted: true });
            }
            catch (error) {
                if (error instanceof esm/* RestError */.pj && error.statusCode === 404)
                    outcomes.push({ key, deleted: true });
                else if (error instanceof esm/* RestError */.pj && isRetention(error))
                    outcomes.push({ key, deleted: false, retainedBecause: `${error.code}: ${error.message.split('\n')[0]}` });
                else
                    throw azureError(`deleting ${this.location}${key}`, error);
            }
        }
        return outcomes;
    }
}
/** Immutability policies and legal holds refuse deletes with 409 and a code naming them. */
function isRetention(error) {
    return error.statusCode === 409 && /immutab|legalhold|legal hold|retention/i.test(`${error.code ?? ''} ${error.message}`);
}
/** Maps SDK errors to StorageErrors that say what to change. */
function azureError(what, error) {
    if (error instanceof errors/* StorageError */.aq)
        return error;
    if (error instanceof esm/* RestError */.pj) {
        if (error.statusCode === 403)
            return new errors/* StorageError */.aq(`${what} failed: access denied by Azure (${error.code ?? 'HTTP 403'})`, {
                cause: error,
                hint: 'grant the identity the Storage Blob Data Contributor role on the container, or check the SAS token or connection string',
            });
        if (error.statusCode === 404 && error.code === 'ContainerNotFound')
            return new errors/* StorageError */.aq(`${what} failed: the container does not exist`, {
                cause: error,
                hint: 'create the container, or fix the container name in the target',
            });
        return new errors/* StorageError */.aq(`${what} failed: ${error.code ?? 'error'}${error.statusCode ? ` (HTTP ${error.statusCode})` : ''}: ${error.message.split('\n')[0]}`, { cause: error, hint: 'retry; check the network path to the storage account' });
    }
    return new errors/* StorageError */.aq(`${what} failed: ${(0,error_text/* errorMessage */.gJ)(error)}`, { cause: error, hint: 'retry; check the network path to the storage account' });
}

;// CONCATENATED MODULE: ./src/storage/azure/azure-open.ts
/** Builds the Azure Blob store from its settings: the one place the Azure SDK clients are made. */




function azureService(settings) {
    // 0.5, 1, 2, 4 s between attempts: a short outage is ridden out, a dead endpoint fails within seconds.
    const retryOptions = {
        maxTries: retry_policy/* STORE_MAX_ATTEMPTS */.CN,
        retryPolicyType: esm/* StorageRetryPolicyType */.uD.EXPONENTIAL,
        retryDelayInMs: retry_policy/* CLOUD_BACKOFF */.d.firstDelayMs,
        maxRetryDelayInMs: retry_policy/* CLOUD_BACKOFF */.d.maxDelayMs,
    };
    const { auth, endpoint } = settings;
    // The connection string names its own endpoint (an emulator's, for one).
    if (auth.kind === 'connection-string')
        return esm/* BlobServiceClient */.wS.fromConnectionString(auth.connectionString, { retryOptions });
    if (auth.kind === 'sas')
        return new esm/* BlobServiceClient */.wS(`${endpoint}?${auth.sasToken}`, new esm/* AnonymousCredential */.tv(), { retryOptions });
    const credential = auth.kind === 'federated' ? new dist_esm/* ClientAssertionCredential */.XI(auth.tenantId, auth.clientId, async () => auth.federatedToken) : new dist_esm/* DefaultAzureCredential */.gv();
    return new esm/* BlobServiceClient */.wS(endpoint, credential, { retryOptions });
}
function openAzureStore(target) {
    const container = azureService(target.azure).getContainerClient(target.container);
    return new AzureBlobStore({
        container,
        account: target.account,
        prefix: target.prefix,
        blockSize: target.azure.blockSize,
        queueSize: target.azure.queueSize,
    });
}


/***/ }),

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
