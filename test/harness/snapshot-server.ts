/**
 * The benchmark's stand-in for Vault (bench/snapshot-server, a Go program, framing the snapshot as OpenBao
 * does), built once per process into .tools/bench/bin and started like the other servers: on a free port on
 * 127.0.0.1, its output in a log, stopped with the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, ROOT, startProcess, waitFor, type RunningProcess } from './processes.js';

export interface SnapshotServer {
  /** http://127.0.0.1:PORT: the address to give the tool as vault-address. */
  url: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

let built: string | undefined;

function snapshotServerBinary(): string {
  if (built) return built;
  const binary = join(ROOT, '.tools', 'bench', 'bin', 'snapshot-server');
  mkdirSync(dirname(binary), { recursive: true });
  try {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(ROOT, 'bench', 'snapshot-server'), stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const cause =
      (error as { code?: string }).code === 'ENOENT' ? 'Go is not installed (go on PATH)' : String((error as { stderr?: Buffer }).stderr ?? error).trim();
    throw new Error(`the benchmark's snapshot server (bench/snapshot-server, a Go program) did not build: ${cause}`, { cause: error });
  }
  return (built = binary);
}

/** Serves `file` as sys/storage/raft/snapshot, with the health, seal-status and leader answers a backup asks first. */
export async function startSnapshotServer(file: string): Promise<SnapshotServer> {
  const binary = snapshotServerBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-server-'));
  const proc = startProcess(binary, [file, String(port)], join(dir, 'snapshot-server.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the snapshot server to listen',
    async () => ((await fetch(`${url}/v1/sys/health`)).ok ? true : undefined),
    30000,
    () => proc.log(),
  );
  return {
    url,
    process: proc,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
