/**
 * A BackupStore held in memory: the contract's reference implementation, for tests that need a store
 * without a server. Objects can be put under a retention lock, as S3 Object Lock does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectExistsError, StorageError } from '../../src/errors.js';
import type { BackupStore, Debris, DeleteOutcome, PutResult, StoredObject, StoredState } from '../../src/storage/backup-store.js';

export class MemoryStore implements BackupStore {
  readonly location = 'memory://test/';
  private readonly objects = new Map<string, Buffer>();
  private readonly locked = new Map<string, string>();
  private readonly storedAt = new Map<string, Date>();
  /** The store's own clock, for the time it records on each write (tests move it). */
  now: () => Date = () => new Date();

  async checkAccess(): Promise<void> {}

  /** Keeps `key` from deletion, like a retention lock, with the store's reason. */
  lock(key: string, because = 'retention lock until 2099-01-01'): void {
    this.locked.set(key, because);
  }

  private claim(key: string, data: Buffer): void {
    if (this.objects.has(key)) throw new ObjectExistsError(key, this.location);
    this.objects.set(key, data);
    this.storedAt.set(key, this.now());
  }

  async putNew(key: string, body: Readable): Promise<PutResult> {
    if (this.objects.has(key)) throw new ObjectExistsError(key, this.location);
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(Buffer.from(chunk as Buffer));
    const data = Buffer.concat(parts);
    this.claim(key, data);
    const digest = createHash('sha256').update(data).digest();
    return { key, size: data.length, sentChecksum: { algorithm: 'SHA256', value: digest.toString('base64') }, sha256: digest.toString('hex') };
  }

  async putSmallNew(key: string, data: Buffer): Promise<void> {
    this.claim(key, Buffer.from(data));
  }

  async copyNew(fromKey: string, toKey: string): Promise<StoredState> {
    const data = this.objects.get(fromKey);
    if (!data) throw new StorageError(`copying ${fromKey}: no such object`);
    this.claim(toKey, data);
    return (await this.stat(toKey))!;
  }

  async stat(key: string): Promise<StoredState | undefined> {
    const data = this.objects.get(key);
    return data ? { size: data.length, checksum: { algorithm: 'SHA256', value: createHash('sha256').update(data).digest('base64') } } : undefined;
  }

  async get(key: string): Promise<Readable> {
    const data = this.objects.get(key);
    if (!data) throw new StorageError(`reading ${key}: no such object`);
    return Readable.from([data]);
  }

  async getSmall(key: string, maxBytes = 1024 * 1024): Promise<Buffer> {
    const data = this.objects.get(key);
    if (!data) throw new StorageError(`reading ${key}: no such object`);
    if (data.length > maxBytes) throw new StorageError(`${key} is ${data.length} bytes, more than the ${maxBytes} expected`);
    return data;
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    const data = this.objects.get(key);
    if (!data) throw new StorageError(`reading ${key}: no such object`);
    return Buffer.from(data.subarray(start, start + length));
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    for (const key of [...this.objects.keys()].sort())
      if (key.startsWith(prefix)) yield { key, size: this.objects.get(key)!.length, storedAt: this.storedAt.get(key)! };
  }

  async delete(keys: string[]): Promise<DeleteOutcome[]> {
    return keys.map((key) => {
      const because = this.locked.get(key);
      if (because && this.objects.has(key)) return { key, deleted: false, retainedBecause: because };
      this.objects.delete(key);
      return { key, deleted: true };
    });
  }

  /** Writes are whole or absent here: nothing is ever left behind. */
  async listDebris(): Promise<Debris[]> {
    return [];
  }

  async removeDebris(): Promise<void> {}

  /** Replaces bytes in place, as damage in storage would (tests only). */
  tamper(key: string, at: number): void {
    const data = this.objects.get(key)!;
    data[at] = data[at]! ^ 0xff;
  }
}
