/**
 * Cleanup on SIGINT/SIGTERM (how GitHub cancels a job): work that leaves something behind when cut short
 * (a server process, a temporary directory, an open upload) registers how to undo it; the front end
 * installs the handler, which runs every registered cleanup, says what it cleaned, and exits 130/143.
 */
import type { Logger } from '../log.js';

interface Cleanup {
  label: string;
  run: () => Promise<void>;
}

const pending = new Set<Cleanup>();

/** Registers `run` to be called if the process is interrupted; call the returned function once it is no longer needed. */
export function onInterrupt(label: string, run: () => Promise<void>): () => void {
  const entry = { label, run };
  pending.add(entry);
  return () => pending.delete(entry);
}

/** Runs every pending cleanup, newest first, each bounded in time; reports each outcome. */
export async function runInterruptCleanups(log: Logger, timeoutMs = 20_000): Promise<void> {
  const entries = [...pending].reverse();
  pending.clear();
  for (const entry of entries) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        entry.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
      log.info(`cleaned up: ${entry.label}`);
    } catch (error) {
      log.error(`cleanup failed: ${entry.label}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Installs the SIGINT/SIGTERM handler once for the process. */
export function installInterruptHandlers(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let interrupted = false;
  for (const signal of Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>) {
    process.on(signal, () => {
      if (interrupted) return; // a second signal while cleaning up changes nothing
      interrupted = true;
      log.error(`received ${signal}: stopping and cleaning up`);
      void runInterruptCleanups(log).finally(() => exit(EXIT_CODES[signal]));
    });
  }
}
