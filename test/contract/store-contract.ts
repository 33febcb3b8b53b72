/**
 * What every BackupStore must do, as one suite each store runs (local directory, S3, memory, and any
 * store added later): stream without holding the object, never replace, prove what it stored by
 * its own checksum, leave nothing behind when a write is cut, copy server-side, list, delete, and
 * report retention-locked objects as retained.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectExistsError, StorageError } from '../../src/errors.js';
import type { BackupStore, StoredObject } from '../../src/storage/backup-store.js';
import { copyProblem, uploadProblem } from '../../src/storage/checksum-proof.js';
import { collect } from '../unit/crypto-helpers.js';

export interface StoreUnderTest {
  store: BackupStore;
  /** Puts a retention lock on an object, where the store has such a thing. */
  lock?: (key: string) => Promise<void>;
}

const MiB = 1024 * 1024;

/** A body in 64 KiB chunks, optionally failing after `failAfter` bytes. */
function body(data: Buffer, failAfter?: number): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && at >= failAfter) {
        this.destroy(new Error('connection to the snapshot source was cut'));
        return;
      }
      if (at >= data.length) return void this.push(null);
      this.push(data.subarray(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

const keys = async (store: BackupStore, prefix = '') => {
  const found: StoredObject[] = [];
  for await (const o of store.list(prefix)) found.push(o);
  return found;
};

/** `open` gives a fresh, empty store for each test; `sizes.large` should span several upload parts where the store has parts. */
export function storeContract(name: string, open: () => Promise<StoreUnderTest>, sizes: { large: number } = { large: 11 * MiB }): void {
  describe(`BackupStore contract: ${name}`, () => {
    it('streams a new object and reports, by its own checksum, that it holds exactly what was sent', async () => {
      const { store } = await open();
      await store.checkAccess();
      const data = randomBytes(sizes.large);
      const put = await store.putNew('daily/2025-11-26/a.enc', body(data));
      expect(put).toMatchObject({ key: 'daily/2025-11-26/a.enc', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      const state = await store.stat('daily/2025-11-26/a.enc');
      expect(state?.size).toBe(data.length);
      // The digest the store reports is the one computed from the bytes sent (labels differ between stores).
      expect(state?.checksum?.value).toBe(put.sentChecksum.value);
      expect(uploadProblem({ size: data.length, checksum: put.sentChecksum }, state)).toBeUndefined();
      if (put.sentChecksum.algorithm === 'SHA256') expect(put.sentChecksum.value).toBe(createHash('sha256').update(data).digest('base64'));
      expect((await collect(await store.get('daily/2025-11-26/a.enc'))).equals(data)).toBe(true);
    });

    it('never replaces: a second putNew, putSmallNew or copyNew to a taken key fails with ObjectExistsError and the first bytes stay', async () => {
      const { store } = await open();
      const first = randomBytes(1000);
      await store.putNew('k/a.enc', body(first));
      await store.putSmallNew('k/a.json', Buffer.from('{"first":true}'));
      await expect(store.putNew('k/a.enc', body(randomBytes(1000)))).rejects.toBeInstanceOf(ObjectExistsError);
      await expect(store.putSmallNew('k/a.json', Buffer.from('{}'))).rejects.toBeInstanceOf(ObjectExistsError);
      await expect(store.copyNew('k/a.json', 'k/a.enc')).rejects.toBeInstanceOf(ObjectExistsError);
      expect((await collect(await store.get('k/a.enc'))).equals(first)).toBe(true);
      expect((await store.getSmall('k/a.json')).toString()).toBe('{"first":true}');
    });

    it('a body that fails part-way leaves no object, nothing listed, and no debris of the write', async () => {
      const { store } = await open();
      const data = randomBytes(sizes.large);
      await expect(store.putNew('cut/b.enc', body(data, Math.floor(sizes.large / 2)))).rejects.toThrow();
      expect(await store.stat('cut/b.enc')).toBeUndefined();
      expect(await keys(store)).toEqual([]);
      expect(await store.listDebris(new Date(Date.now() + 86_400_000))).toEqual([]);
      // The key is still free.
      await store.putNew('cut/b.enc', body(data.subarray(0, 1000)));
      expect((await store.stat('cut/b.enc'))?.size).toBe(1000);
    });

    it('copies server-side to a new key: same bytes, and a checksum that proves them', async () => {
      const { store } = await open();
      const data = randomBytes(sizes.large);
      await store.putNew('daily/x.enc', body(data));
      const original = await store.stat('daily/x.enc');
      const copy = await store.copyNew('daily/x.enc', 'monthly/x.enc');
      expect(copy.size).toBe(data.length);
      // Either the whole object's SHA-256 or, for a copy in parts, the upload's own composite digest.
      expect([createHash('sha256').update(data).digest('base64'), original!.checksum!.value]).toContain(copy.checksum?.value);
      expect(
        copyProblem(copy, { size: data.length, sha256Hex: createHash('sha256').update(data).digest('hex'), storedChecksum: original!.checksum! }),
      ).toBeUndefined();
      expect((await collect(await store.get('monthly/x.enc'))).equals(data)).toBe(true);
    });

    it('lists keys relative to its root, with sizes and the time it wrote them, in every folder, filtered by prefix', async () => {
      const { store } = await open();
      // Stores keep whole seconds (S3's LastModified); a server's clock may be a little off the test's.
      const before = Date.now() - 2_000;
      await store.putSmallNew('daily/2025-11-25/one.json', Buffer.alloc(3));
      await store.putNew('daily/2025-11-26/two.enc', body(randomBytes(70_000)));
      await store.putSmallNew('monthly/2025-11/three.json', Buffer.alloc(5));
      const after = Date.now() + 2_000;
      const all = (await keys(store)).sort((a, b) => (a.key < b.key ? -1 : 1));
      const written = expect.any(Date);
      expect(all).toEqual([
        { key: 'daily/2025-11-25/one.json', size: 3, storedAt: written },
        { key: 'daily/2025-11-26/two.enc', size: 70_000, storedAt: written },
        { key: 'monthly/2025-11/three.json', size: 5, storedAt: written },
      ]);
      for (const o of all) expect(o.storedAt.getTime()).toBeGreaterThanOrEqual(before);
      for (const o of all) expect(o.storedAt.getTime()).toBeLessThanOrEqual(after);
      expect((await keys(store, 'monthly/')).map((o) => o.key)).toEqual(['monthly/2025-11/three.json']);
      expect(await keys(store, 'nothing-here/')).toEqual([]);
    });

    it('reads a byte range: from the start, in the middle, across the end (fewer bytes), past the end (none)', async () => {
      const { store } = await open();
      const data = randomBytes(sizes.large);
      await store.putNew('daily/2025-11-26/r.enc', body(data));
      expect((await store.getRange('daily/2025-11-26/r.enc', 0, 100)).equals(data.subarray(0, 100))).toBe(true);
      const middle = Math.floor(data.length / 2);
      expect((await store.getRange('daily/2025-11-26/r.enc', middle, 70_000)).equals(data.subarray(middle, middle + 70_000))).toBe(true);
      expect((await store.getRange('daily/2025-11-26/r.enc', data.length - 10, 100)).equals(data.subarray(data.length - 10))).toBe(true);
      expect((await store.getRange('daily/2025-11-26/r.enc', data.length, 100)).length).toBe(0);
    });

    it('reads small objects whole, and refuses one larger than the caller expects', async () => {
      const { store } = await open();
      await store.putSmallNew('m.json', Buffer.from('x'.repeat(2000)));
      expect((await store.getSmall('m.json')).length).toBe(2000);
      await expect(store.getSmall('m.json', 1000)).rejects.toBeInstanceOf(StorageError);
    });

    it('a missing key: stat is undefined, get and getSmall fail with a StorageError', async () => {
      const { store } = await open();
      expect(await store.stat('no/such.enc')).toBeUndefined();
      await expect(store.getSmall('no/such.json')).rejects.toBeInstanceOf(StorageError);
      await expect((async () => collect(await store.get('no/such.enc')))()).rejects.toBeInstanceOf(StorageError);
    });

    it('deletes in a batch; a key already gone counts as deleted', async () => {
      const { store } = await open();
      await store.putSmallNew('d/1.json', Buffer.alloc(1));
      await store.putSmallNew('d/2.json', Buffer.alloc(1));
      const outcomes = await store.delete(['d/1.json', 'd/2.json', 'd/never.json']);
      expect(outcomes.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
        { key: 'd/1.json', deleted: true },
        { key: 'd/2.json', deleted: true },
        { key: 'd/never.json', deleted: true },
      ]);
      expect(await keys(store)).toEqual([]);
    });
  });
}

/** For stores with retention locks: a locked object is reported as retained, with the store's reason, and stays. */
export function retentionLockContract(name: string, open: () => Promise<Required<StoreUnderTest>>): void {
  describe(`BackupStore contract: ${name} retention locks`, () => {
    it('reports a locked object as retained and keeps it; the unlocked one in the same batch goes', async () => {
      const { store, lock } = await open();
      await store.putSmallNew('l/locked.json', Buffer.from('a'));
      await store.putSmallNew('l/free.json', Buffer.from('b'));
      await lock('l/locked.json');
      const outcomes = await store.delete(['l/locked.json', 'l/free.json']);
      expect(outcomes.find((o) => o.key === 'l/free.json')).toEqual({ key: 'l/free.json', deleted: true });
      expect(outcomes.find((o) => o.key === 'l/locked.json')).toMatchObject({ key: 'l/locked.json', deleted: false, retainedBecause: expect.any(String) });
      expect(await store.stat('l/locked.json')).toBeDefined();
    });
  });
}
