/**
 * An HTTP proxy between the tool and a real server (OpenBao or moto) that injects faults on
 * matching requests: cut the connection after N response bytes, end the body cleanly but early,
 * answer an error status for the first K requests, stall, delay, or flip a byte. It records what it saw.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Fault =
  | { kind: 'reset-after'; bytes: number }
  | { kind: 'truncate-after'; bytes: number }
  | { kind: 'status'; status: number; times: number; body?: string; skip?: number; contentType?: string }
  | { kind: 'reset-request-after'; bytes: number } // first matching request only
  | { kind: 'redirect'; location: string }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'corrupt-at'; offset: number }
  | { kind: 'refuse' }
  | { kind: 'hang'; times: number } // take the request whole and never answer, for the first `times` hits
  // Take the request whole and pass it on `ms` later, even if the client has stopped waiting by then: a request
  // that reached the server, which acts on it whether or not anyone reads the answer.
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
}

export interface FaultProxy {
  url: string;
  /** `target`: the X-Amz-Target header (the operation of a JSON-protocol AWS call, e.g. TrentService.Decrypt). */
  /** `contentSha256`/`checksumSha256`: the request's SigV4 payload hash and S3 checksum headers; `bodySha256`: hex SHA-256 of the body as it arrived. */
  seen: Array<{ method: string; path: string; status?: number; target?: string; contentSha256?: string; checksumSha256?: string; bodySha256?: string }>;
  rules: FaultRule[];
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen: FaultProxy['seen'] = [];
  const hits = new Map<FaultRule, number>();
  const proxy: Partial<FaultProxy> = { seen, rules };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const operation = req.headers['x-amz-target'];
    const record: FaultProxy['seen'][number] = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      ...(typeof operation === 'string' ? { target: operation } : {}),
    };
    seen.push(record);
    const contentSha256 = req.headers['x-amz-content-sha256'];
    const checksumSha256 = req.headers['x-amz-checksum-sha256'];
    if (typeof contentSha256 === 'string') record.contentSha256 = contentSha256;
    if (typeof checksumSha256 === 'string') record.checksumSha256 = checksumSha256;
    const bodyHash = createHash('sha256');
    req.on('data', (chunk: Buffer) => bodyHash.update(chunk));
    req.on('end', () => (record.bodySha256 = bodyHash.digest('hex')));
    const rule = proxy.rules!.find((r) => (!r.method || r.method === req.method) && r.path.test(req.url ?? ''));
    if (rule) hits.set(rule, (hits.get(rule) ?? 0) + 1);
    const hit = rule ? hits.get(rule)! : 0;
    // A reset of the request body happens once: the client's retry must then get through.
    const fault = rule?.fault.kind === 'reset-request-after' && hit > 1 ? undefined : rule?.fault;

    if (fault?.kind === 'hang' && hit <= fault.times) return void req.resume();
    if (fault?.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status' && hit > (fault.skip ?? 0) && hit <= (fault.skip ?? 0) + fault.times) {
      req.resume();
      record.status = fault.status;
      res
        .writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' })
        .end(fault.body ?? JSON.stringify({ errors: [`injected ${fault.status}`] }));
      return;
    }
    if (fault?.kind === 'redirect') {
      req.resume();
      record.status = 307;
      res.writeHead(307, { location: fault.location }).end();
      return;
    }

    const forward = () =>
      httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (up) => {
        record.status = up.statusCode;
        const headers = { ...up.headers };
        const bodyFault =
          fault && (fault.kind === 'reset-after' || fault.kind === 'truncate-after' || fault.kind === 'stall' || fault.kind === 'corrupt-at')
            ? fault
            : undefined;
        if (bodyFault) delete headers['content-length'];
        res.writeHead(up.statusCode ?? 502, headers);
        let sent = 0;
        let cut = false;
        up.on('data', (chunk: Buffer) => {
          if (cut) return;
          const fault = bodyFault;
          if (!fault) return void res.write(chunk);
          if (fault.kind === 'corrupt-at' && sent <= fault.offset && fault.offset < sent + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[fault.offset - sent]! ^= 0xff;
          }
          const limit = fault.kind === 'reset-after' || fault.kind === 'truncate-after' ? fault.bytes : fault.kind === 'stall' ? fault.afterBytes : Infinity;
          if (sent + chunk.length <= limit) {
            sent += chunk.length;
            res.write(chunk);
            return;
          }
          const head = chunk.subarray(0, Math.max(0, limit - sent));
          sent += head.length;
          if (head.length) res.write(head);
          cut = true;
          up.destroy();
          if (fault.kind === 'reset-after') res.socket?.destroy();
          else if (fault.kind === 'truncate-after') res.end();
          // stall: keep the connection open and silent until the client gives up.
        });
        // After a cut, the upstream's own end (already queued when it fit in one chunk) must not end the reply.
        up.on('end', () => {
          if (!cut) res.end();
        });
        up.on('error', () => res.socket?.destroy());
      }).on('error', () => res.socket?.destroy());
    if (fault?.kind === 'delay') {
      // The client may be gone by the time the answer comes; what is written to it then goes nowhere.
      res.on('error', () => undefined);
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => setTimeout(() => forward().end(Buffer.concat(body)), fault.ms));
      return;
    }
    const upstreamReq = forward();
    if (fault?.kind === 'reset-request-after') {
      let forwarded = 0;
      req.on('data', (chunk: Buffer) => {
        forwarded += chunk.length;
        if (forwarded > fault.bytes) {
          upstreamReq.destroy();
          req.socket.destroy();
        } else upstreamReq.write(chunk);
      });
      req.on('end', () => upstreamReq.end());
      return;
    }
    req.pipe(upstreamReq);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy as FaultProxy;
}
