/**
 * The private directories a restore works in (the throwaway cluster's data, the spooled ciphertext), each
 * marked with the PID of the run that made it. A run killed with SIGKILL cannot clean up after itself; the
 * next one finds directories whose run is gone, stops any process still working in one, removes them, and
 * says what it removed.
 */
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { errorCode } from '../util/error-text.js';

/** Every private directory a restore makes starts with this, in the system's temporary directory. */
const PREFIX = 'vault-backup-restore-';
const OWNER_FILE = 'owner.pid';

/** A new private directory (mode 0700) marked as this process's. `kind` names it: `cluster`, `work`. */
export async function makePrivateDir(kind: string, root = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(root, `${PREFIX}${kind}-`));
  await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
  return dir;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
};

/** PIDs of the processes whose command line or working directory lies in `dir` (Linux /proc; none elsewhere). */
export async function processesIn(dir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    const cwd = await readlink(join('/proc', entry, 'cwd')).catch(() => '');
    if (cmdline.split('\0').some((arg) => arg.includes(dir)) || cwd.startsWith(dir)) found.push(Number(entry));
  }
  return found;
}

/** Stops (SIGKILL) every process still working in `dir`; returns their PIDs. */
export async function killProcessesIn(dir: string, log: Logger): Promise<number[]> {
  const stray = await processesIn(dir);
  for (const pid of stray) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      log.warn(`could not stop process ${pid} in ${dir}: ${errorCode(error) ?? String(error)}`);
    }
  }
  return stray;
}

/**
 * Removes what killed runs left: each marked directory whose run is gone (and any process still in it).
 * Returns what it removed; each is logged. A directory without a mark, or whose run is alive, is left alone.
 */
export async function removeLeftovers(log: Logger, root = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const dir = join(root, name);
    const owner = Number((await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isSafeInteger(owner) || owner <= 0 || alive(owner)) continue;
    const stray = await killProcessesIn(dir, log);
    await rm(dir, { recursive: true, force: true });
    log.warn(`removed what a killed restore (pid ${owner}) left: ${dir}${stray.length ? ` and its processes ${stray.join(', ')}` : ''}`);
    removed.push(dir);
  }
  return removed;
}
