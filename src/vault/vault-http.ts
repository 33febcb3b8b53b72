/**
 * Raw HTTP to Vault with undici, the one stack every Vault request uses: streaming bodies both ways, a CA
 * bundle, timeouts, and errors that name the server and say what to change.
 */
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { VaultError } from '../errors.js';
import type { VaultSettings } from './vault-settings.js';
import { errorMessage, errorCode } from '../util/error-text.js';

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
    options: { token?: string; json?: unknown; body?: Readable; baseAddress?: string; signal?: AbortSignal } = {},
  ): Promise<VaultResponse> {
    const base = (options.baseAddress ?? this.settings.address).replace(/\/+$/, '');
    // Over a unix socket the URL only fills the Host header.
    const url = this.settings.socketPath ? `http://localhost/v1/${path}` : `${base}/v1/${path}`;
    const headers: Record<string, string> = {};
    if (options.token) headers['x-vault-token'] = options.token;
    if (this.settings.namespace) headers['x-vault-namespace'] = this.settings.namespace;
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

  /** JSON request; returns the parsed body and status, throwing VaultError for anything but `ok` statuses. */
  async json<T>(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; ok?: number[]; baseAddress?: string } = {},
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
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new VaultError(`Vault at ${address} did not answer ${path} in time (${code})`, {
      hint: 'check the address and network path, or raise vault-timeout-seconds',
      cause: error,
    });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new VaultError(`Vault at ${address} stalled while sending ${path}`, {
      hint: 'the server stopped sending data; check its load and logs, or raise vault-idle-timeout',
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
