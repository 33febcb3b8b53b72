import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { runCommand } from '../src/commands/commands.js';
import { MemoryLogger } from '../src/log.js';
const pack = tar.pack();
pack.entry({ name: 'meta.json' }, '{"Index":1,"Term":1,"Size":3000,"ID":"x","Version":1}');
pack.entry({ name: 'state.bin' }, Buffer.alloc(Number(process.argv[2] ?? 3000), 7));
pack.finalize();
const chunks: Buffer[] = [];
for await (const c of pack) chunks.push(c as Buffer);
const body = Buffer.concat(chunks);
const mode = process.argv[3] ?? 'len';
const server = createServer((req, res) => {
  const p = req.url ?? '';
  const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
  if (p.startsWith('/v1/sys/health')) return json({ initialized: true, sealed: false, standby: false, version: '2.7.2', cluster_id: 'h' });
  if (p.startsWith('/v1/sys/seal-status')) return json({ type: 'shamir', initialized: true, sealed: false, n: 1, t: 1 });
  if (p.startsWith('/v1/sys/leader')) return json({ is_self: true, leader_address: '', leader_cluster_address: '' });
  if (p.startsWith('/v1/auth/token/lookup-self')) return json({ data: { id: 'x' } });
  if (p.includes('raft/snapshot')) {
    if (mode === 'len') return res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    res.writeHead(200, { 'content-type': 'application/gzip' });
    res.write(body);
    return res.end();
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const dir = mkdtempSync(join(tmpdir(), 'hang2-'));
const t = Date.now();
const timer = setTimeout(() => {
  console.log('HANG after 15 s');
  process.exit(3);
}, 15000);
try {
  await runCommand(
    'backup',
    {
      target: join(dir, 'out'),
      'vault-address': `http://127.0.0.1:${port}`,
      'vault-auth-method': 'token',
      'vault-token': 'x',
      'encryption-key': Buffer.alloc(32, 1).toString('base64'),
    },
    { log: new MemoryLogger() },
  );
  console.log('passed?!');
} catch (e) {
  console.log('error in', Date.now() - t, (e as Error).message);
}
clearTimeout(timer);
server.close();
