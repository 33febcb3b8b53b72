/** Prometheus's Pushgateway (built from the Go module proxy by scripts/install-test-servers.sh) on 127.0.0.1, in memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, serverBinary, startProcess, waitFor, type RunningProcess } from './processes.js';

export interface Pushgateway {
  url: string;
  process: RunningProcess;
  /** What it exposes for Prometheus to scrape. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pushgateway-'));
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(serverBinary('pushgateway'), [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], join(dir, 'pushgateway.log'));
  await waitFor(
    'the Pushgateway to be ready',
    async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
    30000,
    () => proc.log(),
  );
  return {
    url,
    process: proc,
    scrape: async () => (await fetch(`${url}/metrics`)).text(),
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
