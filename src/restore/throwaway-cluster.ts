/**
 * A throwaway restore cluster: a single-node Vault/OpenBao server process with raft storage in a private
 * temporary directory, started from a local binary, reachable only through a unix socket. On Linux it
 * runs in its own network namespace (`unshare --net`, through `sudo` when not root), so a restored
 * copy of production cannot reach anything (HashiCorp warns that an unsealed restore may revoke real
 * leases). It is stopped and its directory removed afterwards, also on failure and on SIGINT/SIGTERM.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { RestoreError } from '../errors.js';
import type { Logger } from '../log.js';
import { onInterrupt } from '../util/interrupts.js';
import { killProcessesIn, makePrivateDir } from './private-dirs.js';
import { openVault, type Vault } from '../vault/vault-client.js';
import { EgressGate, RELAY_SCRIPT } from './egress-gate.js';
import { endpointText, type Endpoint, type SealStanza } from './seal-stanza.js';

export type IsolationPolicy = 'required' | 'best-effort';

export interface ThrowawayClusterSettings {
  /** restore-server-binary: a path or a command name; empty means `vault`, then `bao`, on PATH. */
  binary: string | undefined;
  /** The PATH binaries are looked for on, and the only variable the cluster's processes inherit. */
  searchPath: string;
  /** Where the private directories go (the front's TMPDIR, else the system's). */
  tempRoot: string;
  /** restore-seal-config and its endpoints: the source's auto-unseal seal, the only thing the cluster may reach. */
  seal: { stanza: SealStanza; endpoints: Endpoint[] } | undefined;
  isolation: IsolationPolicy;
  requestTimeoutMs: number;
  startTimeoutMs: number;
}

/** Finds the server binary: the setting (a path or a name on PATH), else `vault`, then `bao`. */
export function findServerBinary(setting: string | undefined, path: string): string {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const onPath = (name: string) =>
    path
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name))
      .find(executable);
  if (setting) {
    const found = setting.includes('/') ? (executable(setting) ? setting : undefined) : onPath(setting);
    if (!found)
      throw new RestoreError(`restore-server-binary ${JSON.stringify(setting)} is not an executable file${setting.includes('/') ? '' : ' on PATH'}`, {
        hint: 'install Vault or OpenBao on the runner (see the README), or correct restore-server-binary',
      });
    return found;
  }
  const found = onPath('vault') ?? onPath('bao');
  if (!found) {
    throw new RestoreError('no Vault or OpenBao server binary on PATH for the throwaway restore cluster', {
      hint: 'install `vault` or `bao` in a step before the restore test (see the README), set restore-server-binary, or set staging-vault-address to restore into a standing staging cluster',
    });
  }
  return found;
}

/**
 * What a child process of the restore gets for an environment: a PATH and nothing else. In the action the
 * full environment holds the INPUT_* variables (unseal keys, the keyring, the Slack URL).
 */
export function minimalEnv(searchPath: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: searchPath || '/usr/bin:/bin', ...extra };
}

/**
 * The shell that runs the server: it brings up the namespace's loopback (raft needs it), starts the server,
 * starts the egress relay first when the seal must reach its endpoint (RELAYS), passes SIGTERM on, and kills the
 * server (and relay) once the run that started it ($1) is gone, even by SIGKILL, which no cleanup handler sees.
 * Polled each second: a killed run's server lives at most about a second longer.
 */
export const SERVER_SUPERVISOR = `set -u
[ "$ISOLATED" = 1 ] && { ip link set lo up || exit 97; }
owner=$1; shift
relay=
if [ -n "\${RELAYS:-}" ]; then
  "$RELAY_NODE" -e "$RELAY_SCRIPT" "$RELAYS" "$READY" &
  relay=$!
  tries=0
  while [ ! -e "$READY" ]; do
    tries=$((tries + 1)); [ "$tries" -gt 100 ] && { kill -KILL "$relay"; exit 98; }
    kill -0 "$relay" 2>/dev/null || exit 98
    sleep 0.1
  done
fi
"$@" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' TERM INT
while kill -0 "$owner" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
kill -KILL "$server" 2>/dev/null
[ -n "$relay" ] && kill -KILL "$relay" 2>/dev/null
wait "$server"`;

/** Whether `prefix sh -c 'ip link set lo up'` works here: undefined when it does, else why not. */
function probeIsolation(prefix: string[], searchPath: string): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve) => {
    execFile(prefix[0]!, [...prefix.slice(1), 'sh', '-c', 'ip link set lo up'], { timeout: 10_000, env: minimalEnv(searchPath) }, (error, _stdout, stderr) =>
      resolve(error ? `\`${prefix.join(' ')} sh -c 'ip link set lo up'\` failed: ${(stderr.trim() || error.message).slice(0, 300)}` : undefined),
    );
  });
}

/**
 * How to start a process in a new network namespace here, or why it cannot be done: as root, `unshare --net`;
 * otherwise an unprivileged user namespace where the kernel allows it (self-hosted runners often do, with no
 * sudo), then `sudo -n` (GitHub's hosted images restrict user namespaces but give passwordless sudo).
 */
async function isolationPrefix(searchPath: string): Promise<{ prefix: string[]; viaSudo: boolean } | { reason: string }> {
  if (process.platform !== 'linux') return { reason: `network namespaces exist on Linux only (this is ${process.platform})` };
  if (process.getuid?.() === 0) {
    const prefix = ['unshare', '--net', '--'];
    const failed = await probeIsolation(prefix, searchPath);
    return failed ? { reason: failed } : { prefix, viaSudo: false };
  }
  const userNamespace = ['unshare', '--user', '--map-root-user', '--net', '--'];
  const withoutSudo = await probeIsolation(userNamespace, searchPath);
  if (!withoutSudo) return { prefix: userNamespace, viaSudo: false };
  const sudo = ['sudo', '-n', 'unshare', '--net', '--'];
  const withSudo = await probeIsolation(sudo, searchPath);
  if (!withSudo) return { prefix: sudo, viaSudo: true };
  return { reason: `${withoutSudo}; and ${withSudo}` };
}

function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
  return (async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await listen(0);
      if (
        port < 65535 &&
        (await listen(port + 1).then(
          () => true,
          () => false,
        ))
      )
        return port;
    }
    throw new RestoreError('no free pair of loopback ports for the restore cluster');
  })();
}

/** The run context's clock and sleep, for the start-up wait. */
export interface StartTiming {
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export class ThrowawayCluster {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private starts = 0;
  private gate: EgressGate | undefined;
  private readonly unregister: () => void;
  readonly client: Vault;

  private constructor(
    readonly binary: string,
    readonly dir: string,
    /** The network-namespace prefix, or undefined when the server runs on the host's loopback. */
    private readonly prefix: { prefix: string[]; viaSudo: boolean } | undefined,
    private readonly settings: ThrowawayClusterSettings,
    private readonly timing: StartTiming,
    private readonly log: Logger,
  ) {
    this.client = openVault({
      address: `unix://${this.socketPath}`,
      socketPath: this.socketPath,
      requestTimeoutMs: settings.requestTimeoutMs,
      idleTimeoutMs: settings.requestTimeoutMs,
      auth: { method: 'token', token: '' },
    });
    this.unregister = onInterrupt(`restore cluster ${dir} (server process stopped, directory removed)`, () => this.destroy());
  }

  get socketPath(): string {
    return join(this.dir, 'server.sock');
  }

  get isolated(): boolean {
    return this.prefix !== undefined;
  }

  /** PID of the process started (the server itself, or sudo in front of it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(settings: ThrowawayClusterSettings, log: Logger, timing: StartTiming): Promise<ThrowawayCluster> {
    const binary = findServerBinary(settings.binary, settings.searchPath);
    const isolation = await isolationPrefix(settings.searchPath);
    if ('reason' in isolation && settings.isolation === 'required') {
      throw new RestoreError(`the throwaway restore cluster cannot be isolated from the network: ${isolation.reason}`, {
        hint: 'run on a Linux runner where `sudo unshare --net` works (GitHub-hosted Ubuntu runners do), or set restore-isolation to best-effort to run it on loopback only',
      });
    }
    const dir = await makePrivateDir('cluster', settings.tempRoot);
    await mkdir(join(dir, 'raft'), { mode: 0o700 });
    // The server's temporary files (a restore spools the snapshot as TMPDIR/snapshotN) stay in the private directory.
    await mkdir(join(dir, 'tmp'), { mode: 0o700 });
    const cluster = new ThrowawayCluster(binary, dir, 'reason' in isolation ? undefined : isolation, settings, timing, log);
    try {
      if ('reason' in isolation)
        log.warn(`restore cluster NOT network-isolated (restore-isolation: best-effort): ${isolation.reason}; it listens on loopback only`);
      // Inside its own namespace the ports are private (clear of the seal's relayed ones); on the host's loopback
      // they must be free ones.
      const taken = new Set(settings.seal?.endpoints.map((e) => e.port));
      const port = 'reason' in isolation ? await freePortPair() : [8200, 18200, 28200].find((p) => !taken.has(p) && !taken.has(p + 1))!;
      if (settings.seal) await cluster.openEgress(settings.seal.endpoints);
      const flavour = await serverFlavour(binary, settings.searchPath);
      await writeFile(join(dir, 'config.hcl'), serverConfig(dir, cluster.socketPath, port, flavour, settings.seal?.stanza), { mode: 0o600 });
      await cluster.launch();
      log.info(
        `restore cluster started: ${binary} (pid ${cluster.pid}) in ${dir}, ${cluster.isolated ? 'in its own network namespace, reachable only through its unix socket' : `on 127.0.0.1:${port}`}`,
      );
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** The seal's way out of the namespace; on loopback (best-effort) the server reaches it directly. */
  private async openEgress(endpoints: Endpoint[]): Promise<void> {
    const list = endpoints.map(endpointText).join(', ');
    if (!this.prefix) {
      this.log.warn(`restore cluster not isolated: its seal reaches ${list} directly, and nothing else is kept from it`);
      return;
    }
    this.gate = await EgressGate.open(this.dir, endpoints, this.log);
    this.log.info(`restore cluster egress allowlist: ${list} (the source's seal), nothing else`);
  }

  /** What the server's supervisor needs to start the in-namespace relay, and the proxy the server uses. */
  private egressEnv(): Record<string, string> {
    if (!this.gate) return {};
    return {
      RELAYS: this.gate.relaySpec(),
      RELAY_NODE: process.execPath,
      RELAY_SCRIPT,
      READY: join(this.dir, `relay-${this.starts}.ready`),
      ...(this.gate.proxyUrl ? { HTTPS_PROXY: this.gate.proxyUrl, HTTP_PROXY: this.gate.proxyUrl } : {}),
    };
  }

  private async launch(): Promise<void> {
    this.starts++;
    const logFile = join(this.dir, `server-${this.starts}.log`);
    const out = createWriteStream(logFile);
    const serverArgs = ['server', `-config=${join(this.dir, 'config.hcl')}`];
    // Through sudo, the server itself runs as this user again; the namespace's loopback comes up first (as root).
    const drop = this.prefix?.viaSudo ? ['setpriv', `--reuid=${process.getuid?.()}`, `--regid=${process.getgid?.()}`, '--clear-groups', '--'] : [];
    const supervised = ['sh', '-c', SERVER_SUPERVISOR, 'supervisor', String(process.pid), ...drop, this.binary, ...serverArgs];
    // A minimal environment, set by `env` after sudo (which resets its own): the server holding a restored copy of
    // production gets none of this run's credentials, and its temporary files stay in the private directory.
    const vars = Object.entries(
      minimalEnv(this.settings.searchPath, { HOME: this.dir, TMPDIR: join(this.dir, 'tmp'), ISOLATED: this.prefix ? '1' : '0', ...this.egressEnv() }),
    ).map(([k, v]) => `${k}=${v}`);
    const [command, ...args] = [...(this.prefix?.prefix ?? []), 'env', '-i', ...vars, ...supervised] as [string, ...string[]];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: minimalEnv(this.settings.searchPath) });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    this.child = child;
    let hasExited = false;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        hasExited = true;
        resolve();
      });
      child.once('error', () => {
        hasExited = true;
        resolve();
      });
    });
    const deadline = this.timing.clock().getTime() + this.settings.startTimeoutMs;
    for (;;) {
      if (hasExited)
        throw new RestoreError(`the restore cluster's server process exited at start-up${this.logTail(logFile)}`, {
          hint: 'check restore-server-binary; the server log above says why',
        });
      if (existsSync(this.socketPath)) {
        const ready = await this.client.sealStatus().then(
          () => true,
          () => false,
        );
        if (ready) return;
      }
      if (this.timing.clock().getTime() > deadline)
        throw new RestoreError(
          `the restore cluster did not answer on ${this.socketPath} within ${this.settings.startTimeoutMs / 1000} s${this.logTail(logFile)}`,
        );
      await this.timing.sleep(100);
    }
  }

  private logTail(file: string): string {
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    return text ? `; server log ends:\n${text.slice(-1500)}` : '';
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** Restarts the server process: after a forced restore a node keeps its old seal configuration until then. */
  async restart(): Promise<void> {
    await this.stopProcess();
    await this.launch();
  }

  async destroy(): Promise<void> {
    this.unregister();
    await this.stopProcess();
    // A supervisor stopped by force (or sudo in front of it) may leave the server behind: nothing outlives this.
    await killProcessesIn(this.dir, this.log);
    await this.gate?.close();
    await this.client.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** OpenBao or HashiCorp Vault, from `<binary> version` ("OpenBao v2.7.2 ..." / "Vault v1.19.0 ..."). */
async function serverFlavour(binary: string, searchPath: string): Promise<'openbao' | 'vault'> {
  const out = await new Promise<string>((resolve) =>
    execFile(binary, ['version'], { timeout: 10_000, env: minimalEnv(searchPath) }, (_error, stdout) => resolve(String(stdout))),
  );
  return /^\s*Vault\b/.test(out) ? 'vault' : 'openbao';
}

function serverConfig(dir: string, socketPath: string, port: number, flavour: 'openbao' | 'vault', seal: SealStanza | undefined): string {
  // The unix listener is the only way in from outside. The unauthenticated generate-root endpoints are
  // enabled so a root token can be made from the source's unseal keys: OpenBao (2.5.3+ disables them by
  // default) takes a listener setting, on the unix listener alone; recent Vault takes a top-level list.
  // The TCP listener exists because raft needs an API and cluster address.
  // performance_multiplier 1: a single node need not wait out production-sized election timeouts
  // (the default 5 costs ~10 s at init and again after the restore).
  return `storage "raft" {
  path    = "${join(dir, 'raft')}"
  node_id = "restore-test"
  performance_multiplier = 1
}
listener "unix" {
  address     = "${socketPath}"
  tls_disable = true
  disable_unauthed_generate_root_endpoints = false
}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
api_addr      = "http://127.0.0.1:${port}"
cluster_addr  = "http://127.0.0.1:${port + 1}"
disable_mlock = true
ui            = false
log_level     = "warn"
${flavour === 'vault' ? 'enable_unauthenticated_access = ["generate-root"]\n' : ''}${seal ? `${seal.text}\n` : ''}`;
}
