/**
 * The snapshot download (VaultHttp.download) against small servers on 127.0.0.1 that frame the body as
 * OpenBao does, stall, never answer or refuse, each recording what it received.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { VaultError } from '../../src/errors.js';
import { hasOwnedChunks } from '../../src/util/owned-chunks.js';
import { BODY_TIMEOUT, VaultHttp } from '../../src/vault/vault-http.js';
import type { VaultSettings } from '../../src/vault/vault-settings.js';
import { openBaoChunks } from '../harness/openbao-framing.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done).closeAllConnections())));
});

/** A server answering every request with `answer`; it records each request's path and headers. */
async function serve(answer: (res: ServerResponse) => void | Promise<void>) {
  const received: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    void answer(res);
  });
  servers.push(server);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function http(address: string, timeouts: { requestTimeoutMs?: number; idleTimeoutMs?: number } = {}, namespace?: string) {
  const settings: VaultSettings = {
    address,
    requestTimeoutMs: timeouts.requestTimeoutMs ?? 10_000,
    idleTimeoutMs: timeouts.idleTimeoutMs ?? 10_000,
    ...(namespace ? { namespace } : {}),
    auth: { method: 'token', token: 'unused' },
  };
  return new VaultHttp(settings);
}

/** Answers 200 with `body` framed as OpenBao frames its snapshot. */
function openBaoFramed(res: ServerResponse, body: Buffer): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/gzip' });
  return pipeline(Readable.from([body]), openBaoChunks, res);
}

describe('VaultHttp.download', () => {
  it("delivers OpenBao's framed body intact, in pieces that each own their memory, with the token and namespace", async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const server = await serve((res) => openBaoFramed(res, body));
    const stream = await http(server.address, {}, 'team-a').download('sys/storage/raft/snapshot', { token: 'the-token' });
    expect(hasOwnedChunks(stream)).toBe(true);
    // Listening after the download's own listener: by then each socket read that was a buffer of its own is freed.
    let reads = 0;
    let freed = 0;
    (stream as IncomingMessage).socket.on('data', (read: Buffer) => {
      reads++;
      if (read.byteLength === 0) freed++;
    });
    const hash = createHash('sha256');
    let pieces = 0;
    let owning = 0;
    for await (const piece of stream as AsyncIterable<Buffer>) {
      pieces++;
      if (piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength) owning++;
      hash.update(piece);
    }
    expect(hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    expect(owning).toBe(pieces);
    expect(reads).toBeGreaterThan(10);
    expect(freed).toBeGreaterThan(reads / 2);
    expect(server.received).toEqual([
      expect.objectContaining({
        url: '/v1/sys/storage/raft/snapshot',
        headers: expect.objectContaining({ 'x-vault-token': 'the-token', 'x-vault-namespace': 'team-a' }),
      }),
    ]);
  });

  it('waits for a reader that is behind for longer than the idle timeout: that is not the server stalling', async () => {
    const body = randomBytes(8 * 1024 * 1024);
    const server = await serve((res) => openBaoFramed(res, body));
    const stream = await http(server.address, { idleTimeoutMs: 300 }).download('sys/storage/raft/snapshot', { token: 't' });
    let received = 0;
    let waited = false;
    await pipeline(
      stream,
      new Writable({
        highWaterMark: 16 * 1024,
        write(piece: Buffer, _enc, done) {
          received += piece.length;
          // Once, well into the body: take far longer than the idle timeout (the socket's buffers fill meanwhile).
          if (!waited && received > 1024 * 1024) {
            waited = true;
            void sleep(1200).then(() => done());
          } else done();
        },
      }),
    );
    expect(waited).toBe(true);
    expect(received).toBe(body.length);
  });

  it('fails the body with the idle timeout when the server stops sending while the reader wants more', async () => {
    const server = await serve((res) => {
      res.writeHead(200);
      res.write(randomBytes(100_000)); // then nothing, and the connection stays open
    });
    const stream = await http(server.address, { idleTimeoutMs: 300 }).download('sys/storage/raft/snapshot', { token: 't' });
    const started = Date.now();
    const drained = pipeline(stream, new Writable({ write: (_piece, _enc, done) => done() }));
    await expect(drained).rejects.toMatchObject({ code: BODY_TIMEOUT });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says the server did not answer in time, naming the setting, when no answer comes', async () => {
    const server = await serve(() => undefined); // accepts, never answers
    const download = http(server.address, { requestTimeoutMs: 300 }).download('sys/storage/raft/snapshot', { token: 't' });
    await expect(download).rejects.toBeInstanceOf(VaultError);
    await expect(download).rejects.toThrow(/did not answer sys\/storage\/raft\/snapshot in time/);
    await expect(download.catch((error: VaultError) => error.hint)).resolves.toMatch(/vault-timeout-seconds/);
  });

  it("turns a refusal into a VaultError with Vault's own error text and a hint", async () => {
    const server = await serve((res) => {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: ['permission denied'] }));
    });
    const download = http(server.address).download('sys/storage/raft/snapshot', { token: 't' });
    await expect(download).rejects.toThrow(/refused \(403 permission denied\): permission denied/);
    await expect(download.catch((error: VaultError) => error.hint)).resolves.toMatch(/policy/);
  });

  it('goes through a unix socket when one is set, with the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-download-'));
    const socketPath = join(dir, 'server.sock');
    const received: IncomingHttpHeaders[] = [];
    const body = randomBytes(200_000);
    const server = createServer((req, res) => {
      received.push(req.headers);
      void openBaoFramed(res, body);
    });
    servers.push(server);
    await new Promise<void>((ready) => server.listen(socketPath, ready));
    try {
      const settings: VaultSettings = {
        address: 'unix://restore-cluster',
        socketPath,
        requestTimeoutMs: 10_000,
        idleTimeoutMs: 10_000,
        auth: { method: 'token', token: 'unused' },
      };
      const stream = await new VaultHttp(settings).download('sys/storage/raft/snapshot', { token: 'socket-token' });
      const pieces: Buffer[] = [];
      for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(Buffer.from(piece));
      expect(Buffer.concat(pieces).equals(body)).toBe(true);
      expect(received).toEqual([expect.objectContaining({ 'x-vault-token': 'socket-token', host: 'localhost' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a refused connection as unreachable, naming the address', async () => {
    const server = await serve(() => undefined);
    const address = server.address;
    await new Promise((done) => servers.pop()!.close(done));
    await expect(http(address).download('sys/storage/raft/snapshot', { token: 't' })).rejects.toThrow(
      new RegExp(`cannot reach Vault at ${address.replace(/\./g, '\\.')} .*ECONNREFUSED`),
    );
  });
});
