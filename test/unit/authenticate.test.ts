/**
 * authenticateEntry, one way to break a backup per row: what the cheap authentication prune relies on catches,
 * and (documented in docs/RELIABILITY.md) what only verify catches. A store in memory, genuine small backups.
 */
import { describe, expect, it } from '@jest/globals';
import { authenticateEntry, type Authentication } from '../../src/catalog/authenticate.js';
import { readCatalog } from '../../src/catalog/backup-catalog.js';
import { createOpener } from '../../src/crypto/key-setup.js';
import { encodeManifest, parseManifest } from '../../src/manifest/manifest.js';
import { backupKey, manifestKeyOf, timeOfBackupId } from '../../src/naming/backup-names.js';
import { metaFromArchivePrefix } from '../../src/snapshot/meta-from-prefix.js';
import { MemoryStore } from '../harness/memory-store.js';
import { SEED_KEK, sealedBackup } from '../harness/sealed-backup.js';
import { collect } from './crypto-helpers.js';
import { syntheticSnapshot } from '../harness/synthetic-snapshot.js';

const KEY = backupKey('daily', new Date('2025-11-26T02:00:00Z'));
const opener = createOpener([SEED_KEK], undefined);

type Damage = (object: Buffer, manifest: Buffer) => { object?: Buffer; manifest?: Buffer; key?: string; storedAt?: Date; opener?: typeof opener };

async function authenticate(damage: Damage = () => ({}), stateSize = 20_000): Promise<Authentication> {
  // State in 4 KiB chunks: first chunks, middle ones and a final one.
  const genuine = await sealedBackup(KEY, { stateSize });
  const changed = damage(Buffer.from(genuine.object), genuine.manifest);
  const key = changed.key ?? KEY;
  const store = new MemoryStore();
  if (changed.storedAt) store.now = () => changed.storedAt!;
  await store.putSmallNew(key, changed.object ?? genuine.object);
  const manifest = changed.manifest ?? genuine.manifest;
  await store.putSmallNew(
    manifestKeyOf(key),
    key === KEY ? manifest : encodeManifest({ ...parseManifest(manifest), objectKey: key, backupId: key.split('/').at(-1)!.replace('.enc', '') }),
  );
  const entry = (await readCatalog(store)).backups[0]!;
  return authenticateEntry(store, changed.opener ?? opener, entry);
}

const flip = (data: Buffer, at: number) => {
  data[at] = data[at]! ^ 1;
  return data;
};

describe('authenticateEntry', () => {
  it('accepts a genuine backup, with the raft facts of its meta.json', async () => {
    const genuine = await sealedBackup(KEY, { stateSize: 20_000 });
    await expect(authenticate()).resolves.toEqual({ ok: true, raft: { index: genuine.facts.raft.index, term: 7, stateSize: 20_000 } });
  });

  it.each<[string, Damage, RegExp]>([
    ['random bytes of the right size', (o) => ({ object: Buffer.alloc(o.length, 0x42) }), /its header: not an encrypted vault-backup file/],
    ['a flipped bit in the header', (o) => ({ object: flip(o, 100) }), /its header: /],
    ['a flipped bit in the first chunk', (o) => ({ object: flip(o, o.length - 20_000) }), /chunk 0 does not authenticate/],
    ['the final chunk cut short (size in the manifest too)', (o, m) => cutShort(o, m, 100), /final chunk \(\d+\) does not authenticate/],
    ['bytes appended (size in the manifest too)', (o, m) => extended(o, m), /final chunk \(\d+\) does not authenticate/],
    ['a size that differs from the manifest', (o) => ({ object: o.subarray(0, o.length - 1) }), /is \d+ bytes, its manifest says \d+/],
    [
      'copied under another backup name',
      () => ({ key: backupKey('daily', new Date('2025-11-26T03:00:00Z')) }),
      /manifest disagree \(backup id vault-snapshot-20251126-020000 vs vault-snapshot-20251126-030000\)/,
    ],
    ['a key not in the keyring', () => ({ opener: createOpener([{ id: 'other', key: Buffer.alloc(32, 1) }], undefined) }), /unknown key id "seed-key"/],
    [
      'a manifest whose raft index differs from the snapshot',
      (_o, m) => ({ manifest: edit(m, (x) => (x.raft.index += 1)) }),
      /its snapshot is raft index \d+, .* but its manifest says/,
    ],
    [
      'a manifest that names another key',
      (_o, m) => ({ manifest: edit(m, (x) => (x.encryption.keyId = 'other')) }),
      /authenticated header and its manifest disagree \(key id seed-key vs other\)/,
    ],
    [
      'stored an hour before the time in its name',
      () => ({ storedAt: new Date('2025-11-26T01:00:00Z') }),
      /the store recorded it at 2025-11-26T01:00:00\.000Z, before the time in its name/,
    ],
  ])('refuses %s', async (_what, damage, problem) => {
    const result = await authenticate(damage);
    expect(result).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  });

  it('does not see a flipped bit in a middle chunk: only verify reads every chunk (docs/RELIABILITY.md)', async () => {
    // 200 KB: the first 16 KiB of plaintext and the final chunk are read, chunk 24 of 49 is not.
    await expect(authenticate((o) => ({ object: flip(o, Math.floor(o.length / 2)) }), 200_000)).resolves.toMatchObject({ ok: true });
  });

  it('accepts a store time within the clock-skew allowance, and any time after the name', async () => {
    await expect(authenticate(() => ({ storedAt: new Date('2025-11-26T01:56:00Z') }))).resolves.toMatchObject({ ok: true });
    await expect(authenticate(() => ({ storedAt: new Date('2026-06-01T00:00:00Z') }))).resolves.toMatchObject({ ok: true });
  });
});

describe('metaFromArchivePrefix', () => {
  it('reads meta.json from the first bytes of a compressed and of a stored archive', async () => {
    for (const gzipLevel of [0, 6]) {
      const archive = await collect(syntheticSnapshot({ stateSize: 100_000, index: 42, term: 3, gzipLevel }));
      await expect(metaFromArchivePrefix(archive.subarray(0, 4096))).resolves.toMatchObject({ meta: { Index: 42, Term: 3, Size: 100_000 } });
    }
  });

  it('says why when the bytes are not gzip, or end before meta.json does, or the archive starts with another entry', async () => {
    await expect(metaFromArchivePrefix(Buffer.from('meta.json\0not gzip'))).resolves.toEqual({ problem: expect.stringMatching(/does not start as gzip/) });
    const archive = await collect(syntheticSnapshot({ stateSize: 1000, gzipLevel: 0 }));
    await expect(metaFromArchivePrefix(archive.subarray(0, 200))).resolves.toEqual({ problem: expect.stringMatching(/not complete at the start/) });
    const reordered = await collect(syntheticSnapshot({ stateSize: 1000, fault: 'reordered' }));
    await expect(metaFromArchivePrefix(reordered)).resolves.toEqual({ problem: expect.stringMatching(/starts with "state\.bin", not meta\.json/) });
  });
});

describe('timeOfBackupId', () => {
  it.each([
    ['vault-snapshot-20251126-020000', '2025-11-26T02:00:00.000Z'],
    ['vault-snapshot-20250230-020000', undefined],
    ['vault-snapshot-20251126-020000.enc', undefined],
    ['snapshot-20251126-020000', undefined],
  ])('%s → %s', (id, iso) => {
    expect(timeOfBackupId(id)?.toISOString()).toBe(iso);
  });
});

function cutShort(object: Buffer, manifest: Buffer, bytes: number) {
  const cut = object.subarray(0, object.length - bytes);
  return { object: cut, manifest: edit(manifest, (m) => (m.encrypted.size = cut.length)) };
}

function extended(object: Buffer, manifest: Buffer) {
  const longer = Buffer.concat([object, Buffer.alloc(16, 9)]);
  return { object: longer, manifest: edit(manifest, (m) => (m.encrypted.size = longer.length)) };
}

function edit(manifest: Buffer, change: (m: ReturnType<typeof parseManifest>) => void): Buffer {
  const m = parseManifest(manifest);
  change(m);
  return encodeManifest(m);
}
