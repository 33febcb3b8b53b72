/**
 * The wall clock and real waiting: the only place the engine reads them. Everything else takes a
 * clock and a sleep from the run context (RunContext), so tests control time without waiting.
 * Watchdog timers (a deadline that aborts a stream, a kill after a grace period) stay real timers.
 */
export const systemClock = (): Date => new Date();
export const systemSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));
