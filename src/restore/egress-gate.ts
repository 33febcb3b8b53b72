/**
 * The only way out of a throwaway cluster's network namespace: an auto-unseal seal must reach its KMS or
 * transit server, and nothing else may be reached. Outside the namespace this gate listens on unix sockets in
 * the cluster's private directory (the namespace shares the file system, not the network):
 * - proxy.sock, an HTTP proxy (CONNECT, and plain http in absolute form) that lets through only the allowed
 *   host:port pairs, for endpoints named by host (the server gets HTTPS_PROXY/HTTP_PROXY);
 * - one direct-N.sock per allowed loopback endpoint, relayed as it is: Go's HTTP clients never use a proxy for
 *   loopback addresses.
 * Inside the namespace a small relay (RELAY_SCRIPT, run by this Node.js) listens on loopback ports and passes each
 * connection to its socket.
 */
import { request as httpRequest, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { endpointText, isLoopbackHost, type Endpoint } from './seal-stanza.js';

/** The proxy's port inside the namespace. */
export const PROXY_PORT = 3128;

/** What runs inside the namespace, given "host:port=/path/to.sock ..." and a file to create once all listen. */
export const RELAY_SCRIPT = `const net = require('net'); const fs = require('fs');
const [pairsArg, ready] = process.argv.slice(1);
const pairs = pairsArg.split(' ').filter(Boolean);
let waiting = pairs.length;
for (const pair of pairs) {
  const at = pair.indexOf('='); const listen = pair.slice(0, at); const socket = pair.slice(at + 1);
  const colon = listen.lastIndexOf(':');
  net.createServer((c) => {
    const u = net.connect(socket);
    c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
    c.pipe(u).pipe(c);
  }).listen(Number(listen.slice(colon + 1)), listen.slice(0, colon).replace(/^\\[|\\]$/g, ''), () => {
    if (--waiting === 0) fs.writeFileSync(ready, '');
  });
}`;

export interface Relay {
  /** Where the relay listens inside the namespace. */
  listen: Endpoint;
  socket: string;
}

export class EgressGate {
  /** Every host:port asked for and refused, in order (logged as it happens). */
  readonly refused: string[] = [];
  private readonly servers: Array<Server | ReturnType<typeof createServer>> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly allowed: Endpoint[],
    readonly relays: Relay[],
    /** The proxy URL the server gets, or undefined when every endpoint is on loopback. */
    readonly proxyUrl: string | undefined,
    private readonly log: Logger,
  ) {}

  static async open(dir: string, allowed: Endpoint[], log: Logger): Promise<EgressGate> {
    const direct = allowed.filter((e) => isLoopbackHost(e.host));
    const named = allowed.filter((e) => !isLoopbackHost(e.host));
    const relays: Relay[] = direct.map((e, i) => ({
      listen: { host: e.host === 'localhost' ? '127.0.0.1' : e.host, port: e.port },
      socket: join(dir, `direct-${i}.sock`),
    }));
    const proxySocket = join(dir, 'proxy.sock');
    if (named.length) relays.push({ listen: { host: '127.0.0.1', port: PROXY_PORT }, socket: proxySocket });
    const gate = new EgressGate(allowed, relays, named.length ? `http://127.0.0.1:${PROXY_PORT}` : undefined, log);
    try {
      for (const [i, e] of direct.entries()) await gate.listen(gate.directServer(e), relays[i]!.socket);
      if (named.length) await gate.listen(gate.proxyServer(named), proxySocket);
    } catch (error) {
      await gate.close();
      throw error;
    }
    return gate;
  }

  /** RELAYS for the in-namespace relay. */
  relaySpec(): string {
    return this.relays.map((r) => `${endpointText(r.listen)}=${r.socket}`).join(' ');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private listen(server: Server | ReturnType<typeof createServer>, path: string): Promise<void> {
    this.servers.push(server);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  }

  private refuse(what: string): void {
    this.refused.push(what);
    this.log.warn(`restore cluster egress: refused ${what} (not the seal's endpoint; restore-seal-egress lists more)`);
  }

  private directServer(e: Endpoint) {
    return createServer((inside) => {
      const outside = connect(e.port, e.host);
      inside.on('error', () => outside.destroy());
      outside.on('error', () => inside.destroy());
      inside.pipe(outside).pipe(inside);
    });
  }

  private proxyServer(named: Endpoint[]) {
    const allowed = new Set(named.map((e) => endpointText({ host: e.host.toLowerCase(), port: e.port })));
    const isAllowed = (host: string, port: number) => allowed.has(endpointText({ host: host.toLowerCase().replace(/^\[|\]$/g, ''), port }));
    const server = createHttpServer((req, res) => {
      // Plain http in absolute form (a transit seal on http://).
      let url: URL;
      try {
        url = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end('absolute-form request expected\n');
        return;
      }
      const port = url.port ? Number(url.port) : 80;
      if (url.protocol !== 'http:' || !isAllowed(url.hostname, port)) {
        this.refuse(`${req.method} ${url.protocol}//${url.hostname}:${port}`);
        res.writeHead(403).end('not on the restore cluster egress allowlist\n');
        return;
      }
      const upstream = httpRequest(
        { host: url.hostname, port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
      const host = m?.[1]?.replace(/^\[|\]$/g, '') ?? '';
      const port = Number(m?.[2] ?? 0);
      if (!m || !isAllowed(host, port)) {
        this.refuse(`CONNECT ${req.url ?? ''}`);
        client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return server;
  }
}
