/**
 * Starting and stopping real server processes for tests: free loopback ports, output captured to a
 * log file (shown when startup fails), and a stop that always kills the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SERVERS_DIR = process.env.VAULT_BACKUP_TEST_SERVERS ?? join(ROOT, '.test-servers');
export const SERVERS_BIN = join(SERVERS_DIR, 'venv', 'bin');

/**
 * Which Vault server the Vault-facing suites run against: OpenBao by default, HashiCorp Vault in the jest
 * project that sets VAULT_BACKUP_TEST_SERVER=vault (see jest.config.js). Both start at their defaults.
 */
export const SERVER_KIND: ServerKind = process.env.VAULT_BACKUP_TEST_SERVER === 'vault' ? 'vault' : 'openbao';
export type ServerKind = 'openbao' | 'vault';
/** The server's own binary and CLI: `bao` or `vault`. */
export const SERVER_CLI_NAME = SERVER_KIND === 'vault' ? 'vault' : 'bao';
const VAULT_BIN = join(SERVERS_DIR, 'vault', 'bin');
/** What a runner that installed the server has on PATH (before its own PATH): the tool finds `vault`, then `bao`. */
export const serverPath = (kind: ServerKind = SERVER_KIND): string => (kind === 'vault' ? `${VAULT_BIN}:${SERVERS_BIN}` : SERVERS_BIN);
export const SERVER_PATH = serverPath();

/** The path of the server binary (`bao` or `vault`; by default the one the Vault-facing suites run). */
export function serverCli(kind: ServerKind = SERVER_KIND): string {
  if (kind === 'vault') {
    const path = join(VAULT_BIN, 'vault');
    if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run test-servers" (scripts/install-test-servers.sh builds HashiCorp Vault) first`);
    return path;
  }
  return serverBinary('bao');
}

export function serverBinary(name: string): string {
  const path = join(SERVERS_BIN, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run test-servers" (scripts/install-test-servers.sh) first`);
  return path;
}

/** A free TCP port on 127.0.0.1 (and, with `pair`, one whose successor is free too). */
export async function freePort(pair = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0);
    if (!pair) return port;
    if (port < 65535 && (await isFree(port + 1))) return port;
  }
  throw new Error('no free port pair found on 127.0.0.1');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(chosen));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RunningProcess {
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
  log(): string;
}

export function startProcess(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): RunningProcess {
  const out = createWriteStream(logFile);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  // A server must never keep the test process alive or outlive it, even when a suite fails half-way.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  running.add(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  return {
    child,
    logFile,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: () =>
      new Promise<void>((done) => {
        if (exited) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000, logOf?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      // Only the latest probe's error explains a timeout; an earlier one would mislead.
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = logOf ? `\n--- server log ---\n${logOf().slice(-4000)}` : '';
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}${tail}`);
}
