/**
 * meta.json read from the first bytes of a snapshot archive alone: it is the archive's first entry and at
 * most 8 KiB, so the start of the gzip stream holds it. Lets the catalog learn a backup's raft index, term
 * and state.bin size from authenticated plaintext without reading the whole backup.
 */
import { constants, gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ENTRY_LIMITS, parseMeta, type SnapshotMeta } from './archive-rules.js';

/** Compressed bytes enough for a tar header and the largest meta.json, with room for gzip's framing. */
export const META_PREFIX_BYTES = 16 * 1024;

/** meta.json from an archive's first bytes, or why it cannot be read there. */
export async function metaFromArchivePrefix(prefix: Buffer): Promise<{ meta: SnapshotMeta } | { problem: string }> {
  let tarBytes: Buffer;
  try {
    // A sync flush at the end decompresses what is there without demanding the rest of the stream.
    tarBytes = gunzipSync(prefix.subarray(0, META_PREFIX_BYTES), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 32 * 1024 * 1024 });
  } catch (error) {
    return { problem: `its snapshot does not start as gzip (${error instanceof Error ? error.message : String(error)})` };
  }
  const json = await firstEntry(tarBytes, 'meta.json', ENTRY_LIMITS['meta.json']);
  if ('problem' in json) return json;
  try {
    return { meta: parseMeta(json.data) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The first tar entry's bytes when it is `name` and complete within `bytes`. */
function firstEntry(bytes: Buffer, name: string, limit: number): Promise<{ data: Buffer } | { problem: string }> {
  return new Promise((resolve) => {
    const extract = tar.extract();
    let settled = false;
    const settle = (value: { data: Buffer } | { problem: string }) => {
      if (settled) return;
      settled = true;
      extract.destroy();
      resolve(value);
    };
    extract.on('entry', (header, entry) => {
      if (header.name !== name) return settle({ problem: `its snapshot archive starts with ${JSON.stringify(header.name)}, not ${name}` });
      if ((header.size ?? 0) > limit) return settle({ problem: `its ${name} is ${header.size} bytes, more than ${limit}` });
      const parts: Buffer[] = [];
      entry.on('data', (part: unknown) => parts.push(Buffer.from(part as Uint8Array)));
      entry.on('end', () => settle({ data: Buffer.concat(parts) }));
    });
    // The bytes end mid-archive on purpose: an error after the first entry ended changes nothing.
    extract.on('error', (error: Error) => settle({ problem: `its ${name} is not complete at the start of the archive (${error.message})` }));
    extract.on('finish', () => settle({ problem: `its snapshot archive holds no ${name}` }));
    extract.end(bytes);
  });
}
