/**
 * The engine logs through this interface only: the CLI prints to stderr, the action forwards to the
 * Actions log (with groups). Nothing passed here may contain a secret.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Runs `work` inside a named, collapsible section of the log. */
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
}

export class ConsoleLogger implements Logger {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n')) {}
  info(message: string): void {
    this.write(message);
  }
  warn(message: string): void {
    this.write(`warning: ${message}`);
  }
  error(message: string): void {
    this.write(`error: ${message}`);
  }
  async group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.write(`== ${name}`);
    return work();
  }
}

/** Collects lines; for tests and for callers that want the log as data. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
  async group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.lines.push(`== ${name}`);
    return work();
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/**
 * One progress line of a stream whose length is not known up front (a snapshot), measured against the size
 * it is expected to have (the previous backup's): "1.2 GiB of ~4.0 GiB (30%, about 40 s left) at 50.0 MiB/s".
 */
export function progressLine(bytes: number, elapsedMs: number, expectedBytes?: number): string {
  const rate = bytes / (Math.max(elapsedMs, 1) / 1000);
  const speed = `at ${formatBytes(rate)}/s`;
  if (!expectedBytes || bytes >= expectedBytes) return `${formatBytes(bytes)} ${speed}`;
  const percent = Math.floor((bytes / expectedBytes) * 100);
  return `${formatBytes(bytes)} of ~${formatBytes(expectedBytes)} (${percent}%, about ${formatDuration(((expectedBytes - bytes) / rate) * 1000)} left) ${speed}`;
}
