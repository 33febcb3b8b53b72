/**
 * A local directory as a backup target. New objects are written to a hidden temporary file and then
 * hard-linked under their final name, which fails if the name exists: a backup is either complete
 * under its name or absent, and never replaces another.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, copyFile, link, mkdir, open, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError, ObjectExistsError, StorageError } from '../../errors.js';
import type { BackupStore, Debris, DeleteOutcome, ObjectChecksum, PutResult, StoredObject, StoredState } from '../backup-store.js';
import { STAGE_HIGH_WATER_MARK } from '../../util/stream-buffering.js';
import { onInterrupt } from '../../util/interrupts.js';
import { hasOwnedChunks, withOwnedChunks } from '../../util/owned-chunks.js';
import { openFileWriter } from './direct-file-writer.js';
import { FILE_READ_CHUNK_BYTES, openFileReader } from './direct-file-reader.js';
import { writtenDigest } from './written-digest.js';
import { errorMessage, errorCode } from '../../util/error-text.js';

/** How much is written between two early flushes to disk (putNew). */
const EARLY_FLUSH_BYTES = 64 * 1024 * 1024;

/** The temporary name a write uses until it is complete (see writeExclusive). */
const PARTIAL_FILE = /^\..+\.partial-[0-9a-f]{12}$/;

export class LocalDirectoryStore implements BackupStore {
  readonly location: string;
  private readonly root: string;

  /** `flushEveryBytes`: how much is written between two early flushes to disk (lowered by tests). */
  constructor(
    directory: string,
    private readonly flushEveryBytes = EARLY_FLUSH_BYTES,
  ) {
    if (!directory) throw new InputError('target', 'local directory is empty');
    this.root = resolve(directory);
    this.location = this.root + sep;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '') || !path.startsWith(this.root + sep)) {
      throw new StorageError(`object key ${JSON.stringify(key)} is not a plain relative path`);
    }
    return path;
  }

  async checkAccess(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK | constants.R_OK);
    } catch (error) {
      throw new StorageError(`backup directory ${this.root} is not writable: ${errorMessage(error)}`, {
        hint: 'create it, or set target to a directory this user can write',
        cause: error,
      });
    }
  }

  async putNew(key: string, body: Readable): Promise<PutResult> {
    // Hashed once written: on a second core when the chunks are ours to give away (written-digest.ts).
    const written = writtenDigest(hasOwnedChunks(body));
    let size = 0;
    let syncedSize: number;
    let sha256 = '';
    try {
      syncedSize = await this.writeExclusive(key, async (tmp) => {
        // The writer closes the file when it ends or fails; closing waits for a flush in flight. The counter
        // passes each chunk on unchanged and keeps none, so chunks the body owns are the writer's to give away.
        const out = await openFileWriter(tmp, (buffers) => written.take(buffers));
        // Through the page cache, flush to disk as the data comes, not all at the end: the final fsync then has
        // little left to write, and the disk works while the snapshot still streams (a direct write needs none).
        // One flush in flight at a time.
        let flushedAt = 0;
        let flushing: Promise<void> | undefined;
        let flushError: unknown;
        const flushEvery = this.flushEveryBytes;
        const counter = new Transform({
          highWaterMark: STAGE_HIGH_WATER_MARK,
          transform(chunk: Buffer, _e, done) {
            size += chunk.length;
            if (!flushing && size - flushedAt >= flushEvery) {
              flushedAt = size;
              flushing = out.flushEarly().then(
                () => (flushing = undefined),
                (error: unknown) => {
                  flushError ??= error;
                  flushing = undefined;
                },
              );
            }
            done(null, chunk);
          },
        });
        await pipeline(body, counter, out);
        await flushing;
        if (flushError) throw flushError;
        // Before the file takes its name: a digest that fails leaves no object.
        sha256 = await written.digest();
      });
    } finally {
      written.destroy();
    }
    const sentChecksum: ObjectChecksum = { algorithm: 'SHA256', value: Buffer.from(sha256, 'hex').toString('base64') };
    return { key, size, sentChecksum, sha256, committed: { size: syncedSize, checksum: sentChecksum } };
  }

  async putSmallNew(key: string, data: Buffer): Promise<void> {
    await this.writeExclusive(key, async (tmp) => {
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    });
  }

  async copyNew(fromKey: string, toKey: string): Promise<StoredState> {
    const from = this.pathOf(fromKey);
    await this.writeExclusive(toKey, (tmp) => copyFile(from, tmp, constants.COPYFILE_EXCL));
    const state = await this.stat(toKey);
    if (!state) throw new StorageError(`copy to ${toKey} vanished right after it was made`);
    return state;
  }

  /**
   * Writes via a temporary file, fsyncs it, then links it into place (EEXIST means someone was first).
   * Returns the file's size after the fsync.
   */
  private async writeExclusive(key: string, write: (tmp: string) => Promise<void>): Promise<number> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
    const release = onInterrupt(`partial file ${tmp} removed`, () => unlink(tmp).catch(() => undefined));
    try {
      await write(tmp);
      const handle = await open(tmp, 'r');
      let size: number;
      try {
        await handle.sync();
        size = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      await link(tmp, path);
      return size;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw new ObjectExistsError(key, this.location);
      throw error instanceof StorageError ? error : wrapFsError(`writing ${path}`, error);
    } finally {
      release();
      await unlink(tmp).catch(() => undefined);
    }
  }

  async stat(key: string, options: { readContent?: boolean } = {}): Promise<StoredState | undefined> {
    const path = this.pathOf(key);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw wrapFsError(`reading ${path}`, error);
    }
    if (options.readContent === false) return { size, checksum: undefined };
    // Re-read what is on disk: the point is to prove the stored bytes, not to trust the write. Read as get reads.
    const hash = createHash('sha256');
    await pipeline(await openFileReader(path, FILE_READ_CHUNK_BYTES), hash);
    const checksum: ObjectChecksum = { algorithm: 'SHA256', value: hash.digest('base64') };
    return { size, checksum };
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    // Each chunk is a buffer of its own, handed to the reader alone.
    try {
      return withOwnedChunks(await openFileReader(path, FILE_READ_CHUNK_BYTES));
    } catch (error) {
      throw wrapFsError(`opening ${path}`, error);
    }
  }

  async getSmall(key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > maxBytes) throw new StorageError(`${path} is ${size} bytes, more than the ${maxBytes} expected`);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw error instanceof StorageError ? error : wrapFsError(`reading ${path}`, error);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      const handle = await open(path, 'r');
      try {
        const out = Buffer.alloc(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(out, filled, length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return out.subarray(0, filled);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw wrapFsError(`reading ${path}`, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    const walk = async function* (this: LocalDirectoryStore, dir: string): AsyncGenerator<StoredObject> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return;
        throw wrapFsError(`listing ${dir}`, error);
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) yield* walk.call(this, path);
        else if (entry.isFile()) {
          const key = relative(this.root, path).split(sep).join('/');
          if (key.startsWith(prefix)) {
            const info = await stat(path);
            yield { key, size: info.size, storedAt: new Date(info.mtimeMs) };
          }
        }
      }
    };
    yield* walk.call(this, this.root);
  }

  async listDebris(before: Date): Promise<Debris[]> {
    const debris: Debris[] = [];
    for await (const object of this.list()) {
      if (!PARTIAL_FILE.test(basename(object.key))) continue;
      const modified = (await stat(this.pathOf(object.key))).mtime;
      if (modified < before) debris.push({ key: object.key, kind: 'partial-file', since: modified.toISOString() });
    }
    return debris;
  }

  async removeDebris(items: Debris[]): Promise<void> {
    for (const item of items) {
      await unlink(this.pathOf(item.key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw wrapFsError(`removing ${item.key}`, error);
      });
    }
  }

  async delete(keys: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = [];
    for (const key of keys) {
      const path = this.pathOf(key);
      try {
        await unlink(path);
        outcomes.push({ key, deleted: true });
      } catch (error) {
        if (errorCode(error) === 'ENOENT') outcomes.push({ key, deleted: true });
        else throw wrapFsError(`deleting ${path}`, error);
      }
      await this.removeEmptyParents(dirname(path));
    }
    return outcomes;
  }

  private async removeEmptyParents(dir: string): Promise<void> {
    while (dir.startsWith(this.root + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      dir = dirname(dir);
    }
  }
}

function wrapFsError(what: string, error: unknown): StorageError {
  const code = errorCode(error);
  const hint = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'check the directory permissions' : undefined;
  return new StorageError(`${what} failed: ${errorMessage(error)}`, { cause: error, ...(hint ? { hint } : {}) });
}
