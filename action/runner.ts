/**
 * What the action needs from the Actions runner, as one small interface: the real one wraps
 * @actions/core; in-process tests pass a recording one. Nothing else in action/ imports @actions/core.
 */
import * as core from '@actions/core';

export interface Runner {
  getInput(name: string, options?: { trimWhitespace?: boolean }): string;
  setSecret(value: string): void;
  getIDToken(audience: string): Promise<string>;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Appends to the job summary; does nothing when the runner provides no summary file. */
  appendSummary(html: string): Promise<void>;
  env: NodeJS.ProcessEnv;
}

export const actionsRunner: Runner = {
  getInput: (name, options) => core.getInput(name, options),
  setSecret: (value) => core.setSecret(value),
  getIDToken: (audience) => core.getIDToken(audience),
  setOutput: (name, value) => core.setOutput(name, value),
  setFailed: (message) => core.setFailed(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  group: (name, work) => core.group(name, work),
  async appendSummary(html) {
    // core.summary.write throws without a summary file (a local run, act without one).
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(html).write();
  },
  env: process.env,
};
