import { existsSync } from 'node:fs';

/**
 * Where a worker thread's bundle is (dist/NAME/index.js): beside the running bundle (the action's), one
 * folder up (the CLI's), or, running from source as the tests do, the one built in dist/. Undefined when
 * none is built; each caller then does the same work in this thread.
 */
export function workerBundle(name: string): URL | undefined {
  // Names made at run time, so the bundler does not take them for assets of this module.
  const candidates = [`./${name}/index.js`, `../${name}/index.js`, `../../dist/${name}/index.js`];
  return candidates.map((path) => new URL(path, import.meta.url)).find((url) => existsSync(url));
}
