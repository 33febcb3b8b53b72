/**
 * Raw HTTP to Vault, the one place every Vault request goes through: streaming bodies both ways, a CA bundle,
 * timeouts, no redirects followed, and errors that name the server and say what to change. Requests go through
 * undici; the snapshot download goes through Node's own HTTP client with the same settings (see `download`).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { VaultError } from '../errors.js';
import type { VaultSettings } from './vault-settings.js';
import { errorMessage, errorCode } from '../util/error-text.js';
import { freeBuffer, withOwnedChunks } from '../util/owned-chunks.js';

/** The codes undici gives the same timeouts, so that one mapping (connectionError, the backup's) names both. */
export const HEADERS_TIMEOUT = 'UND_ERR_HEADERS_TIMEOUT';
export const BODY_TIMEOUT = 'UND_ERR_BODY_TIMEOUT';
/** How much of a refusal's body is read for Vault's error text. */
const ERROR_BODY_LIMIT = 64 * 1024;

export interface VaultResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export class VaultHttp {
  readonly dispatcher: Agent;
  constructor(readonly settings: VaultSettings) {
    this.dispatcher = new Agent({
      headersTimeout: settings.requestTimeoutMs,
      bodyTimeout: settings.idleTimeoutMs,
      connect: {
        timeout: settings.requestTimeoutMs,
        ...(settings.socketPath ? { socketPath: settings.socketPath } : {}),
        ...(settings.caCert ? { ca: settings.caCert } : {}),
        rejectUnauthorized: !settings.tlsSkipVerify,
      },
    });
  }

  /**
   * Sends a request to `baseAddress` (defaults to the configured address); never follows redirects, so a
   * credential in the request reaches only the origin it was sent to.
   */
  async send(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; body?: Readable; baseAddress?: string; signal?: AbortSignal; wrapTtlSeconds?: number } = {},
  ): Promise<VaultResponse> {
    const { base, url, headers } = this.target(path, options);
    let body: string | Readable | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body) {
      headers['content-type'] = 'application/octet-stream';
      body = options.body;
    }
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        dispatcher: this.dispatcher,
        ...(body === undefined ? {} : { body }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (error) {
      throw connectionError(base, path, error);
    }
  }

  /**
   * A GET of a long body (the snapshot), resolved once a 200 is in (any other answer is a VaultError). It goes
   * through Node's own HTTP client rather than undici: a body arriving in chunks smaller than a socket read
   * (OpenBao sends 2048 and 63,492 bytes in turn) leaves undici's pieces as views into each 64 KiB read, which
   * only the garbage collector can free, while Node's parser copies each piece out. So each read is done with
   * once parsed and is freed then, and the body's pieces are the reader's to free (withOwnedChunks); the effect on
   * garbage collection is measured in docs/BENCHMARKS.md. Same settings as
   * every request: CA bundle, unix socket, namespace, `requestTimeoutMs` for the answer, `idleTimeoutMs` between
   * pieces while the reader wants more.
   */
  download(path: string, options: { token: string; baseAddress?: string; signal?: AbortSignal }): Promise<Readable> {
    const { settings } = this;
    const { base, url, headers } = this.target(path, options);
    // A socket of its own: the reads freed below are this response's alone.
    const common: RequestOptions = { method: 'GET', headers, agent: false, ...(options.signal ? { signal: options.signal } : {}) };
    const req = url.startsWith('https:')
      ? httpsRequest(url, { ...common, ...(settings.caCert ? { ca: settings.caCert } : {}), rejectUnauthorized: !settings.tlsSkipVerify })
      : httpRequest(url, { ...common, ...(settings.socketPath ? { socketPath: settings.socketPath } : {}) });
    return new Promise((resolve, reject) => {
      const answer = setTimeout(() => req.destroy(codedError(`no answer within ${settings.requestTimeoutMs} ms`, HEADERS_TIMEOUT)), settings.requestTimeoutMs);
      req.once('socket', (socket) => {
        // Runs after the HTTP parser's own listener: the parser has copied the body out of the read by then.
        socket.on('data', (read: Buffer) => freeBuffer(read));
      });
      // Kept for the whole exchange: once the answer is in, a broken connection fails the body instead.
      req.on('error', (error) => {
        clearTimeout(answer);
        reject(connectionError(base, path, error));
      });
      req.once('response', (res: IncomingMessage) => {
        clearTimeout(answer);
        const status = res.statusCode ?? 0;
        if (status !== 200) return void readLimited(res).then((text) => reject(statusError(base, 'GET', path, status, parseJsonText(text))), reject);
        watchIdle(res, settings.idleTimeoutMs);
        resolve(withOwnedChunks(res));
      });
      req.end();
    });
  }

  /** Where a request goes and what it carries: the base address named in errors, the URL, the headers. */
  private target(
    path: string,
    options: { token?: string; baseAddress?: string; wrapTtlSeconds?: number },
  ): { base: string; url: string; headers: Record<string, string> } {
    const base = (options.baseAddress ?? this.settings.address).replace(/\/+$/, '');
    // Over a unix socket the URL only fills the Host header.
    const url = this.settings.socketPath ? `http://localhost/v1/${path}` : `${base}/v1/${path}`;
    const headers: Record<string, string> = {};
    if (options.token) headers['x-vault-token'] = options.token;
    if (this.settings.namespace) headers['x-vault-namespace'] = this.settings.namespace;
    if (options.wrapTtlSeconds) headers['x-vault-wrap-ttl'] = `${options.wrapTtlSeconds}s`;
    return { base, url, headers };
  }

  /** JSON request; returns the parsed body and status, throwing VaultError for anything but `ok` statuses. */
  async json<T>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; ok?: number[]; baseAddress?: string; wrapTtlSeconds?: number } = {},
  ): Promise<{ status: number; data: T }> {
    const res = await this.send(method, path, options);
    const data = parseJsonText(await res.body.text());
    if (!(options.ok ?? [200, 204]).includes(res.status)) throw statusError(options.baseAddress ?? this.settings.address, method, path, res.status, data);
    return { status: res.status, data: data as T };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Fails `res` with BODY_TIMEOUT when no piece arrives for `ms` while its reader wants more. A reader that is
 * behind (the stream paused by back-pressure, the socket's buffer full) is not the server stalling.
 */
function watchIdle(res: IncomingMessage, ms: number): void {
  const socket = res.socket;
  if (!socket) return;
  socket.setTimeout(ms, () => {
    if (res.isPaused()) socket.setTimeout(ms);
    else res.destroy(codedError(`no data for ${ms} ms`, BODY_TIMEOUT));
  });
  res.once('close', () => socket.setTimeout(0));
}

/** The start of a refusal's body, for Vault's error text. */
async function readLimited(res: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of res) {
    if (size >= ERROR_BODY_LIMIT) continue;
    pieces.push(piece as Buffer);
    size += (piece as Buffer).length;
  }
  return Buffer.concat(pieces).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
}

/** Vault error bodies are JSON; anything else (a proxy's HTML page) carries no detail. */
export function parseJsonText(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function vaultErrorsOf(data: unknown): string {
  const errors = (data as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) && errors.length ? errors.map(String).join('; ') : '';
}

export function statusError(address: string, method: string, path: string, status: number, data: unknown): VaultError {
  const detail = vaultErrorsOf(data);
  const where = `${method} ${address}/v1/${path}`;
  const said = detail ? `: ${detail}` : '';
  if (status === 403) {
    return new VaultError(`${where} was refused (403 permission denied)${said}`, {
      status,
      hint: `the token's policy needs access to ${path}; see the README's Vault policy`,
    });
  }
  if (status === 503)
    return new VaultError(`Vault at ${address} is sealed or unavailable (503)${said}`, {
      status,
      hint: 'unseal the cluster, or point vault-address at a healthy node',
    });
  if (status === 400 && /raft storage is not in use|not.*raft/i.test(detail)) {
    return new VaultError(`${where}: raft storage is not in use${said}`, {
      status,
      hint: 'snapshots need integrated (raft) storage; dev-mode and other storage backends cannot be snapshotted',
    });
  }
  if (status === 307 || status === 301 || status === 302) {
    return new VaultError(`${where} answered with a redirect (${status}): this node is a standby`, {
      status,
      hint: 'point vault-address at the active node, or at a load balancer that sends requests to it',
    });
  }
  return new VaultError(`${where} failed with HTTP ${status}${said}`, { status });
}

export function connectionError(address: string, path: string, error: unknown): VaultError {
  const code = errorCode(error) ?? '';
  const message = errorMessage(error);
  if (code === HEADERS_TIMEOUT || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new VaultError(`Vault at ${address} did not answer ${path} in time (${code})`, {
      hint: 'check the address and network path, or raise vault-timeout-seconds',
      cause: error,
    });
  }
  if (code === BODY_TIMEOUT) {
    return new VaultError(`Vault at ${address} stalled while sending ${path}`, {
      hint: 'the server stopped sending data; check its load and logs, or raise vault-idle-timeout-seconds',
      cause: error,
    });
  }
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') {
    return new VaultError(`the connection to Vault at ${address} was closed while it answered ${path} (${code})`, {
      hint: 'Vault restarted, lost leadership, or a proxy cut the connection; nothing was stored, run again',
      cause: error,
    });
  }
  return new VaultError(`cannot reach Vault at ${address} (${path}): ${code || message}`, {
    hint: 'check vault-address, DNS, TLS settings (vault-ca-cert) and that the runner can reach the server',
    cause: error,
  });
}
