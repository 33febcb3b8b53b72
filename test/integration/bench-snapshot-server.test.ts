/**
 * The benchmark's stand-in for Vault (bench/snapshot-server, a Go program): the bytes it puts on the wire
 * are OpenBao's framing, the same as the framing the download tests use (test/harness/openbao-framing.ts),
 * and the body is the file it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openBaoChunks } from '../harness/openbao-framing.js';
import { startSnapshotServer, type SnapshotServer } from '../harness/snapshot-server.js';

const dir = mkdtempSync(join(tmpdir(), 'snapshot-server-test-'));
// Three pairs of chunks and a piece of a fourth: the last chunk is shorter than its turn.
const body = randomBytes(3 * (2048 + 63_492) + 1000);
const file = join(dir, 'snapshot.tar.gz');
let server: SnapshotServer;
let address: URL;

beforeAll(async () => {
  writeFileSync(file, body);
  server = await startSnapshotServer(file);
  address = new URL(server.url);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The raw response to GET `path`: status line and headers, and the body as it came, framing and all. */
function rawGet(host: string, port: number, path: string): Promise<{ head: string; body: Buffer }> {
  return new Promise((done, fail) => {
    const socket = connect(port, host, () => socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`));
    const reads: Buffer[] = [];
    socket.on('data', (read: Buffer) => reads.push(read));
    socket.on('error', fail);
    socket.on('end', () => {
      const all = Buffer.concat(reads);
      const end = all.indexOf('\r\n\r\n');
      done({ head: all.subarray(0, end).toString(), body: all.subarray(end + 4) });
    });
  });
}

/** Chunk sizes and data of a chunked body, checking each chunk's framing. */
function unchunk(raw: Buffer): { sizes: number[]; data: Buffer } {
  const sizes: number[] = [];
  const data: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString(), 16);
    sizes.push(size);
    data.push(raw.subarray(eol + 2, eol + 2 + size));
    expect(raw.subarray(eol + 2 + size, eol + 4 + size).toString()).toBe('\r\n');
    at = eol + 4 + size;
    if (size === 0) break;
  }
  expect(at).toBe(raw.length);
  return { sizes, data: Buffer.concat(data) };
}

describe('the benchmark snapshot server', () => {
  it('sends the file in chunks of 2048 and 63,492 bytes in turn, byte for byte as the framing the download tests use', async () => {
    const go = await rawGet(address.hostname, Number(address.port), '/v1/sys/storage/raft/snapshot');
    expect(go.head).toMatch(/^HTTP\/1\.1 200 /);
    expect(go.head.toLowerCase()).toContain('transfer-encoding: chunked');
    const { sizes, data } = unchunk(go.body);
    expect(sizes).toEqual([2048, 63_492, 2048, 63_492, 2048, 63_492, 1000, 0]);
    expect(data.equals(body)).toBe(true);

    const node: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      void pipeline(Readable.from([body]), openBaoChunks, res);
    });
    await new Promise<void>((listening) => node.listen(0, '127.0.0.1', listening));
    try {
      const framed = await rawGet('127.0.0.1', (node.address() as AddressInfo).port, '/');
      expect(framed.body.equals(go.body)).toBe(true);
    } finally {
      node.close();
    }
  });

  it('answers the health, seal status and leader requests a backup makes first, and nothing else', async () => {
    const get = async (path: string) => {
      const res = await fetch(new URL(path, address));
      return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined };
    };
    expect(await get('/v1/sys/health')).toEqual({ status: 200, body: expect.objectContaining({ initialized: true, sealed: false, standby: false }) });
    expect(await get('/v1/sys/seal-status')).toEqual({ status: 200, body: expect.objectContaining({ sealed: false, n: 1, t: 1 }) });
    expect(await get('/v1/sys/leader')).toEqual({ status: 200, body: expect.objectContaining({ is_self: true }) });
    expect((await get('/v1/secret/data/anything')).status).toBe(404);
  });
});
