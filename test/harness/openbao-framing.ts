/**
 * A snapshot body framed as OpenBao 2.x sends it: chunked transfer encoding, chunks of 2048 and 63,492
 * bytes in turn (measured on `bao server` with raft storage). Each 64 KiB socket read then holds pieces of
 * two chunks and their framing, as against a real server; a server writing 1 MiB chunks hands the client
 * whole reads, and hides what smaller pieces cost. The benchmark's server (bench/snapshot-server, in Go)
 * frames the same way; its test checks that both put the same bytes on the wire.
 */
import { setImmediate } from 'node:timers/promises';

const SIZES = [2048, 63_492];

/** Re-chunks a stream of buffers into the pieces OpenBao writes (one `write`, so one HTTP chunk, each). */
export async function* openBaoChunks(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let turn = 0;
  let pending: Buffer = Buffer.alloc(0);
  for await (const data of source) {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    let offset = 0;
    while (pending.length - offset >= SIZES[turn]!) {
      yield pending.subarray(offset, offset + SIZES[turn]!);
      // Node's server joins writes of one tick into one chunk.
      await setImmediate();
      offset += SIZES[turn]!;
      turn = 1 - turn;
    }
    pending = pending.subarray(offset);
  }
  if (pending.length) yield pending;
}
