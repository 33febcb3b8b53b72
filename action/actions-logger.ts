import type { Logger } from '../src/log.js';
import type { Runner } from './runner.js';

/** The engine's Logger on top of the Actions log: warnings and errors become annotations, groups fold. */
export class ActionsLogger implements Logger {
  constructor(private readonly runner: Runner) {}
  info(message: string): void {
    this.runner.info(message);
  }
  warn(message: string): void {
    this.runner.warning(message);
  }
  error(message: string): void {
    this.runner.error(message);
  }
  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.runner.group(name, work);
  }
}
