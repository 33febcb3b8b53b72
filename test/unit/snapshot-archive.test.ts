import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import type { Gunzip } from 'node:zlib';
import { SnapshotInvalidError } from '../../src/errors.js';
import { parseSha256Sums } from '../../src/snapshot/archive-rules.js';
import { ArchiveInspection } from '../../src/snapshot/archive-validator.js';
import { checkSnapshotInThread, checkSnapshotOffThread, checkSnapshotThroughEncryptor, validateSnapshotStream } from '../harness/snapshot-check.js';
import { syntheticSnapshot, type SyntheticSnapshotOptions } from '../harness/synthetic-snapshot.js';
import { collect } from './crypto-helpers.js';

// verify ends in the check on a worker thread, a backup's encryptor hands it each sealed chunk; without the
// worker's bundle both run it in this thread; a restore checks in the stream: all must judge alike.
describe.each([
  ['in the stream', validateSnapshotStream],
  ['after the encryptor, on a worker thread', (source: Readable) => checkSnapshotThroughEncryptor(source, 'worker')],
  ['after the encryptor, in this thread', (source: Readable) => checkSnapshotThroughEncryptor(source, 'this thread')],
  ['on a worker thread', checkSnapshotOffThread],
  ['at the end of a pipeline, in this thread', checkSnapshotInThread],
])('snapshot archive validation %s', (_where, validateSnapshotStream) => {
  it('accepts a well-formed archive and reports its facts', async () => {
    const archive = await collect(syntheticSnapshot({ stateSize: 300_000 }));
    const size = archive.length; // the worker thread takes a chunk that owns its memory (it is transferred)
    const facts = await validateSnapshotStream(Readable.from([archive]));
    expect(facts.stateSize).toBe(300_000);
    expect(facts.meta.Index).toBe(1234);
    expect(facts.meta.Term).toBe(7);
    expect(facts.archiveSize).toBe(size);
  });

  it.each<[SyntheticSnapshotOptions['fault'], RegExp]>([
    ['bad-state-sum', /state\.bin does not match/],
    ['wrong-meta-size', /meta\.json says state\.bin is/],
    ['missing-sealed', /expected exactly/],
    ['empty-sealed', /SHA256SUMS\.sealed is empty/],
    ['extra-entry', /unexpected entry "notes\.txt"/],
    ['reordered', /expected exactly/],
    ['bad-sums-line', /malformed line/],
  ])('rejects an archive with fault %s', async (fault, message) => {
    const archive = await collect(syntheticSnapshot({ stateSize: 50_000, fault }));
    const result = validateSnapshotStream(Readable.from([archive]));
    await expect(result).rejects.toBeInstanceOf(SnapshotInvalidError);
    await expect(result).rejects.toThrow(message);
  });

  it.each([0.1, 0.5, 0.9, 0.999])('rejects an archive cut at %f of its length', async (fraction) => {
    const archive = await collect(syntheticSnapshot({ stateSize: 200_000 }));
    const cut = archive.subarray(0, Math.floor(archive.length * fraction));
    await expect(validateSnapshotStream(Readable.from([cut]))).rejects.toBeInstanceOf(SnapshotInvalidError);
  });

  it('rejects an empty stream', async () => {
    await expect(validateSnapshotStream(Readable.from([]))).rejects.toBeInstanceOf(SnapshotInvalidError);
  });

  it('rejects bytes that are not gzip at all', async () => {
    await expect(validateSnapshotStream(Readable.from([Buffer.from('{"errors":["permission denied"]}')]))).rejects.toThrow(/unreadable/);
  });

  it('reads chunks that share memory without taking it from their owner', async () => {
    const archive = await collect(syntheticSnapshot({ stateSize: 100_000 }));
    const copy = Buffer.from(archive);
    const pieces = Array.from({ length: Math.ceil(archive.length / 1000) }, (_, i) => archive.subarray(i * 1000, (i + 1) * 1000));
    expect((await validateSnapshotStream(Readable.from(pieces))).stateSize).toBe(100_000);
    expect(archive.equals(copy)).toBe(true);
  });

  it('checks an archive of many MiB that arrives in pieces of every size', async () => {
    // Larger than the worker's buffers and its pieces in flight together, so each buffer is reused.
    const archive = await collect(syntheticSnapshot({ stateSize: 12 * 1024 * 1024 + 777 }));
    const pieces: Buffer[] = [];
    for (let at = 0, size = 1; at < archive.length; at += size, size = ((size * 7 + 13) % 300_000) + 1) pieces.push(archive.subarray(at, at + size));
    expect((await validateSnapshotStream(Readable.from(pieces))).stateSize).toBe(12 * 1024 * 1024 + 777);
  });
});

describe('SHA256SUMS parsing', () => {
  const h = 'a'.repeat(64);
  it.each([
    [`${h}  meta.json\n${h}  state.bin\n`, true],
    [`${h}  state.bin\n${h}  meta.json\n`, true],
    [`${h}  meta.json\n`, false],
    [`${h}  meta.json\n${h}  meta.json\n${h}  state.bin\n`, false],
    [`${h.toUpperCase()}  meta.json\n${h}  state.bin\n`, false],
    [`${h}  meta.json\n${h}  state.bin\n${h}  other\n`, false],
  ])('%j valid=%s', (text, valid) => {
    if (valid) expect(parseSha256Sums(text).size).toBe(2);
    else expect(() => parseSha256Sums(text)).toThrow(SnapshotInvalidError);
  });
});

describe('the archive inspection written to without waiting for each write', () => {
  // The worker writes each piece as it arrives and holds its sender back by the buffers it gives back,
  // not by awaiting each write: the writes waiting for gunzip's drain must share one listener.
  it('waits for the drain with one listener however many writes wait, and checks the archive', async () => {
    const archive = await collect(syntheticSnapshot({ stateSize: 24 * 1024 * 1024, seed: 'no-await', gzipLevel: 0 }));
    const inspection = new ArchiveInspection();
    const gunzip = (inspection as unknown as { gunzip: Gunzip }).gunzip;
    const before = { drain: gunzip.listenerCount('drain'), error: gunzip.listenerCount('error') };
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const writes: Promise<void>[] = [];
      let most = { drain: 0, error: 0 };
      for (let at = 0; at < archive.length; at += 1024 * 1024) {
        writes.push(inspection.write(Buffer.from(archive.subarray(at, at + 1024 * 1024))));
        most = { drain: Math.max(most.drain, gunzip.listenerCount('drain')), error: Math.max(most.error, gunzip.listenerCount('error')) };
      }
      expect(writes.length).toBeGreaterThan(20);
      expect(most).toEqual({ drain: before.drain + 1, error: before.error + 1 });
      await Promise.all(writes);
      const facts = await inspection.end();
      expect(facts.stateSize).toBe(24 * 1024 * 1024);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
