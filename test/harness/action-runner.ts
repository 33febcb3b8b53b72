/**
 * Runs the bundled action (dist/index.js) the way a GitHub runner does: a child process with INPUT_*
 * variables and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Returns exit code, log and parsed outputs.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let runCount = 0;

export function runBundledAction(workDir: string, inputs: Record<string, string>, env: Record<string, string>): Promise<ActionRun> {
  const bundle = join(ROOT, 'dist', 'index.js');
  if (!existsSync(bundle)) throw new Error('dist/index.js is missing: run "npm run build" first');
  const n = ++runCount;
  const outputFile = join(workDir, `output-${process.pid}-${n}`);
  const summaryFile = join(workDir, `summary-${process.pid}-${n}`);
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: workDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/platform',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: String(1000 + n),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle], { env: childEnv, timeout: 90000 }, (error, stdout, stderr) => {
      const outputs: Record<string, string> = {};
      for (const m of readFileSync(outputFile, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, outputs, summary: readFileSync(summaryFile, 'utf8') });
    });
  });
}
