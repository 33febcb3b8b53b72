// Profiling aid: serve a snapshot archive like sys/storage/raft/snapshot on 127.0.0.1:PORT.
//   node bench/serve-snapshot.mjs FILE PORT
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { openBaoChunks } from '../test/harness/openbao-framing.ts';

const [file, port] = process.argv.slice(2);
createServer((req, res) => {
  const json = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.url.startsWith('/v1/sys/health')) return json({ initialized: true, sealed: false, standby: false, version: 'bench' });
  if (req.url.startsWith('/v1/sys/seal-status')) return json({ type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 });
  if (req.url.startsWith('/v1/sys/leader')) return json({ is_self: true });
  if (req.url.startsWith('/v1/sys/storage/raft/snapshot')) {
    res.writeHead(200, { 'content-type': 'application/gzip' });
    return void pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), openBaoChunks, res).catch(() => undefined);
  }
  res.writeHead(404).end();
}).listen(Number(port), '127.0.0.1');
