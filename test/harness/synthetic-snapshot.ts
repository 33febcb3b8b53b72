/**
 * Builds raft snapshot archives shaped exactly like Vault's (gzip'd tar of meta.json, state.bin,
 * SHA256SUMS, SHA256SUMS.sealed), streaming, of any size, with optional faults for negative tests.
 * state.bin is an AES-CTR keystream: incompressible and reproducible from its seed.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export interface SyntheticSnapshotOptions {
  stateSize: number;
  seed?: string;
  /** meta.json's raft index and term (1234 and 7 unless set). */
  index?: number;
  term?: number;
  /** gzip level; OpenBao >= 2.6 stores (level 0), older servers compress. */
  gzipLevel?: number;
  fault?: 'bad-state-sum' | 'wrong-meta-size' | 'missing-sealed' | 'empty-sealed' | 'extra-entry' | 'reordered' | 'bad-sums-line';
}

const CHUNK = 1024 * 1024;

export function keystream(seed: string, size: number): Readable {
  const key = createHash('sha256').update(`key:${seed}`).digest();
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

export function syntheticSnapshot(options: SyntheticSnapshotOptions): Readable {
  const out = new PassThrough();
  const pack = tar.pack();
  const seed = options.seed ?? 'state';
  const meta = Buffer.from(
    JSON.stringify({
      Version: 1,
      ID: 'bolt-snapshot',
      Index: options.index ?? 1234,
      Term: options.term ?? 7,
      Peers: null,
      Configuration: { Servers: [{ Suffrage: 0, ID: 'node1', Address: '127.0.0.1:8201' }] },
      ConfigurationIndex: 1,
      Size: options.fault === 'wrong-meta-size' ? options.stateSize + 1 : options.stateSize,
    }),
  );
  const entry = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length, mode: 0o600 }, body, (e) => (e ? reject(e) : resolve())));

  const build = async () => {
    const stateHash = createHash('sha256');
    const writeState = () =>
      new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name: 'state.bin', size: options.stateSize, mode: 0o600 }, (e) => (e ? reject(e) : resolve()));
        const source = keystream(seed, options.stateSize);
        source.on('data', (d: Buffer) => stateHash.update(d));
        source.pipe(sink as unknown as NodeJS.WritableStream);
      });
    if (options.fault === 'reordered') {
      await writeState();
      await entry('meta.json', meta);
    } else {
      await entry('meta.json', meta);
      await writeState();
    }
    let stateSum = stateHash.digest('hex');
    if (options.fault === 'bad-state-sum') stateSum = stateSum.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const metaSum = createHash('sha256').update(meta).digest('hex');
    const sums = options.fault === 'bad-sums-line' ? `${metaSum} meta.json\n${stateSum}  state.bin\n` : `${stateSum}  state.bin\n${metaSum}  meta.json\n`;
    await entry('SHA256SUMS', Buffer.from(sums));
    if (options.fault !== 'missing-sealed') {
      await entry('SHA256SUMS.sealed', options.fault === 'empty-sealed' ? Buffer.alloc(0) : Buffer.from('{"sealed":"not-checkable-offline"}'));
    }
    if (options.fault === 'extra-entry') await entry('notes.txt', Buffer.from('unexpected'));
    pack.finalize();
  };
  build().catch((error: Error) => out.destroy(error));
  pack.pipe(createGzip({ level: options.gzipLevel ?? 1 })).pipe(out);
  return out;
}
