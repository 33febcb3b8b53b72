import * as core from '@actions/core';
import type { Logger } from '../src/log.js';

/** The engine's Logger on top of the Actions log: warnings and errors become annotations, groups fold. */
export class ActionsLogger implements Logger {
  info(message: string): void {
    core.info(message);
  }
  warn(message: string): void {
    core.warning(message);
  }
  error(message: string): void {
    core.error(message);
  }
  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    return core.group(name, work);
  }
}
